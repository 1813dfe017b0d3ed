/**
 * What the campaign's customers do online (seed 001's self top-up) over HTTP: create an order of one to three
 * wallet lines, maybe edit it, confirm payment with a method, and pay the invoice at the sandbox gateway (its
 * checkout page for a card or an e-wallet, its simulate-payment endpoint for a virtual account), which calls the
 * API back with the signed event. A confirm answered 503 "invoice pending" (the gateway killed or stalled) is sent
 * again, as the API asks; it joins the same issuance. Each order ends with the status, billed amount and emails
 * its steps imply, checked after recovery (verify.ts).
 */
import type { Client, Reply } from './client';
import { settledOrder, type Customer, type OnlinePlanName, type TrackedOrder } from './orders';
import type { Reconciliation } from './reconciliation';
import type { Rng } from './rng';

/** The sandbox gateway as a customer (its pages) and the campaign (its API key, to pay a virtual account) reach it. */
export interface GatewayAccess {
  client: Client;
  apiKey: string;
}

type Method = 'virtual_account' | 'credit_card' | 'ewallet';
const METHODS: readonly Method[] = ['virtual_account', 'credit_card', 'ewallet'];

/** One to three lines on distinct wallets, each valid under the default policy (WhatsApp at its minimum or more, muv in packs). */
function drawLines(rng: Rng): { wallet: string; amount: number }[] {
  const wallets = rng.shuffle(['credit', 'whatsapp', 'muv']).slice(0, rng.int(1, 3));
  return wallets.map((wallet) => ({
    wallet,
    amount: wallet === 'credit' ? rng.int(10, 5_000) * 1_000 : wallet === 'whatsapp' ? rng.int(1_000, 3_000) * 1_000 : rng.int(1, 4),
  }));
}

const succeeded = (reply: Reply) => reply.status >= 200 && reply.status < 300;

/**
 * After a refused or failed step: the order as recorded once it reaches what `reached` expects (an earlier
 * attempt may have been applied) or 30 s pass. True when the step counts as done, false after noting an anomaly;
 * a draft the 30 s close timer closed before the confirmation arrived is expected to read Closed.
 */
async function settleRefusal(api: Client, order: TrackedOrder, token: string, step: string, reply: Reply, reached: (o: Record<string, unknown>) => boolean, closeAfterMs: number, confirmed: boolean): Promise<Record<string, unknown> | null> {
  const now = await settledOrder(api, order.orderNumber, token, reached);
  order.trail.push(`read ${String(now.status)} ${String(now.amount ?? '')} revision ${String(now.revision)}`);
  if (now.status === 'closed' && !confirmed && Date.now() - order.createdAt >= closeAfterMs) {
    order.expectedStatus = 'closed';
    return null;
  }
  if (reached(now) && reply.attempts > 1) return now;
  order.anomalies.push(`${step}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)} after ${reply.attempts} attempt(s); the order is ${String(now.status)}`);
  order.expectedStatus = String(now.status);
  return null;
}

/** Pays `invoice` at the gateway as its method is paid; true once the gateway has taken the money (now or by an earlier attempt). */
async function pay(gateway: GatewayAccess, invoice: { providerRef: string; paymentMethod: Method }, order: TrackedOrder): Promise<boolean> {
  const reply =
    invoice.paymentMethod === 'virtual_account'
      ? await gateway.client.send({ method: 'POST', path: `/v1/invoices/${invoice.providerRef}/simulate-payment`, token: gateway.apiKey, json: {} })
      : await gateway.client.send({ method: 'POST', path: `/pay/${invoice.providerRef}` });
  order.trail.push(`pay ${reply.status} x${reply.attempts}`);
  const code = (reply.body.error as { code?: string } | undefined)?.code;
  // A retry of a payment the gateway took before it was killed or stalled: already paid is paid.
  if (succeeded(reply) || (reply.status === 409 && code === 'invoice_already_paid' && reply.attempts > 1)) return true;
  order.anomalies.push(`pay: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)} after ${reply.attempts} attempt(s)`);
  return false;
}

