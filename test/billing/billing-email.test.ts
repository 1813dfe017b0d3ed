/**
 * An account's billing email (issue 17): the unpaid renewal invoice goes there; without one, to the owner. The real
 * billing activity, a real PostgreSQL and the SMTP sink.
 */
import { simpleParser } from 'mailparser';
import { createEmailActivities } from '../../activities/shared/mailer';
import { createBillingActivities } from '../../activities/billing/billing-activities';
import { issueRenewalInvoice } from '../../db/billing/invoices';
import { insertSubscription } from '../../db/billing/subscriptions';
import { createTestActivityDeps, TEST_PROVIDER, type TestActivityDeps } from '../helpers/activity-deps';
import { eventually } from '../helpers/eventually';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';

let t: TestActivityDeps;

beforeAll(async () => {
  t = await createTestActivityDeps();
});

afterAll(async () => {
  await t?.close();
});

async function unpaidInvoiceEmailOf(account: TestAccount): Promise<string[]> {
  const subscriptionId = `sub_${account.accountId.slice(4)}`;
  await insertSubscription(t.db.pool, { id: subscriptionId, accountId: account.accountId, product: 'Cloud VPS S', price: 150_000, cycleMonths: 1, startDate: '2026-01-31', createdBy: account.ownerId });
  const invoice = await issueRenewalInvoice(t.db.pool, { subscriptionId, periodIndex: 1, periodStart: '2026-02-28', periodEnd: '2026-03-31', issuedAt: '2026-03-24T00:00:00Z', dueAt: '2026-03-31T00:00:00Z' });
  const { sendEmail } = createEmailActivities({ pool: t.db.pool, mailer: t.mailer });
  await createBillingActivities({ pool: t.db.pool, provider: TEST_PROVIDER, policy: t.deps.policy, sendEmail }).sendUnpaidInvoiceEmail(invoice!.id);
  const mails = await eventually(
    () => Promise.all(t.sink.messages.map((m) => simpleParser(m.raw))),
    (all) => all.some((m) => m.subject?.includes(invoice!.id)),
  );
  return mails.filter((m) => m.subject?.includes(invoice!.id)).map((m) => [m.to].flat().map((a) => a?.text ?? '').join());
}

test("When an account has a billing email, then its unpaid invoice goes there; without one, to the owner", async () => {
  const [withBilling, without] = await Promise.all([createTestAccount(t.db.pool), createTestAccount(t.db.pool)]);
  await t.db.pool.query(`UPDATE accounts SET billing_email = 'ap@customer.example' WHERE id = $1`, [withBilling.accountId]);
  expect(await unpaidInvoiceEmailOf(withBilling)).toEqual(['ap@customer.example']);
  expect(await unpaidInvoiceEmailOf(without)).toEqual([without.ownerEmail]);
});
