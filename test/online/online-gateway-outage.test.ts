/**
 * "Confirm payment" while the payment gateway is away (issue 15, item 1), through the API with the real online
 * order workflow in the time-skipping server, the real activities, PostgreSQL, the SMTP sink and the sandbox
 * gateway over HTTP, in each of three outages: stopped (its port refuses connections), slow (each request
 * answered after 30 s, longer than the adapter waits) and failing (HTTP 500). The give-up runs the policy's
 * default `invoiceIssueGiveUpAfter` (10 minutes) of workflow time. The time-skipping server does not skip time while
 * an activity runs, so the adapter here waits 2 s for the gateway instead of its 10 s: the 10 minutes of a slow
 * gateway then take about a minute, not three.
 *
 * Each test states what a customer would check: the confirm answers within its bound (503, Retry-After, the
 * order "issuing" its invoice), GET shows the same, a second confirm agrees, and afterwards exactly one invoice
 * is payable at the gateway, with one billing email.
 */
import request, { type Response } from 'supertest';
import { simpleParser, type ParsedMail } from 'mailparser';
import { getBalances } from '../../db/ledger/ledger';
import type { SandboxInvoice } from '../../scripts/sandbox-gateway';
import { orderWorkflowId, type OnlineOrderView } from '../../workflows/definitions';
import { TEST_GATEWAY } from '../helpers/activity-deps';
import { startTestApi, type TestApi } from '../helpers/api';
import { eventually } from '../helpers/eventually';
import { createTestAccount, type TestAccount } from '../helpers/fixtures';
import { recordHistory } from '../helpers/histories';

/** The confirm's documented bound: CONFIRM_PAYMENT_WAIT_SECONDS (5 s by default) and 2 s for the answer to travel. */
const CONFIRM_BOUND_MS = 7_000;
/** Slack for a loaded machine on top of the bound. */
const SLACK_MS = 2_000;

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ gatewayTimeoutMs: 2_000 });
});

afterAll(async () => {
  await api?.close();
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const http = () => request(api.app);

type Outage = 'stopped' | 'slow' | 'failing';

/** Puts the sandbox gateway into `outage`: stops it, or sets its fault mode over its admin endpoint. */
async function breakGateway(outage: Outage): Promise<void> {
  if (outage === 'stopped') return api.t.stopGateway();
  await setFault(outage === 'slow' ? { mode: 'slow', delayMs: 30_000 } : { mode: 'error' });
}

/** Ends the outage: the gateway starts again on its port with its state, or answers normally again. */
async function repairGateway(outage: Outage): Promise<void> {
  if (outage === 'stopped') await api.t.startGateway();
  else await setFault({ mode: 'none' });
}

async function setFault(fault: object): Promise<void> {
  const res = await fetch(`${api.t.gateway.url}/v1/sandbox/fault`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${TEST_GATEWAY.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  expect(res.status).toBe(200);
}

async function createOrder(account: TestAccount, amount: number): Promise<string> {
  const res = await http().post('/v1/online-orders').set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount }] });
  expect(res.status).toBe(201);
  return String(res.body.orderNumber);
}

/** POST confirm, cut off well after its bound so a confirm that never answers fails the test instead of hanging it. */
async function confirm(account: TestAccount, orderNumber: string, paymentMethod: string): Promise<Response & { elapsedMs: number }> {
  const started = Date.now();
  const res = await http()
    .post(`/v1/online-orders/${orderNumber}/confirm`)
    .set(bearer(account.ownerToken))
    .send({ paymentMethod })
    .timeout(CONFIRM_BOUND_MS + 10_000);
  return Object.assign(res, { elapsedMs: Date.now() - started });
}

async function read(account: TestAccount, orderNumber: string): Promise<OnlineOrderView> {
  const res = await http().get(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken));
  expect(res.status).toBe(200);
  return res.body as OnlineOrderView;
}

async function billingEmails(account: TestAccount, orderNumber: string): Promise<ParsedMail[]> {
  const mails = await Promise.all(api.t.sink.messages.filter((m) => m.to.includes(account.ownerEmail)).map((m) => simpleParser(m.raw)));
  return mails.filter((m) => m.subject === `Billing info for top-up order ${orderNumber}`);
}

