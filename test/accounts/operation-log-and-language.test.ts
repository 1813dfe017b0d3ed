/**
 * The operation log as its console page reads it (by date, user and kind of action, with the company name),
 * finance's queue naming the company, and refusals in the caller's language: `Accept-Language: id` answers
 * Indonesian messages and rules with the field names, codes and statuses a program reads unchanged.
 */
import request from 'supertest';
import { bearer, useTestApi } from '../helpers/api';
import { createPicUser, createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';
import { SLIP_PNG } from '../helpers/slips';

const api = useTestApi();
let finance: TestUser;
let account: TestAccount;
let pic: TestUser;

beforeAll(async () => {
  [finance, account] = await Promise.all([createStaffUser(api.t.db.pool, 'finance'), createTestAccount(api.t.db.pool, { companyName: 'PT Sinar Jaya Abadi' })]);
  pic = await createPicUser(api.t.db.pool, account);
});

const http = () => request(api.app);
const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Jakarta' }).format(new Date());

test('When orders were created, submitted and approved by different people, then the log filters by user, kind and day, and names the company', async () => {
  const created = await http().post('/v1/orders').set(bearer(pic.token)).send({ wallet: 'credit', amount: 120_000 });
  const n = String(created.body.orderNumber);
  await http().post(`/v1/orders/${n}/slip`).set(bearer(account.ownerToken)).attach('slip', SLIP_PNG, { filename: 'slip.png', contentType: 'image/png' });

  // Finance's queue says whose order it is.
  const queue = await http().get('/v1/review/orders').set(bearer(finance.token));
  expect(queue.body.items.find((o: { orderNumber: string }) => o.orderNumber === n)).toMatchObject({ accountId: account.accountId, companyName: 'PT Sinar Jaya Abadi' });
  await http().post(`/v1/orders/${n}/approve`).set(bearer(finance.token)).send({ checkResult: 'ok' });

  const read = async (query: string) => (await http().get(`/v1/operation-log?${query}`).set(bearer(account.ownerToken))).body;
  const byPic = await read(`actor=${pic.username}`);
  expect(byPic.items.map((i: { action: string }) => i.action)).toEqual(['order.create']);
  const orders = await read('action=order');
  expect(orders.items.map((i: { action: string; actor: { username: string } }) => [i.action, i.actor.username])).toEqual([
    ['order.approve', finance.username],
    ['order.submit_slip', account.ownerUsername],
    ['order.create', pic.username],
  ]);
  expect(orders.items[0]).toMatchObject({ companyName: 'PT Sinar Jaya Abadi', orderNumber: n });
  expect((await read('action=order.approve')).total).toBe(1);
  expect((await read(`from=${today()}&to=${today()}`)).total).toBe(3);
  expect((await read('from=2020-01-01&to=2020-01-31')).total).toBe(0);
  // Finance reads the same across accounts.
  const all = await http().get(`/v1/operation-log?action=order.approve&actor=${finance.username}`).set(bearer(finance.token));
  expect(all.body.items[0]).toMatchObject({ accountId: account.accountId, companyName: 'PT Sinar Jaya Abadi' });

  const bad = await http().get('/v1/operation-log?action=Order!&from=yesterday').set(bearer(account.ownerToken));
  expect(bad.body.error.fields).toEqual([
    { path: 'from', rule: 'must be an ISO date (YYYY-MM-DD)' },
    { path: 'action', rule: 'must be an action such as order.approve, or a kind of actions such as order, usage, gift, session' },
  ]);
});

describe('Accept-Language', () => {
  test('When an order is refused in Indonesian, then the message and rules are Indonesian and the field names and code are the API s', async () => {
    const en = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 5_000, extra: true });
    const id = await http().post('/v1/orders').set(bearer(account.ownerToken)).set('Accept-Language', 'id-ID,id;q=0.9,en;q=0.5').send({ wallet: 'credit', amount: 5_000, extra: true });
    expect(en.body.error.fields).toEqual([{ path: 'extra', rule: 'is not a known field' }]);
    expect(id.status).toBe(400);
    expect(id.headers.vary).toMatch(/Accept-Language/);
    expect(id.body.error).toEqual({ code: 'invalid_input', message: 'extra: bukan field yang dikenal', fields: [{ path: 'extra', rule: 'bukan field yang dikenal' }] });

    const rule = await http().post('/v1/orders').set(bearer(account.ownerToken)).set('Accept-Language', 'id').send({ wallet: 'credit', amount: 5_000 });
    expect(rule.body.error.fields).toEqual([{ path: 'amount', rule: 'harus paling sedikit IDR 10,000 untuk dompet credit' }]);
    // zod's own message for a wrong type.
    const type = await http().post('/v1/orders').set(bearer(account.ownerToken)).set('Accept-Language', 'id').send({ wallet: 'credit', amount: '5000' });
    expect(type.body.error.fields).toEqual([{ path: 'amount', rule: 'Masukan tidak valid: seharusnya angka, diterima teks' }]);
    // English stays English, whatever else is asked for.
    const fr = await http().post('/v1/orders').set(bearer(account.ownerToken)).set('Accept-Language', 'fr').send({ wallet: 'credit', amount: 5_000 });
    expect(fr.body.error.fields).toEqual([{ path: 'amount', rule: 'must be at least IDR 10,000 for the credit wallet' }]);
  });

  test('When a workflow refuses a message or an order is not found, then the Indonesian names the status in Indonesian', async () => {
    const created = await http().post('/v1/orders').set(bearer(account.ownerToken)).send({ wallet: 'credit', amount: 100_000 });
    const n = String(created.body.orderNumber);
    const approve = await http().post(`/v1/orders/${n}/approve`).set(bearer(finance.token)).set('Accept-Language', 'id').send({});
    expect(approve.status).toBe(409);
    expect(approve.body.error).toMatchObject({ code: 'invalid_transition', message: 'hanya pesanan Sedang diperiksa yang dapat disetujui; pesanan ini berstatus Belum dibayar' });
    const missing = await http().get('/v1/orders/1999999999999').set(bearer(account.ownerToken)).set('Accept-Language', 'id');
    expect(missing.body.error).toMatchObject({ code: 'not_found', message: 'pesanan 1999999999999 tidak ditemukan' });
    const noKey = await http().get('/v1/orders').set('Accept-Language', 'id');
    expect(noKey.body.error).toMatchObject({ code: 'unauthenticated', message: 'token bearer diperlukan' });
    const batch = await http().post('/v1/usage/batch').set(bearer((await createStaffUser(api.t.db.pool, 'service')).token)).set('Accept-Language', 'id').send({ charges: [{ idempotencyKey: 'k1', accountId: account.accountId, wallet: 'whatsapp', amount: 1 }] });
    expect(batch.body.answers[0].error).toMatchObject({ code: 'insufficient_balance', message: `dompet whatsapp akun ${account.accountId} bersaldo 0, kurang dari tagihan 1, dan tidak boleh negatif` });
  });
});
