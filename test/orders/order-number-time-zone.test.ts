/**
 * An order number carries the day of the order in its account's own time zone (issue 21, "wrong today"), not
 * Jakarta's for everyone: at 03:00 UTC on 1 December it is already the 1st in Jakarta but still 30 November in Los
 * Angeles. Through the API (a fixed clock), with the real workflows (time-skipping) and PostgreSQL.
 */
import request from 'supertest';
import { bearer, useTestApi } from '../helpers/api';
import { appVariant } from '../helpers/app-variant';
import { createTestAccount } from '../helpers/fixtures';

const api = useTestApi();


test("When accounts in Jakarta and Los Angeles order at the same instant, then each order number carries the account's own date, and both are unique", async () => {
  const [jakarta, losAngeles] = await Promise.all([createTestAccount(api.t.db.pool), createTestAccount(api.t.db.pool)]);
  await api.t.db.pool.query(`UPDATE accounts SET time_zone = 'America/Los_Angeles' WHERE id = $1`, [losAngeles.accountId]);
  const app = request(appVariant(api, { now: () => new Date('2027-03-01T03:00:00Z') }));
  const numbers: Record<string, string[]> = { jakarta: [], losAngeles: [] };
  for (const [name, account] of [
    ['jakarta', jakarta],
    ['losAngeles', losAngeles],
  ] as const) {
    for (const body of [{ wallet: 'credit', amount: 100_000 }]) {
      const bank = await app.post('/v1/orders').set(bearer(account.ownerToken)).send(body);
      const online = await app.post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [body] });
      expect([bank.status, online.status]).toEqual([201, 201]);
      numbers[name]!.push(String(bank.body.orderNumber), String(online.body.orderNumber));
    }
  }
  for (const n of numbers.jakarta!) expect(n).toMatch(/^1270301\d{6}$/);
  for (const n of numbers.losAngeles!) expect(n).toMatch(/^1270228\d{6}$/);
  expect(new Set([...numbers.jakarta!, ...numbers.losAngeles!]).size).toBe(4);
});
