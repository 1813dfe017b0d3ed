/**
 * The online self top-up (seed 001, DOMAIN.md "Online self top-up") through the API, with the real order
 * workflow in the time-skipping server, the real activities, PostgreSQL, the SMTP sink, and the sandbox payment
 * gateway calling the API back over HTTP with signed callbacks. The invoice expiry runs its real rule
 * (23:59:59 of the next day, Asia/Jakarta).
 */
import request, { type Response } from 'supertest';
import { simpleParser, type ParsedMail } from 'mailparser';
import { creditTopup, getBalances, recordUsage } from '../../db/ledger/ledger';
import { checkLedger } from '../../db/ledger/ledger-checker';
import { claimLowBalanceNotice } from '../../db/ledger/low-balance';
import { signCallbackPayload } from '../../scripts/sandbox-gateway';
import { lowBalanceWorkflowId, orderWorkflowId, type OnlineOrderView } from '../../workflows/definitions';
import { invoiceExpiresAt } from '../../workflows/online/invoice-expiry';
import { TEST_GATEWAY } from '../helpers/activity-deps';
import { bearer, useStaffUsers, useTestApi } from '../helpers/api';
import { createPicUser, createTestAccount, type TestAccount } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';
import { parsePdf } from '../helpers/pdf-text';
import { eventually } from '../helpers/eventually';

const api = useTestApi();
const { finance, service } = useStaffUsers(api, 'finance', 'service');
const HOUR = 3_600_000;
const WIB = 7 * HOUR;

const http = () => request(api.app);

async function createOnline(token: string, lines: { wallet: string; amount: number }[]): Promise<Response> {
  return http().post('/v1/online-orders').set(bearer(token)).send({ lines });
}

async function confirm(token: string, orderNumber: string, paymentMethod: string): Promise<OnlineOrderView> {
  const res = await http().post(`/v1/online-orders/${orderNumber}/confirm`).set(bearer(token)).send({ paymentMethod });
  expect(res.status).toBe(200);
  return res.body as OnlineOrderView;
}

async function order(token: string, orderNumber: string): Promise<OnlineOrderView> {
  return (await http().get(`/v1/orders/${orderNumber}`).set(bearer(token))).body as OnlineOrderView;
}

async function mailTo(to: string): Promise<ParsedMail[]> {
  return Promise.all(api.t.sink.messages.filter((m) => m.to.includes(to)).map((m) => simpleParser(m.raw)));
}

async function wallet(accountId: string, name: string) {
  return (await getBalances(api.t.db.pool, accountId)).find((b) => b.wallet === name)!;
}

/** Skips workflow time to the next moment the Jakarta wall clock reads `hh:mm` (at least `minDays` days ahead). */
async function skipToJakarta(hh: number, mm: number, minDays = 0): Promise<number> {
  const now = await api.env.currentTimeMs();
  const local = new Date(now + WIB);
  let target = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate() + minDays, hh, mm) - WIB;
  if (target <= now + 60_000) target += 24 * HOUR;
  await api.env.sleep(target - now);
  return target;
}

async function skipTo(instant: number): Promise<void> {
  const now = await api.env.currentTimeMs();
  if (instant > now) await api.env.sleep(instant - now);
}

/** The signed callback the gateway would send, posted to the API as raw bytes. */
function postCallback(event: object, opts: { secret?: string; timestamp?: number; tamper?: (raw: string) => string } = {}) {
  const raw = JSON.stringify(event);
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = signCallbackPayload(opts.secret ?? TEST_GATEWAY.callbackSecret, timestamp, raw);
  return http()
    .post('/v1/payments/callback')
    .set('Content-Type', 'application/json')
    .set('X-Sandbox-Timestamp', String(timestamp))
    .set('X-Sandbox-Signature', signature)
    .send(opts.tamper ? opts.tamper(raw) : raw);
}

