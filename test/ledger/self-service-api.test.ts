/**
 * The self-service money routes over HTTP, against the real API, Temporal (time-skipping), worker and PostgreSQL:
 * the wallet statement and its CSV, usage with a service and in batches (each charge its own answer, the ledger's
 * rules as strict as for one), the usage report against the previous period, gifts granted by finance that expire
 * by their workflow's timer, and the low-balance flag the console's banner shows.
 */
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { checkLedger, creditTopup, getBalances } from '../../db/ledger/ledger';
import { checkGiftLots } from '../../db/ledger/gift-lots-checker';
import { checkStatements } from '../../db/ledger/statement';
import { giftWorkflowId } from '../../workflows/ledger/messages';
import { bearer, useTestApi } from '../helpers/api';
import { createPicUser, createStaffUser, createTestAccount, type TestAccount, type TestUser } from '../helpers/fixtures';

const api = useTestApi(
  {},
  {
    beforeClose: async (started) => {
      const pool = started.t.db.pool;
      expect([...(await checkLedger(pool)), ...(await checkStatements(pool)), ...(await checkGiftLots(pool))]).toEqual([]);
    },
  },
);
let service: TestUser;
let finance: TestUser;
let ops: TestUser;
let nextOrder = 1_261_201_300_000;

beforeAll(async () => {
  [service, finance, ops] = await Promise.all([createStaffUser(api.t.db.pool, 'service'), createStaffUser(api.t.db.pool, 'finance'), createStaffUser(api.t.db.pool, 'ops')]);
});

const http = () => request(api.app);
const today = () => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Jakarta' }).format(new Date());
const topUp = (accountId: string, wallet: 'credit' | 'whatsapp', amount: number) => creditTopup(api.t.db.pool, { orderNumber: String((nextOrder += 1)), accountId, wallet, amount });
const charge = (accountId: string, key: string, body: Record<string, unknown>) =>
  http().post('/v1/usage').set(bearer(service.token)).set('Idempotency-Key', key).send({ accountId, ...body });

async function wallet(account: TestAccount, name: string) {
  const res = await http().get('/v1/balance').set(bearer(account.ownerToken));
  return (res.body.wallets as { wallet: string; current: number; gift: number; recharge: number; unbilled: number; lowBalance: unknown }[]).find((w) => w.wallet === name)!;
}