/** The invoices of the order the gateway would still take money for. */
function payableInvoices(orderNumber: string): SandboxInvoice[] {
  return api.t.gateway.invoices().filter((i) => i.merchantRef === orderNumber && i.status !== 'voided');
}

/** True once the gateway holds the issuance `reference` as voided (its invoice, or the reference before any invoice). */
function voided(reference: string): boolean {
  return api.t.gateway.voidedReferences().includes(reference) || api.t.gateway.invoices().some((i) => i.reference === reference && i.status === 'voided');
}

/**
 * A slow gateway, once repaired, carries out the calls it held, so it did issue the invoice of the issuance the
 * order gave up on or the customer cancelled: that invoice must be voided, and paying it refused.
 */
async function expectHeldInvoiceVoided(orderNumber: string): Promise<void> {
  const late = api.t.gateway.invoices().filter((i) => i.reference === orderNumber);
  expect(late).toEqual([expect.objectContaining({ status: 'voided' })]);
  await expect(api.t.gateway.pay(late[0]!.providerRef)).rejects.toMatchObject({ code: 'invoice_voided' });
}

/** Skips a minute of workflow time (the next gateway call or void retry is due within it) until `done` holds. */
async function skipUntil(done: () => Promise<boolean> | boolean, minutes = 6): Promise<void> {
  for (let i = 0; i < minutes && !(await done()); i += 1) await api.env.sleep('1m');
}

/** The first answer: 503 within the bound, with Retry-After and the recorded order, issuing its invoice. */
async function expectPending(account: TestAccount, orderNumber: string, paymentMethod: string): Promise<OnlineOrderView> {
  const res = await confirm(account, orderNumber, paymentMethod);
  expect({ status: res.status, code: res.body.error?.code, withinBound: res.elapsedMs < CONFIRM_BOUND_MS + SLACK_MS }).toEqual({ status: 503, code: 'invoice_pending', withinBound: true });
  expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(res.body.order).toMatchObject({ status: 'awaiting_payment', invoice: null, issuing: { paymentMethod } });
  return res.body.order as OnlineOrderView;
}