test('When the DOMAIN.md numbers are entered, then 999,999 WhatsApp becomes 1,000,000, 2 packs of muv buy 1,000 visitors for 600,000, a fraction of a pack is refused, and a card bills 3.5 % more', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const raised = await createOnline(account.ownerToken, [
    { wallet: 'whatsapp', amount: 999_999 },
    { wallet: 'muv', amount: 2 },
  ]);
  expect(raised.status).toBe(201);
  expect(raised.body).toMatchObject({
    kind: 'online',
    status: 'unpaid',
    lines: [
      { wallet: 'whatsapp', requested: 999_999, credit: 1_000_000, price: 1_000_000, adjustment: 'raised to the minimum WhatsApp top-up of IDR 1,000,000' },
      { wallet: 'muv', requested: 2, credit: 1_000, price: 600_000, adjustment: null },
    ],
    subtotal: 1_600_000,
    paymentOptions: { virtual_account: { fee: 0, total: 1_600_000 }, credit_card: { fee: 56_000, total: 1_656_000 }, ewallet: { fee: 0, total: 1_600_000 } },
  });

  const refused = await createOnline(account.ownerToken, [{ wallet: 'muv', amount: 1.5 }]);
  expect(refused.status).toBe(400);
  expect(refused.body.error.fields).toEqual([{ path: 'lines.0.amount', rule: 'must be a whole number' }]);

  // "Continue to payment" is still editable: the summary follows the edit.
  const orderNumber = String(raised.body.orderNumber);
  const edited = await http().patch(`/v1/online-orders/${orderNumber}`).set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 1_000_000 }] });
  expect(edited.body).toMatchObject({ subtotal: 1_000_000, paymentOptions: { credit_card: { fee: 35_000, total: 1_035_000 } } });
});

test('When a PIC pays 1,000,000 by card with 5,000 outstanding, then 1,035,000 is billed, 5,000 settles, 995,000 is added, and only the PIC gets the emails and the invoice', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const pic = await createPicUser(api.t.db.pool, account);
  await recordUsage(api.t.db.pool, { accountId: account.accountId, wallet: 'credit', amount: 5_000, idempotencyKey: `usage:${account.accountId}:owed`, allowNegative: true });

  const created = await createOnline(pic.token, [{ wallet: 'credit', amount: 1_000_000 }]);
  const orderNumber = String(created.body.orderNumber);
  const awaiting = await confirm(pic.token, orderNumber, 'credit_card');
  expect(awaiting).toMatchObject({ status: 'awaiting_payment', invoice: { paymentMethod: 'credit_card', subtotal: 1_000_000, fee: 35_000, total: 1_035_000 } });
  expect(awaiting.invoice?.paymentUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/pay\/inv_/);
  const billing = await eventually(() => mailTo(pic.email), (m) => m.length === 1);
  expect(billing[0]?.text).toContain('IDR 1,035,000');

  const delivery = await api.t.gateway.pay(awaiting.invoice!.providerRef);
  expect(delivery.status).toBe(200);
  const paid = await eventually(() => order(pic.token, orderNumber), (o) => o.status === 'paid');
  expect(paid).toMatchObject({ status: 'paid', payment: { amount: 1_035_000, late: false }, settlement: [{ wallet: 'credit', settled: 5_000, added: 995_000, balanceAfter: 995_000 }] });
  expect(await wallet(account.accountId, 'credit')).toMatchObject({ recharge: 995_000, unbilled: 0, current: 995_000 });

  const mails = await eventually(() => mailTo(pic.email), (m) => m.length === 2);
  const invoicePdf = mails[1]!.attachments.find((a) => a.contentType === 'application/pdf');
  expect(invoicePdf).toBeDefined();
  expect(await mailTo(account.ownerEmail)).toHaveLength(0);

  const download = await http().get(`/v1/orders/${orderNumber}/invoice.pdf`).set(bearer(account.ownerToken)).buffer(true);
  expect(download.status).toBe(200);
  const text = (await parsePdf(download.body as Buffer)).lines.join('\n');
  for (const part of [orderNumber, 'IDR 35,000', 'IDR 1,035,000']) expect(text).toContain(part);
  expect(await checkLedger(api.t.db.pool)).toEqual([]);
  // Issue 22: after the credit, one activity records Paid and stores the paid invoice (recordOnlineOrder and storeInvoiceDocument before).
  const handle = api.env.client.workflow.getHandle(orderWorkflowId(orderNumber));
  const scheduled = ((await handle.fetchHistory()).events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  expect(scheduled.slice(scheduled.indexOf('creditOnlineLines'))).toEqual(['creditOnlineLines', 'recordPaidOnlineOrder', 'sendOnlineOrderEmail']);
  await recordHistory('online-paid-by-card', handle);
  await recordHistory('online-paid-in-one-activity', handle);
});