describe('statement', () => {
  test('When a wallet has had top-ups, usage and a gift, then its statement lists each with the running balance, filters by kind, and the CSV has the same lines', async () => {
    const account = await createTestAccount(api.t.db.pool);
    await charge(account.accountId, `${account.accountId}-owed`, { wallet: 'credit', amount: 5_000, memo: 'before the top-up' });
    await topUp(account.accountId, 'credit', 1_000_000);
    for (let i = 0; i < 25; i++) expect((await charge(account.accountId, `${account.accountId}-${i}`, { wallet: 'credit', amount: 1_000, service: 'ocr' })).status).toBe(201);
    const gift = await http()
      .post('/v1/gifts')
      .set(bearer(finance.token))
      .set('Idempotency-Key', `${account.accountId}-gift`)
      .send({ accountId: account.accountId, wallet: 'credit', amount: 20_000, reason: 'Launch promotion' });
    expect(gift.status).toBe(201);

    const first = await http().get('/v1/wallets/credit/statement?pageSize=10').set(bearer(account.ownerToken));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ total: 28, openingBalance: 0, closingBalance: 990_000, page: 1, pageSize: 10 });
    expect(first.body.lines.slice(0, 3)).toEqual([
      expect.objectContaining({ kind: 'usage', change: -5_000, balanceAfter: -5_000, memo: 'before the top-up' }),
      expect.objectContaining({ kind: 'topup', change: 1_000_000, settled: 5_000, balanceAfter: 995_000, orderNumber: expect.stringMatching(/^\d{13}$/) }),
      expect.objectContaining({ kind: 'usage', change: -1_000, balanceAfter: 994_000, service: 'ocr' }),
    ]);
    const last = await http().get('/v1/wallets/credit/statement?page=3&pageSize=10').set(bearer(account.ownerToken));
    expect(last.body.lines.at(-1)).toMatchObject({ kind: 'gift', change: 20_000, balanceAfter: 990_000, memo: 'Launch promotion' });

    const gifts = await http().get(`/v1/wallets/credit/statement?kind=gift,topup&from=${today()}&to=${today()}`).set(bearer(account.ownerToken));
    expect(gifts.body.lines.map((l: { kind: string }) => l.kind)).toEqual(['topup', 'gift']);

    // Finance reads any account's, naming it; a customer naming another account's gets 404.
    expect((await http().get(`/v1/wallets/credit/statement?accountId=${account.accountId}`).set(bearer(ops.token))).body.total).toBe(28);
    expect((await http().get('/v1/wallets/credit/statement').set(bearer(ops.token))).status).toBe(400);
    const stranger = await createTestAccount(api.t.db.pool);
    expect((await http().get(`/v1/wallets/credit/statement?accountId=${account.accountId}`).set(bearer(stranger.ownerToken))).status).toBe(404);

    const csv = await http().get('/v1/wallets/credit/statement.csv').set(bearer(account.ownerToken)).buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
    });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(`attachment; filename="statement-${account.accountId}-credit.csv"`);
    const rows = parse(csv.body as string, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(28);
    expect(rows[1]).toMatchObject({ kind: 'topup', change: '1000000', settled: '5000', balance_after: '995000' });
    expect(rows.at(-1)).toMatchObject({ kind: 'gift', balance_after: '990000', memo: 'Launch promotion' });
    // The statement sums to the balance.
    expect(rows.reduce((sum, r) => sum + Number(r.change), 0)).toBe((await wallet(account, 'credit')).current);
  });

  test('When a statement is asked with a bad filter, then 400 names the field and the rule', async () => {
    const account = await createTestAccount(api.t.db.pool);
    const bad = await http().get('/v1/wallets/points/statement?kind=refund&from=2026-13-01').set(bearer(account.ownerToken));
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields).toEqual([{ path: 'wallet', rule: 'must be one of credit, whatsapp, muv, deposit' }]);
    const filters = await http().get('/v1/wallets/credit/statement?kind=refund&from=2026-13-01').set(bearer(account.ownerToken));
    expect(filters.body.error.fields).toEqual([
      { path: 'from', rule: 'must be an ISO date (YYYY-MM-DD)' },
      { path: 'kind', rule: 'must be one or more of topup, usage, invoice_payment, gift, gift_expiry, separated by commas' },
    ]);
    const range = await http().get('/v1/wallets/credit/statement?from=2026-12-02&to=2026-12-01').set(bearer(account.ownerToken));
    expect(range.body.error.fields).toEqual([{ path: 'to', rule: 'must not be before from' }]);
  });
});

