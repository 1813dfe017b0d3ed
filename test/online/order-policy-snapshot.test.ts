/**
 * Everything about an order comes from the policy it was created under (issue 21, "wrong today"): after a deployment
 * changes the policy (a higher credit minimum, a 5 % card fee), an online order created before keeps its own rules in
 * the API's early checks and in the payment options shown to the customer, and the invoice bills what was shown; a
 * new order gets the new policy. The API in-process against the real workflows (time-skipping), worker and PostgreSQL.
 */
import request from 'supertest';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';
import { bearer, useTestApi } from '../helpers/api';
import { appVariant } from '../helpers/app-variant';
import { createTestAccount } from '../helpers/fixtures';

const api = useTestApi();


test('When the policy changes after an online order was created, then editing it is checked by its own rules, its payment options show its own card fee, and its invoice bills that fee; a new order follows the new policy', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const before = request(api.app);
  const created = await before.post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 150_000 }] });
  expect(created.status).toBe(201);
  expect(created.body.paymentOptions.credit_card).toEqual({ fee: 5_250, total: 155_250 });
  const n = String(created.body.orderNumber);

  // The deployment now runs a new policy: credit top-ups from 200,000, a 5 % card fee.
  const after = request(appVariant(api, { policy: { ...DEFAULT_POLICY, creditMinAmount: 200_000, creditCardFeeBasisPoints: 500 } }));
  const edited = await after.patch(`/v1/online-orders/${n}`).set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 160_000 }] });
  expect(edited.status).toBe(200);
  expect(edited.body.subtotal).toBe(160_000);
  expect(edited.body.paymentOptions.credit_card).toEqual({ fee: 5_600, total: 165_600 });
  const options = await after.get(`/v1/online-orders/${n}/payment-options`).set(bearer(account.ownerToken));
  expect(options.body).toEqual({
    orderNumber: n,
    paymentOptions: { virtual_account: { fee: 0, total: 160_000 }, credit_card: { fee: 5_600, total: 165_600 }, ewallet: { fee: 0, total: 160_000 } },
  });
  const confirmed = await after.post(`/v1/online-orders/${n}/confirm`).set(bearer(account.ownerToken)).send({ paymentMethod: 'credit_card' });
  expect(confirmed.status).toBe(200);
  expect(confirmed.body.invoice).toMatchObject({ fee: 5_600, total: 165_600, cardFeeBasisPoints: 350 });

  // A new order is created under the new policy.
  const refused = await after.post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 150_000 }] });
  expect(refused.status).toBe(400);
  expect(refused.body.error.fields).toEqual([{ path: 'lines.0.amount', rule: 'must be at least IDR 200,000 for the credit wallet' }]);
  const fresh = await after.post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 200_000 }] });
  expect(fresh.body.paymentOptions.credit_card).toEqual({ fee: 10_000, total: 210_000 });
});