describe.each([
  ['10:00 on an ordinary day', 10, 0, 0],
  ['23:58', 23, 58, 0],
  ['10:00 on the last day of the month', 10, 0, -1],
])('When the invoice is issued at %s', (_label, hh, mm, monthEnd) => {
  test('then it is payable until 23:59:59 of the next local day and Closed one second later; a payment one second before expiry pays it', async () => {
    const account = await createTestAccount(api.t.db.pool);
    let issued: number;
    if (monthEnd === -1) {
      const now = new Date((await api.env.currentTimeMs()) + WIB);
      const lastDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
      issued = await skipToJakarta(hh, mm, lastDay - now.getUTCDate());
    } else {
      issued = await skipToJakarta(hh, mm);
    }
    const expected = invoiceExpiresAt(issued, 'Asia/Jakarta');
    const local = new Date(expected + WIB);
    expect([local.getUTCHours(), local.getUTCMinutes(), local.getUTCSeconds()]).toEqual([23, 59, 59]);
    if (monthEnd === -1) expect(local.getUTCDate()).toBe(1);

    const [paidOrder, lapsedOrder] = await Promise.all([
      createOnline(account.ownerToken, [{ wallet: 'credit', amount: 100_000 }]),
      createOnline(account.ownerToken, [{ wallet: 'credit', amount: 200_000 }]),
    ]);
    const paying = await confirm(account.ownerToken, String(paidOrder.body.orderNumber), 'virtual_account');
    const lapsing = await confirm(account.ownerToken, String(lapsedOrder.body.orderNumber), 'ewallet');
    expect(Date.parse(paying.invoice!.expiresAt)).toBe(expected);
    expect(paying.invoice?.vaNumber).toMatch(/^\d{16}$/);

    await skipTo(expected - 1000);
    expect((await order(account.ownerToken, lapsing.orderNumber)).status).toBe('awaiting_payment');
    await api.t.gateway.pay(paying.invoice!.providerRef);
    expect((await eventually(() => order(account.ownerToken, paying.orderNumber), (o) => o.status === 'paid')).status).toBe('paid');

    await api.env.sleep(2000);
    expect((await eventually(() => order(account.ownerToken, lapsing.orderNumber), (o) => o.status === 'closed')).status).toBe('closed');
    expect((await wallet(account.accountId, 'credit')).current).toBe(100_000);
  });
});

