/**
 * The slip upload limit holds per customer account as well as per user (issue 15, item 7): an owner who creates
 * PICs does not get a new budget with each. Uploads are counted before their body is read, whatever they turn
 * out to be, so a refused one stores nothing.
 */
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { bearer, useTestApi } from '../helpers/api';
import { appVariant } from '../helpers/app-variant';
import { createTestAccount, openTestSession, type TestAccount } from '../helpers/fixtures';

const api = useTestApi();

// A 1×1 PNG.
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' + '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');

test('When an owner and the PICs it created upload slips, then past the account limit every one of them gets 429 and nothing more is stored, while another account goes on', async () => {
  const limited = appVariant(api, { uploadRateLimit: { limit: 2, windowMs: 60_000 }, accountUploadRateLimit: { limit: 3, windowMs: 60_000 } });
  const http = () => request(limited);
  const account = await createTestAccount(api.t.db.pool);
  // The owner makes two PICs through the API, each with an API key, as a customer would to get more uploads.
  const owner = await openTestSession(api.t.db.pool, account.ownerId);
  const pics: string[] = [];
  for (let i = 0; i < 2; i += 1) {
    const created = await http().post('/v1/users').set(owner.headers).send({ username: `pic-${randomBytes(4).toString('hex')}`, email: `pic${i}@customer.example` });
    expect(created.status).toBe(201);
    const key = await http().post('/v1/api-keys').set(owner.headers).send({ name: `pic ${i}`, scopes: ['read', 'write'], userId: created.body.id });
    expect(key.status).toBe(201);
    pics.push(String(key.body.secret));
  }
  const order = async (a: TestAccount) => String((await http().post('/v1/orders').set(bearer(a.ownerToken)).send({ wallet: 'credit', amount: 100_000 })).body.orderNumber);
  const upload = (token: string, orderNumber: string) => http().post(`/v1/orders/${orderNumber}/slip`).set(bearer(token)).attach('slip', PNG, { filename: 'slip.png', contentType: 'image/png' });
  const slipsOf = async (orderNumber: string) => (await api.t.db.pool.query('SELECT 1 FROM slips WHERE order_number = $1', [orderNumber])).rowCount;

  // Three uploads of the account: two by the owner, one by the first PIC; none refused by a limit.
  const answered = [await upload(account.ownerToken, await order(account)), await upload(account.ownerToken, await order(account)), await upload(pics[0]!, await order(account))];
  expect(answered.map((r) => r.status)).not.toContain(429);

  // The account has used its 3: the first PIC (1 of its own 2) and the second (none yet) are refused alike.
  for (const token of pics) {
    const orderNumber = await order(account);
    const refused = await upload(token, orderNumber);
    expect({ status: refused.status, code: refused.body.error?.code, message: refused.body.error?.message }).toEqual({
      status: 429,
      code: 'too_many_requests',
      message: expect.stringMatching(/^at most 3 slip uploads by this account's users per 60 s; retry after \d+ s$/),
    });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(await slipsOf(orderNumber)).toBe(0);
  }

  // Another account has its own budget.
  const other = await createTestAccount(api.t.db.pool);
  expect((await upload(other.ownerToken, await order(other))).status).not.toBe(429);
});
