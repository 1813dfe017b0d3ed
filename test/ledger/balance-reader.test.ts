/**
 * Balance reads grouped per turn of the event loop (api/ledger/balance-reader.ts): many reads at once are one query,
 * and each caller still gets its own account's balances (never another's), an unknown account null, and a movement
 * committed before the read.
 */
import { balanceReader } from '../../api/ledger/balance-reader';
import { applyMovement, creditTopup, grantGift } from '../../db/ledger/ledger';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestAccount } from '../helpers/fixtures';
import { countingQueries } from '../helpers/query-count';

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});

afterAll(async () => {
  await db.drop();
});

test('When 30 accounts\' balances are read at once, then one query answers all and each gets its own', async () => {
  const accounts = await Promise.all(Array.from({ length: 30 }, () => createTestAccount(db.pool)));
  await Promise.all(accounts.map((a, i) => grantGift(db.pool, { accountId: a.accountId, wallet: 'credit', amount: 1_000 * (i + 1), idempotencyKey: `gift-${a.accountId}` })));
  const read = balanceReader(db.pool);
  const { result: answers, queries } = await countingQueries(db.pool, () => Promise.all([...accounts.map((a) => read(a.accountId)), read('acc_nobody')]));
  expect(queries).toBe(1);
  accounts.forEach((a, i) => {
    const credit = answers[i]!.wallets.find((w) => w.wallet === 'credit')!;
    expect({ accountId: credit.accountId, gift: credit.gift }).toEqual({ accountId: a.accountId, gift: 1_000 * (i + 1) });
    expect(answers[i]!.wallets.map((w) => w.wallet)).toEqual(['credit', 'whatsapp', 'muv', 'deposit']);
  });
  expect(answers[30]).toBeNull();
});

test('When a movement is committed and the balance read after, then the read shows it (nothing is cached)', async () => {
  const { accountId } = await createTestAccount(db.pool);
  const read = balanceReader(db.pool);
  expect((await read(accountId))!.wallets[0]!.current).toBe(0);
  await applyMovement(db.pool, { kind: 'usage', accountId, wallet: 'credit', amount: 700, idempotencyKey: `u-${accountId}`, allowNegative: true });
  expect((await read(accountId))!.wallets[0]!.current).toBe(-700);
});

test('When a wallet had a paid top-up, then the same read carries its low-balance reference (the last top-up); others have none', async () => {
  const { accountId } = await createTestAccount(db.pool);
  await creditTopup(db.pool, { orderNumber: '2026120100001', accountId, wallet: 'credit', amount: 100_000 });
  await creditTopup(db.pool, { orderNumber: '2026120100002', accountId, wallet: 'credit', amount: 250_000 });
  await grantGift(db.pool, { accountId, wallet: 'whatsapp', amount: 5_000, idempotencyKey: `gift-wa-${accountId}` });
  const read = balanceReader(db.pool);
  const { result, queries } = await countingQueries(db.pool, () => read(accountId));
  expect(result!.references).toEqual({ credit: 250_000 });
  expect(queries).toBe(1);
});