test('When money arrives after the invoice expired, then the order is Paid late in the review queue, finance credits it once, and another is marked for refund', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const [a, b] = await Promise.all([
    createOnline(account.ownerToken, [{ wallet: 'credit', amount: 150_000 }]),
    createOnline(account.ownerToken, [{ wallet: 'credit', amount: 250_000 }]),
  ]);
  const late = await confirm(account.ownerToken, String(a.body.orderNumber), 'virtual_account');
  const refunded = await confirm(account.ownerToken, String(b.body.orderNumber), 'virtual_account');
  await skipTo(Date.parse(late.invoice!.expiresAt) + 3 * HOUR);
  expect((await eventually(() => order(account.ownerToken, late.orderNumber), (o) => o.status === 'closed')).status).toBe('closed');

  // A screenshotted QR code paid hours later: the gateway still calls back, and the money is kept.
  await api.t.gateway.pay(late.invoice!.providerRef);
  await api.t.gateway.pay(refunded.invoice!.providerRef);
  await eventually(() => order(account.ownerToken, refunded.orderNumber), (o) => o.status === 'paid_late');
  expect(await eventually(() => order(account.ownerToken, late.orderNumber), (o) => o.status === 'paid_late')).toMatchObject({
    status: 'paid_late',
    payment: { amount: 150_000, late: true },
  });
  const queue = await http().get('/v1/review/orders').set(bearer(finance.token));
  const queued = (queue.body.items as Array<{ orderNumber: string; status: string; secondsLeft: number | null }>).filter((i) => i.status === 'paid_late');
  expect(queued.map((i) => i.orderNumber)).toEqual(expect.arrayContaining([late.orderNumber, refunded.orderNumber]));
  expect((await wallet(account.accountId, 'credit')).current).toBe(0);

  const approvals = await Promise.all([1, 2, 3].map(() => http().post(`/v1/orders/${late.orderNumber}/approve`).set(bearer(finance.token)).send({ checkResult: 'Late VA payment confirmed' })));
  expect(approvals.map((r) => r.status)).toEqual([200, 200, 200]);
  expect(approvals[0]!.body).toMatchObject({ status: 'paid', checkResult: 'Late VA payment confirmed', settlement: [{ wallet: 'credit', added: 150_000 }] });
  const again = await http().post(`/v1/orders/${late.orderNumber}/approve`).set(bearer(finance.token)).send({});
  expect(again.status).toBe(200);
  const marked = await http().post(`/v1/orders/${refunded.orderNumber}/reject`).set(bearer(finance.token)).send({ reason: 'Customer asked for a refund' });
  expect(marked.body).toMatchObject({ status: 'closed', refund: { reason: 'Customer asked for a refund' } });

  expect((await wallet(account.accountId, 'credit')).current).toBe(150_000);
  const entries = await api.t.db.pool.query('SELECT idempotency_key FROM journal_entries WHERE order_number = ANY($1)', [[late.orderNumber, refunded.orderNumber]]);
  expect(entries.rows).toEqual([{ idempotency_key: `topup:${late.orderNumber}:credit:paid` }]);
  const events = await api.t.db.pool.query('SELECT merchant_ref, disposition FROM payment_events WHERE merchant_ref = ANY($1) ORDER BY merchant_ref', [[late.orderNumber, refunded.orderNumber]]);
  expect(events.rows).toHaveLength(2);
  await recordHistory('online-paid-late-approved', api.env.client.workflow.getHandle(orderWorkflowId(late.orderNumber)));
  await recordHistory('online-paid-late-refunded', api.env.client.workflow.getHandle(orderWorkflowId(refunded.orderNumber)));
});

test('When a callback is forged, altered, stale or replayed, then it is refused or ignored and the order is unchanged', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const created = await createOnline(account.ownerToken, [{ wallet: 'credit', amount: 120_000 }]);
  const awaiting = await confirm(account.ownerToken, String(created.body.orderNumber), 'virtual_account');
  const event = {
    id: `evt_${awaiting.orderNumber}a`,
    type: 'invoice.paid',
    created: Math.floor(Date.now() / 1000),
    data: { providerRef: awaiting.invoice!.providerRef, merchantRef: awaiting.orderNumber, method: 'virtual_account', amount: 120_000, paidAt: new Date().toISOString() },
  };

  const forged = await postCallback(event, { secret: 'not-the-gateway-secret-at-all' });
  const altered = await postCallback(event, { tamper: (raw) => raw.replace('120000', '999000') });
  const stale = await postCallback(event, { timestamp: Math.floor(Date.now() / 1000) - 301 });
  // One answer for every failure (the reason is logged: test/accounts/auth-failure-limit.test.ts).
  expect([forged, altered, stale].map((r) => [r.status, r.body.error.message])).toEqual([
    [401, 'the callback could not be verified'],
    [401, 'the callback could not be verified'],
    [401, 'the callback could not be verified'],
  ]);
  expect((await api.t.db.pool.query('SELECT 1 FROM payment_events WHERE id = $1', [event.id])).rowCount).toBe(0);
  expect((await order(account.ownerToken, awaiting.orderNumber)).status).toBe('awaiting_payment');

  const first = await postCallback(event);
  expect(first.body).toMatchObject({ received: true, status: 'new', disposition: 'signalled' });
  await eventually(() => order(account.ownerToken, awaiting.orderNumber), (o) => o.status === 'paid');
  const replayed = await postCallback(event);
  expect(replayed.body).toMatchObject({ received: true, status: 'duplicate' });
  const second = await postCallback({ ...event, id: `evt_${awaiting.orderNumber}b` });
  expect(second.status).toBe(200);
  await api.env.sleep('1s');
  expect(await order(account.ownerToken, awaiting.orderNumber)).toMatchObject({ status: 'paid', payment: { eventId: event.id } });
  expect((await wallet(account.accountId, 'credit')).current).toBe(120_000);
});