/** Runs one online order along `plan`; undefined when its creation never got a 2xx. */
export async function runOnlineOrder(
  api: Client,
  gateway: GatewayAccess,
  rng: Rng,
  plan: OnlinePlanName | 'onlineProbe',
  customer: Customer,
  closeAfterMs: number,
  idempotencyKey: string,
  recon?: Pick<Reconciliation, 'mispay' | 'payAgain'>,
): Promise<TrackedOrder | undefined> {
  const token = customer.token;
  let lines = drawLines(rng);
  // Only a virtual account takes another amount, or a second payment.
  const method = plan === 'onlineProbe' || plan === 'onlineMispay' || plan === 'onlinePayTwice' ? 'virtual_account' : rng.pick(METHODS);
  const created = await api.send({ method: 'POST', path: '/v1/online-orders', token, json: { lines }, idempotencyKey });
  if (created.status !== 201) return undefined;
  const order: TrackedOrder = {
    orderNumber: String(created.body.orderNumber),
    accountId: customer.accountId,
    kind: 'online',
    lines: lines.length,
    plan,
    createdAt: Date.parse(String(created.body.createdAt)),
    expectedStatus: 'unpaid',
    expectedAmount: Number(created.body.subtotal),
    expectedEmails: 0,
    anomalies: [],
    trail: [`create 201 x${created.attempts}`],
  };
  const n = order.orderNumber;

  if (plan === 'onlineDelete') {
    const reply = await api.send({ method: 'DELETE', path: `/v1/orders/${n}`, token });
    order.trail.push(`delete ${reply.status} x${reply.attempts}`);
    if (succeeded(reply) || (await settleRefusal(api, order, token, 'delete', reply, (o) => o.status === 'deleted', closeAfterMs, false))) order.expectedStatus = 'deleted';
    return order;
  }

  if (plan === 'onlineEditPay') {
    lines = drawLines(rng);
    const reply = await api.send({ method: 'PATCH', path: `/v1/online-orders/${n}`, token, json: { lines } });
    order.trail.push(`edit ${reply.status} x${reply.attempts}`);
    const expectedSubtotal = succeeded(reply) ? Number(reply.body.subtotal) : null;
    if (expectedSubtotal === null) {
      const wallets = lines.map((l) => l.wallet).join(',');
      const now = await settleRefusal(api, order, token, 'edit', reply, (o) => o.status === 'unpaid' && Array.isArray(o.lines) && o.lines.map((l: { wallet: string }) => l.wallet).join(',') === wallets, closeAfterMs, false);
      if (!now) return order;
      order.expectedAmount = Number(now.subtotal);
    } else {
      order.expectedAmount = expectedSubtotal;
    }
    order.lines = lines.length;
  }

  const confirmed = await api.send({ method: 'POST', path: `/v1/online-orders/${n}/confirm`, token, json: { paymentMethod: method } });
  order.trail.push(`confirm ${confirmed.status} x${confirmed.attempts}`);
  let view: Record<string, unknown> | null = confirmed.body;
  if (!succeeded(confirmed)) {
    view = await settleRefusal(api, order, token, 'confirm', confirmed, (o) => o.status === 'awaiting_payment' && o.invoice !== null && o.issuing === null, closeAfterMs, false);
    if (!view) return order;
  }
  const invoice = view.invoice as { providerRef: string; paymentMethod: Method; total: number };
  order.expectedStatus = 'awaiting_payment';
  order.expectedAmount = invoice.total;
  order.expectedEmails += 1;
  if (plan === 'onlineUnpaid') return order;
  if (plan === 'onlineMispay' && recon) {
    // The order stays awaiting its payment; the money is an exception finance resolves.
    await recon.mispay(invoice, customer, rng, order);
    return order;
  }

  if (!(await pay(gateway, invoice, order))) return order;
  order.expectedStatus = 'paid';
  order.expectedEmails += 1;
  if (plan === 'onlinePayTwice' && recon) await recon.payAgain(invoice, customer, rng, order);
  return order;
}