describe.each<[Outage]>([['stopped'], ['slow'], ['failing']])('When the payment gateway is %s', (outage) => {
  afterEach(async () => {
    if (outage === 'stopped') await api.t.startGateway();
    else await setFault({ mode: 'none' });
  });

  test('and the customer confirms, then the confirm answers 503 within its bound, GET and a second confirm agree, and once the gateway is back the invoice is issued and emailed once', async () => {
    const account = await createTestAccount(api.t.db.pool);
    const orderNumber = await createOrder(account, 250_000);
    await breakGateway(outage);

    const pending = await expectPending(account, orderNumber, 'ewallet');
    const shown = await read(account, orderNumber);
    expect(shown).toMatchObject({ status: 'awaiting_payment', invoice: null, issuing: { paymentMethod: 'ewallet', since: pending.issuing!.since, giveUpAt: pending.issuing!.giveUpAt } });
    if (outage !== 'slow') expect(shown.issuing).toMatchObject({ attempts: expect.any(Number), lastError: expect.stringMatching(outage === 'stopped' ? /unreachable/ : /HTTP 500/) });

    // The same confirm again joins the same issuance; another method, an edit or a delete are refused naming it.
    const again = await expectPending(account, orderNumber, 'ewallet');
    expect(again.issuing!.since).toBe(pending.issuing!.since);
    const otherMethod = await confirm(account, orderNumber, 'credit_card');
    const edit = await http().patch(`/v1/online-orders/${orderNumber}`).set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 300_000 }] });
    const removal = await http().delete(`/v1/orders/${orderNumber}`).set(bearer(account.ownerToken));
    for (const refused of [otherMethod, edit, removal]) {
      expect(refused.status).toBe(409);
      expect(refused.body.error.message).toContain('Awaiting payment (issuing the ewallet invoice since');
    }
    expect(await read(account, orderNumber)).toMatchObject({ status: 'awaiting_payment', invoice: null, issuing: { paymentMethod: 'ewallet' } });

    await repairGateway(outage);
    let answer = await confirm(account, orderNumber, 'ewallet');
    for (let i = 0; i < 6 && answer.status === 503; i += 1) {
      await api.env.sleep('1m');
      answer = await confirm(account, orderNumber, 'ewallet');
    }
    expect(answer.status).toBe(200);
    const issued = answer.body as OnlineOrderView;
    expect(issued).toMatchObject({ status: 'awaiting_payment', issuing: null, invoice: { paymentMethod: 'ewallet', total: 250_000 } });
    expect(await read(account, orderNumber)).toMatchObject({ status: 'awaiting_payment', issuing: null, invoice: { providerRef: issued.invoice!.providerRef } });
    expect((await confirm(account, orderNumber, 'ewallet')).body).toMatchObject({ invoice: { providerRef: issued.invoice!.providerRef } });

    expect(await eventually(() => billingEmails(account, orderNumber), (m) => m.length === 1)).toHaveLength(1);
    expect(payableInvoices(orderNumber).map((i) => i.providerRef)).toEqual([issued.invoice!.providerRef]);
    await api.t.gateway.pay(issued.invoice!.providerRef);
    expect(await eventually(() => read(account, orderNumber), (o) => o.status === 'paid')).toMatchObject({ status: 'paid', settlement: [{ wallet: 'credit', added: 250_000 }] });
    expect((await getBalances(api.t.db.pool, account.accountId)).find((b) => b.wallet === 'credit')?.current).toBe(250_000);
    expect(await billingEmails(account, orderNumber)).toHaveLength(1);
    if (outage === 'stopped') await recordHistory('online-issuing-recovered', api.env.client.workflow.getHandle(orderWorkflowId(orderNumber)));
  });

  test('for the whole give-up time (10 minutes), then the order returns to Unpaid with the reason, nothing stays payable, and a confirm once it is back issues one invoice', async () => {
    const account = await createTestAccount(api.t.db.pool);
    const orderNumber = await createOrder(account, 150_000);
    await breakGateway(outage);
    await expectPending(account, orderNumber, 'virtual_account');

    await api.env.sleep('10m');
    const back = await eventually(() => read(account, orderNumber), (o) => o.status === 'unpaid');
    expect(back).toMatchObject({
      status: 'unpaid',
      issuing: null,
      invoice: null,
      confirmationFailure: { kind: 'gateway-timeout', paymentMethod: 'virtual_account', reason: expect.stringMatching(outage === 'slow' ? /^the payment gateway did not issue the invoice within 10m; (it never answered|last error: .*timeout)/ : /^the payment gateway did not issue the invoice within 10m; last error: /) },
    });
    // A refusal agrees with the read: the draft is editable again.
    const edit = await http().patch(`/v1/online-orders/${orderNumber}`).set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 175_000 }] });
    expect(edit.status).toBe(200);

    await repairGateway(outage);
    await skipUntil(() => voided(orderNumber));
    expect(voided(orderNumber)).toBe(true);
    expect(payableInvoices(orderNumber)).toEqual([]);
    if (outage === 'slow') await expectHeldInvoiceVoided(orderNumber);

    const reconfirmed = await confirm(account, orderNumber, 'virtual_account');
    expect(reconfirmed.status).toBe(200);
    expect(reconfirmed.body).toMatchObject({ status: 'awaiting_payment', confirmationFailure: null, invoice: { total: 175_000 } });
    expect(payableInvoices(orderNumber)).toEqual([expect.objectContaining({ reference: `${orderNumber}-2`, providerRef: reconfirmed.body.invoice.providerRef, amount: 175_000 })]);
    expect(await eventually(() => billingEmails(account, orderNumber), (m) => m.length === 1)).toHaveLength(1);
    if (outage === 'stopped') await recordHistory('online-issuing-gave-up', api.env.client.workflow.getHandle(orderWorkflowId(orderNumber)));
  });

  test('and the customer cancels the pending confirmation, then the order is the editable Unpaid draft with the reason, the cancelled issuance can never be paid, and a new confirm issues one invoice', async () => {
    const account = await createTestAccount(api.t.db.pool);
    const orderNumber = await createOrder(account, 120_000);
    await breakGateway(outage);
    await expectPending(account, orderNumber, 'credit_card');

    const cancelled = await http().post(`/v1/online-orders/${orderNumber}/cancel-confirmation`).set(bearer(account.ownerToken)).send();
    expect(cancelled.status).toBe(200);
    const reason = { kind: 'cancelled', paymentMethod: 'credit_card', reason: 'the customer cancelled the confirmation before the invoice was issued' };
    expect(cancelled.body).toMatchObject({ status: 'unpaid', issuing: null, invoice: null, confirmationFailure: reason });
    expect(await read(account, orderNumber)).toMatchObject({ status: 'unpaid', issuing: null, confirmationFailure: reason });
    const repeated = await http().post(`/v1/online-orders/${orderNumber}/cancel-confirmation`).set(bearer(account.ownerToken)).send();
    expect(repeated.body).toMatchObject({ status: 'unpaid', revision: cancelled.body.revision });
    const edit = await http().patch(`/v1/online-orders/${orderNumber}`).set(bearer(account.ownerToken)).send({ lines: [{ wallet: 'credit', amount: 130_000 }] });
    expect(edit.status).toBe(200);

    await repairGateway(outage);
    await skipUntil(() => voided(orderNumber));
    expect(voided(orderNumber)).toBe(true);
    expect(payableInvoices(orderNumber)).toEqual([]);
    if (outage === 'slow') await expectHeldInvoiceVoided(orderNumber);

    const reconfirmed = await confirm(account, orderNumber, 'credit_card');
    expect(reconfirmed.status).toBe(200);
    const invoice = (reconfirmed.body as OnlineOrderView).invoice!;
    expect(invoice).toMatchObject({ paymentMethod: 'credit_card', subtotal: 130_000, total: 134_550 });
    expect(payableInvoices(orderNumber).map((i) => [i.reference, i.providerRef])).toEqual([[`${orderNumber}-2`, invoice.providerRef]]);
    await api.t.gateway.pay(invoice.providerRef);
    expect(await eventually(() => read(account, orderNumber), (o) => o.status === 'paid')).toMatchObject({ settlement: [{ wallet: 'credit', added: 130_000 }] });
    expect(await billingEmails(account, orderNumber)).toHaveLength(1);
    if (outage === 'stopped') await recordHistory('online-issuing-cancelled', api.env.client.workflow.getHandle(orderWorkflowId(orderNumber)));
  });
});