test('When a wallet crosses 40 % of its last top-up, then the owner gets one notice; more charges send none; a top-up and a new drop send one more', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const pool = api.t.db.pool;
  // Two paid WhatsApp top-ups straight through the ledger (their orders' own paths are tested above).
  const first = await creditTopup(pool, { orderNumber: '1261124900001', accountId: account.accountId, wallet: 'whatsapp', amount: 1_000_000 });
  let key = 0;
  const charge = (amount: number) =>
    http().post('/v1/usage').set(bearer(service.token)).set('Idempotency-Key', `lb-${account.accountId}-${(key += 1)}`).send({ accountId: account.accountId, wallet: 'whatsapp', amount });
  const notices = async () => (await mailTo(account.ownerEmail)).filter((m) => /below 40%/.test(m.subject ?? ''));
  const noticeDone = (referenceEntryId: string) =>
    api.env.client.workflow.getHandle(lowBalanceWorkflowId({ accountId: account.accountId, wallet: 'whatsapp', referenceEntryId })).result();

  expect((await charge(500_000)).status).toBe(201); // 50 %: nothing
  expect((await charge(150_000)).status).toBe(201); // 35 %: the notice
  expect(await noticeDone(first.entryId)).toBe('sent');
  expect((await charge(10_000)).status).toBe(201); // still below: no second notice
  expect((await charge(10_000)).status).toBe(201);
  expect(await notices()).toHaveLength(1);
  expect((await notices())[0]?.text).toContain('IDR 350,000');

  const second = await creditTopup(pool, { orderNumber: '1261124900002', accountId: account.accountId, wallet: 'whatsapp', amount: 1_000_000 });
  expect((await charge(1_000_000)).status).toBe(201); // 330,000 of 1,000,000: below again
  expect(await noticeDone(second.entryId)).toBe('sent');
  expect(await notices()).toHaveLength(2);
});

test('When a notice was claimed and its attempt died before the email went out, and a top-up came meanwhile, then the retry still sends that notice with the balance it was claimed at', async () => {
  const account = await createTestAccount(api.t.db.pool);
  const pool = api.t.db.pool;
  const first = await creditTopup(pool, { orderNumber: '1261124900003', accountId: account.accountId, wallet: 'whatsapp', amount: 1_000_000 });
  // Straight through the ledger: no usage route, so no notice workflow starts by itself.
  await recordUsage(pool, { accountId: account.accountId, wallet: 'whatsapp', amount: 700_000, idempotencyKey: `lb-retry-${account.accountId}`, allowNegative: false });
  // The first attempt claimed the notice (300,000 of 1,000,000) and was lost; then a top-up re-armed the wallet.
  expect(await claimLowBalanceNotice(pool, account.accountId, 'whatsapp', 40)).toMatchObject({ referenceEntryId: first.entryId, current: 300_000 });
  await creditTopup(pool, { orderNumber: '1261124900004', accountId: account.accountId, wallet: 'whatsapp', amount: 1_000_000 });

  const input = { accountId: account.accountId, wallet: 'whatsapp' as const, referenceEntryId: first.entryId, percent: 40 };
  const retried = await api.env.client.workflow.execute('lowBalanceNotice', { taskQueue: api.taskQueue, workflowId: lowBalanceWorkflowId(input), args: [input] });
  expect(retried).toBe('sent');
  const notices = (await mailTo(account.ownerEmail)).filter((m) => /below 40%/.test(m.subject ?? ''));
  expect(notices).toHaveLength(1);
  expect(notices[0]?.text).toContain('IDR 300,000');
  const unsent = await pool.query('SELECT 1 FROM email_outbox WHERE idempotency_key LIKE $1 AND sent_at IS NULL', [`low-balance:${account.accountId}:%`]);
  expect(unsent.rowCount).toBe(0);
});