describe('usage', () => {
  test('When a batch mixes good charges with bad ones, then each gets its own answer, only the good ones are charged, and the rules are those of one charge', async () => {
    const account = await createTestAccount(api.t.db.pool);
    await topUp(account.accountId, 'whatsapp', 10_000);
    // A charge sent alone first: the batch repeats it under the same key, which answers it again and charges once.
    const alone = await charge(account.accountId, `${account.accountId}-alone`, { wallet: 'whatsapp', amount: 1_000 });
    expect(alone.status).toBe(201);

    const charges = [
      { idempotencyKey: `${account.accountId}-a`, accountId: account.accountId, wallet: 'whatsapp', amount: 2_000, service: 'broadcast' },
      { idempotencyKey: `${account.accountId}-b`, accountId: account.accountId, wallet: 'whatsapp', amount: 1.5 },
      { idempotencyKey: `${account.accountId}-c`, accountId: account.accountId, wallet: 'whatsapp', amount: 50_000 },
      { idempotencyKey: `${account.accountId}-a`, accountId: account.accountId, wallet: 'whatsapp', amount: 2_000 },
      { idempotencyKey: `${account.accountId}-alone`, accountId: account.accountId, wallet: 'whatsapp', amount: 1_000 },
      { idempotencyKey: `${account.accountId}-d`, accountId: 'acc_nobody', wallet: 'credit', amount: 10 },
      { idempotencyKey: `${account.accountId}-e`, accountId: account.accountId, wallet: 'credit', amount: 7_000, service: 'ocr' },
      'not a charge',
    ];
    const res = await http().post('/v1/usage/batch').set(bearer(service.token)).send({ charges });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ charged: 3, refused: 5 });
    const answers = res.body.answers as { index: number; status: number; idempotencyKey: string | null; result?: { fromRecharge: number; balanceAfter: { current: number } }; error?: { code: string; fields: unknown[] } }[];
    expect(answers.map((a) => [a.index, a.status])).toEqual([
      [0, 201],
      [1, 400],
      [2, 409],
      [3, 422],
      [4, 201],
      [5, 404],
      [6, 201],
      [7, 400],
    ]);
    expect(answers[0]!.result).toMatchObject({ fromRecharge: 2_000, balanceAfter: { current: 7_000 } });
    expect(answers[1]!.error).toMatchObject({ code: 'invalid_input', fields: [{ path: 'amount', rule: 'must be a whole number' }] });
    expect(answers[2]!.error).toMatchObject({ code: 'insufficient_balance' });
    expect(answers[3]!.error).toMatchObject({ code: 'idempotency_key_reused', fields: [{ path: 'idempotencyKey', rule: 'is used by another charge of this batch' }] });
    expect(answers[4]).toMatchObject({ result: alone.body });
    expect(answers[6]!.result).toMatchObject({ toUnbilled: 7_000, balanceAfter: { current: -7_000 } });
    expect(answers[7]).toMatchObject({ idempotencyKey: null, error: { code: 'invalid_input' } });

    // The same batch again charges nothing more: every key answers what it recorded.
    const again = await http().post('/v1/usage/batch').set(bearer(service.token)).send({ charges });
    expect(again.body.answers.map((a: { status: number }) => a.status)).toEqual([201, 400, 409, 422, 201, 404, 201, 400]);
    expect(await wallet(account, 'whatsapp')).toMatchObject({ current: 7_000 });
    expect(await wallet(account, 'credit')).toMatchObject({ current: -7_000, unbilled: 7_000 });

    const tooMany = await http()
      .post('/v1/usage/batch')
      .set(bearer(service.token))
      .send({ charges: Array.from({ length: 1_001 }, (_, i) => ({ idempotencyKey: `x${i}`, accountId: account.accountId, wallet: 'credit', amount: 1 })) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.fields).toEqual([{ path: 'charges', rule: 'at most 1000 charges' }]);
    expect((await http().post('/v1/usage/batch').set(bearer(account.ownerToken)).send({ charges: [] })).status).toBe(403);
  });

  test('When a batch of 1,000 charges runs on one wallet, then every one is charged once and the wallet equals its statement', async () => {
    const account = await createTestAccount(api.t.db.pool);
    await topUp(account.accountId, 'credit', 500_000);
    const charges = Array.from({ length: 1_000 }, (_, i) => ({ idempotencyKey: `${account.accountId}-bulk-${i}`, accountId: account.accountId, wallet: 'credit', amount: 1_000, service: i % 3 ? 'ocr' : 'liveness' }));
    const res = await http().post('/v1/usage/batch').set(bearer(service.token)).send({ charges });
    expect(res.body).toMatchObject({ charged: 1_000, refused: 0 });
    expect(await wallet(account, 'credit')).toMatchObject({ recharge: 0, unbilled: 500_000, current: -500_000 });
    const statement = await http().get('/v1/wallets/credit/statement?pageSize=1').set(bearer(account.ownerToken));
    expect(statement.body).toMatchObject({ total: 1_001, closingBalance: -500_000 });
  });

  test('When usage spans two periods, then the report gives each wallet per day, the change against the period before, the breakdown by service and the details as CSV', async () => {
    const account = await createTestAccount(api.t.db.pool);
    await topUp(account.accountId, 'credit', 1_000_000);
    const post = async (key: string, amount: number, service: string | null, daysAgo: number) => {
      const res = await charge(account.accountId, `${account.accountId}-${key}`, { wallet: 'credit', amount, ...(service ? { service } : { memo: 'batch query' }) });
      await api.t.db.pool.query(`UPDATE journal_entries SET created_at = created_at - make_interval(days => $2) WHERE id = $1`, [res.body.entryId, daysAgo]);
    };
    // This week (the default period, the last 7 days): 3,000 of ocr, 1,000 of liveness, 500 with a memo only.
    await post('t1', 2_000, 'ocr', 0);
    await post('t2', 1_000, 'ocr', 2);
    await post('t3', 1_000, 'liveness', 2);
    await post('t4', 500, null, 6);
    // The week before: 2,000.
    await post('p1', 2_000, 'ocr', 8);

    const res = await http().get('/v1/usage/report').set(bearer(account.ownerToken));
    expect(res.status).toBe(200);
    const report = res.body;
    expect(report.to).toBe(today());
    expect(report.wallets).toEqual([{ wallet: 'credit', amount: 4_500, charges: 4, previousAmount: 2_000, previousCharges: 1, changePercent: 125 }]);
    expect(report.days).toHaveLength(7);
    expect(report.days.map((d: { amount: number }) => d.amount)).toEqual([500, 0, 0, 0, 2_000, 0, 2_000]);
    expect(report.services).toEqual([
      { wallet: 'credit', service: 'ocr', amount: 3_000, charges: 2 },
      { wallet: 'credit', service: 'liveness', amount: 1_000, charges: 1 },
      { wallet: 'credit', service: 'batch query', amount: 500, charges: 1 },
    ]);

    const previous = await http().get(`/v1/usage/report?from=${report.previousFrom}&to=${report.previousTo}`).set(bearer(account.ownerToken));
    expect(previous.body.wallets).toEqual([{ wallet: 'credit', amount: 2_000, charges: 1, previousAmount: 0, previousCharges: 0, changePercent: null }]);

    const csv = await http().get('/v1/usage/report.csv').set(bearer(account.ownerToken)).buffer(true).parse((r, done) => {
      let text = '';
      r.on('data', (c: Buffer) => (text += c.toString('utf8')));
      r.on('end', () => done(null, text));
    });
    const rows = parse(csv.body as string, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r.service, r.memo, r.amount])).toEqual([
      ['ocr', '', '2000'],
      ['ocr', '', '1000'],
      ['liveness', '', '1000'],
      ['', 'batch query', '500'],
    ]);
    // A PIC of the account reads it; finance names the account; a period longer than a year is refused.
    const pic = await createPicUser(api.t.db.pool, account);
    expect((await http().get('/v1/usage/report').set(bearer(pic.token))).body.wallets[0].amount).toBe(4_500);
    expect((await http().get(`/v1/usage/report?accountId=${account.accountId}`).set(bearer(finance.token))).status).toBe(200);
    const long = await http().get('/v1/usage/report?from=2025-01-01&to=2026-06-01').set(bearer(account.ownerToken));
    expect(long.body.error.fields).toEqual([{ path: 'to', rule: 'must be at most 366 days after from' }]);
  });

  test('When usage takes a wallet below 40 % of its last top-up, then the balance flags it low with the threshold, and a top-up clears it', async () => {
    const account = await createTestAccount(api.t.db.pool);
    await topUp(account.accountId, 'credit', 100_000);
    await charge(account.accountId, `${account.accountId}-1`, { wallet: 'credit', amount: 60_000 });
    expect((await wallet(account, 'credit')).lowBalance).toBeNull();
    await charge(account.accountId, `${account.accountId}-2`, { wallet: 'credit', amount: 1 });
    expect((await wallet(account, 'credit')).lowBalance).toEqual({ reference: 100_000, threshold: 40_000 });
    await topUp(account.accountId, 'credit', 50_000);
    expect((await wallet(account, 'credit')).lowBalance).toBeNull();
  });
});

