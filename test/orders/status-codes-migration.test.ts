/**
 * Migration 014 (issue 16): orders stored with the display labels of before ("Payment Failure", "Awaiting payment")
 * read back as machine codes, in the row, in its JSON view, in the operation log and in a stored creation answer.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate } from '../../db/migrate';
import { projectRoot } from '../../config/paths';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createTestAccount } from '../helpers/fixtures';

let db: TestDatabase;
const MIGRATIONS = path.join(projectRoot(), 'db', 'migrations');

beforeAll(async () => {
  db = await createTestDatabase({ empty: true });
});
afterAll(async () => {
  await db.drop();
});

test('When orders were stored with status labels, then after the migration every status, view and log entry holds its code', async () => {
  // The schema as it was before: migrations 001 to 013.
  const before = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-before-'));
  for (const file of fs.readdirSync(MIGRATIONS).filter((f) => f < '014')) fs.copyFileSync(path.join(MIGRATIONS, file), path.join(before, file));
  await migrate(db.pool, before);

  const account = await createTestAccount(db.pool, { apiKey: false });
  const labels = ['Unpaid', 'Awaiting payment', 'Dealing', 'Paid', 'Payment Failure', 'Closed', 'Deleted', 'Paid late'];
  for (const [i, status] of labels.entries()) {
    const orderNumber = `12611240000${String(i).padStart(2, '0')}`;
    await db.pool.query(
      `INSERT INTO orders (order_number, kind, account_id, created_by, wallet, currency, amount, status, revision, view, created_at)
       VALUES ($1, 'bank_transfer', $2, $3, 'credit', 'IDR', 100000, $4, 1, $5, now())`,
      [orderNumber, account.accountId, account.ownerId, status, JSON.stringify({ orderNumber, status, amount: 100000 })],
    );
    await db.pool.query(`INSERT INTO operation_log (account_id, actor_id, action, order_number, details) VALUES ($1, $2, 'order.edit', $3, $4)`, [
      account.accountId,
      account.ownerId,
      orderNumber,
      JSON.stringify({ amount: 100000, status }),
    ]);
  }
  await db.pool.query(`INSERT INTO idempotency_keys (scope, user_id, key, request_hash, status, response_headers, response_body, completed_at) VALUES ('create-order', $1, 'k1', 'h', 201, '{}', $2, now())`, [
    account.ownerId,
    JSON.stringify({ orderNumber: '1261124000000', status: 'Unpaid' }),
  ]);

  expect(await migrate(db.pool)).toEqual(expect.arrayContaining(['014_status_codes.sql']));

  const codes = ['unpaid', 'awaiting_payment', 'dealing', 'paid', 'payment_failure', 'closed', 'deleted', 'paid_late'];
  const orders = await db.pool.query<{ status: string; view_status: string }>(`SELECT status, view->>'status' AS view_status FROM orders ORDER BY order_number`);
  expect(orders.rows).toEqual(codes.map((code) => ({ status: code, view_status: code })));
  const log = await db.pool.query<{ status: string }>(`SELECT details->>'status' AS status FROM operation_log ORDER BY order_number`);
  expect(log.rows.map((r) => r.status)).toEqual(codes);
  const stored = await db.pool.query<{ status: string }>(`SELECT response_body->>'status' AS status FROM idempotency_keys WHERE key = 'k1'`);
  expect(stored.rows[0]?.status).toBe('unpaid');
  // A label can no longer be stored.
  await expect(db.pool.query(`UPDATE orders SET status = 'Paid' WHERE order_number = '1261124000003'`)).rejects.toThrow(/orders_status_check/);
});