test('When the worker is away as a customer confirms, then the confirm still answers 503 within its bound with the order as recorded, and the same confirm once the worker is back gets the invoice', async () => {
  const account = await createTestAccount(api.t.db.pool);
  // The order is created while the worker is away too: a worker holding it in its cache would have the server
  // offer its next task to that worker's own (dead) queue first, which only slows the test down.
  await api.stopWorker();
  let pending: Response & { elapsedMs: number };
  let orderNumber: string;
  try {
    orderNumber = await createOrder(account, 90_000);
    pending = await confirm(account, orderNumber, 'virtual_account');
  } finally {
    await api.startWorker();
  }
  expect({ status: pending.status, code: pending.body.error?.code, withinBound: pending.elapsedMs < CONFIRM_BOUND_MS + SLACK_MS }).toEqual({ status: 503, code: 'invoice_pending', withinBound: true });
  expect(Number(pending.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(pending.body.order).toEqual(await read(account, orderNumber));

  let answer = await confirm(account, orderNumber, 'virtual_account');
  for (let i = 0; i < 5 && answer.status === 503; i += 1) answer = await confirm(account, orderNumber, 'virtual_account');
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ status: 'awaiting_payment', issuing: null, invoice: { paymentMethod: 'virtual_account', total: 90_000 } });
  expect(payableInvoices(orderNumber)).toHaveLength(1);
  expect(await eventually(() => billingEmails(account, orderNumber), (m) => m.length === 1)).toHaveLength(1);
});