describe('gifts', () => {
  test('When finance grants a gift that expires in 30 days, then usage spends it before recharge, and at the expiry its remainder leaves the balance as its own movement, once', async () => {
    const account = await createTestAccount(api.t.db.pool);
    await topUp(account.accountId, 'credit', 100_000);
    const expiresAt = new Date((await api.env.currentTimeMs()) + 30 * 86_400_000).toISOString();
    const key = `${account.accountId}-welcome`;
    const grant = () =>
      http().post('/v1/gifts').set(bearer(finance.token)).set('Idempotency-Key', key).send({ accountId: account.accountId, wallet: 'credit', amount: 25_000, reason: 'Welcome credit', expiresAt });
    const granted = await grant();
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ amount: 25_000, remaining: 25_000, reason: 'Welcome credit', grantedBy: finance.username, expiresAt, status: 'active', companyName: account.companyName });
    // A retry is the same gift.
    expect((await grant()).body).toEqual(granted.body);
    expect(await wallet(account, 'credit')).toMatchObject({ recharge: 100_000, gift: 25_000, current: 125_000 });

    const spent = await charge(account.accountId, `${account.accountId}-u1`, { wallet: 'credit', amount: 10_000 });
    expect(spent.body).toMatchObject({ fromGift: 10_000, fromRecharge: 0 });

    // The gift's timer: 30 days of workflow time, skipped. A minute before, it is still there.
    await api.env.sleep(30 * 86_400_000 - 60_000);
    expect(await wallet(account, 'credit')).toMatchObject({ gift: 15_000, current: 115_000 });
    const outcome = await api.env.client.workflow.getHandle(giftWorkflowId({ key: `gift:${key}` })).result();
    expect(outcome).toEqual({ giftEntryId: granted.body.giftEntryId, expired: 15_000 });
    expect(await wallet(account, 'credit')).toMatchObject({ recharge: 100_000, gift: 0, current: 100_000 });
    const lines = (await http().get('/v1/wallets/credit/statement').set(bearer(account.ownerToken))).body.lines;
    expect(lines.map((l: { kind: string; change: number }) => [l.kind, l.change])).toEqual([
      ['topup', 100_000],
      ['gift', 25_000],
      ['usage', -10_000],
      ['gift_expiry', -15_000],
    ]);
    const gifts = await http().get('/v1/gifts').set(bearer(account.ownerToken));
    expect(gifts.body.items).toEqual([expect.objectContaining({ giftEntryId: granted.body.giftEntryId, remaining: 0, expiredAmount: 15_000, status: 'expired' })]);
    const log = await http().get(`/v1/operation-log?action=gift`).set(bearer(account.ownerToken));
    expect(log.body.items.map((i: { action: string; actor: { username: string } | null }) => [i.action, i.actor?.username ?? null])).toEqual([
      ['gift.expire', null],
      ['gift.grant', finance.username],
    ]);
    // A gift is never money received: no cash posting, and the expense came back.
    const cash = await api.t.db.pool.query(
      `SELECT p.ledger_account, sum(p.amount)::bigint AS total FROM postings p JOIN journal_entries e ON e.id = p.entry_id
        WHERE e.account_id = $1 AND e.kind IN ('gift', 'gift_expiry') GROUP BY 1 ORDER BY 1`,
      [account.accountId],
    );
    expect(cash.rows).toEqual([
      { ledger_account: 'expense:gift', total: -10_000 },
      { ledger_account: 'wallet:gift', total: 10_000 },
    ]);
  });

  test('When a gift is granted with a bad body, by a customer, or to nobody, then it is refused naming why and nothing moves', async () => {
    const account = await createTestAccount(api.t.db.pool);
    const send = (token: string, body: Record<string, unknown>, key = `${account.accountId}-${Math.random()}`) =>
      http().post('/v1/gifts').set(bearer(token)).set('Idempotency-Key', key).send({ accountId: account.accountId, wallet: 'credit', amount: 1_000, reason: 'r', ...body });
    expect((await send(account.ownerToken, {})).status).toBe(403);
    expect((await send(ops.token, {})).status).toBe(403);
    const past = await send(finance.token, { expiresAt: '2020-01-01T00:00:00Z' });
    expect(past.body.error.fields).toEqual([{ path: 'expiresAt', rule: 'must be in the future, at most 3650 days away' }]);
    const bad = await send(finance.token, { amount: -5, reason: '  ', wallet: 'points' });
    expect(bad.body.error.fields).toEqual([
      { path: 'wallet', rule: 'must be one of credit, whatsapp, muv, deposit' },
      { path: 'amount', rule: 'must be greater than 0' },
      { path: 'reason', rule: 'is required' },
    ]);
    expect((await send(finance.token, { accountId: 'acc_nobody' })).status).toBe(404);
    expect((await http().post('/v1/gifts').set(bearer(finance.token)).send({ accountId: account.accountId, wallet: 'credit', amount: 1, reason: 'r' })).status).toBe(400);
    expect((await getBalances(api.t.db.pool, account.accountId)).every((w) => w.current === 0)).toBe(true);
  });
});
