/**
 * What the campaign's customers and finance do: bank-transfer top-ups over HTTP along seeded plans (online
 * top-ups are in online-orders.ts), each step with the state it leads to. A step refused with 409 is accepted when the order already is in that
 * state (an earlier attempt of a retried request was applied), or when the order was Closed by its
 * `unsubmittedCloseAfter` timer before the slip arrived (an outage outlasted it); anything else is an anomaly.
 * Each order ends with the status (and amount) its messages imply, checked after recovery (verify.ts).
 */
import type { Client, Reply } from './client';
import type { Rng } from './rng';
import { encodePng } from '../png';
import type { Reconciliation } from './reconciliation';

/** The plans, with how often each is drawn (per cent): bank transfers, then online top-ups (online-orders.ts). */
export const PLANS = {
  approve: 14,
  reject: 8,
  rejectEditApprove: 11,
  editThenApprove: 7,
  deleteUnpaid: 6,
  rejectDelete: 5,
  abandon: 5,
  /** Paid by the bank's statement, which finance imports and confirms (reconciliation.ts). */
  statementPay: 8,
  onlinePay: 20,
  onlineEditPay: 5,
  onlineUnpaid: 3,
  onlineDelete: 2,
  /** Paid at the gateway with another amount than its invoice's: a payment exception finance resolves. */
  onlineMispay: 3,
  /** Paid, then paid again: a duplicate payment finance resolves. */
  onlinePayTwice: 2,
  /** Not an order: money paid into a virtual account of no invoice, which finance resolves. */
  strayPayment: 1,
} as const;

/** A plan's name. */
export type PlanName = keyof typeof PLANS;

/** The plans of online top-ups, run by online-orders.ts. */
export const ONLINE_PLANS = ['onlinePay', 'onlineEditPay', 'onlineUnpaid', 'onlineDelete', 'onlineMispay', 'onlinePayTwice'] as const;
export type OnlinePlanName = (typeof ONLINE_PLANS)[number];
export type BankPlanName = Exclude<PlanName, OnlinePlanName | 'strayPayment'>;

/** True for a plan of an online top-up. */
export function isOnlinePlan(plan: string): plan is OnlinePlanName {
  return (ONLINE_PLANS as readonly string[]).includes(plan);
}

/** What a probe order after a fault does: a bank transfer chosen and deleted, or (after a gateway fault) an online top-up paid. */
export type ProbeName = 'probe' | 'onlineProbe';

/** A customer: an owner or PIC token of one account. */
export interface Customer {
  accountId: string;
  token: string;
}

/** What the campaign knows about an order it got a 2xx for. */
export interface TrackedOrder {
  orderNumber: string;
  accountId: string;
  kind: 'bank_transfer' | 'online';
  /** Wallets it credits once Paid: 1 for a bank transfer, one per line online. */
  lines: number;
  plan: PlanName | ProbeName;
  createdAt: number;
  expectedStatus: string;
  expectedAmount: number;
  /** The emails its messages imply: "received" once it was first submitted, one per decision. */
  expectedEmails: number;
  anomalies: string[];
  /** Each step's final answer and attempts, and what a read showed after a refusal: printed with a violation. */
  trail: string[];
}

/** What a step does and the state it leads to. */
interface Step {
  name: string;
  call: (orderNumber: string) => Parameters<Client['send']>[0];
  status: string;
  amount?: number;
  emails: number;
}

/** A small real PNG, the payment slip (the API decodes it). */
const PNG = encodePng(32, 24, (x, y) => [200, 200 - y * 4, 120 + x * 2]);

function slipForm(amount?: number): () => FormData {
  return () => {
    const form = new FormData();
    form.append('slip', new Blob([PNG], { type: 'image/png' }), 'transfer.png');
    if (amount !== undefined) form.append('amount', String(amount));
    return form;
  };
}

function amountOf(rng: Rng): number {
  return rng.int(10, 5_000) * 1_000;
}

/** The steps of `plan` after creation; a probe (recovery after a fault) chooses the method and deletes. */
function stepsOf(plan: BankPlanName | 'probe', rng: Rng, customer: Customer, financeToken: string): Step[] {
  const t = customer.token;
  const choose: Step = { name: 'payment-method', call: (n) => ({ method: 'POST', path: `/v1/orders/${n}/payment-method`, token: t, json: { paymentMethod: 'bank_transfer' } }), status: 'unpaid', emails: 0 };
  const submit: Step = { name: 'slip', call: (n) => ({ method: 'POST', path: `/v1/orders/${n}/slip`, token: t, form: slipForm() }), status: 'dealing', emails: 1 };
  const approve: Step = { name: 'approve', call: (n) => ({ method: 'POST', path: `/v1/orders/${n}/approve`, token: financeToken, json: { checkResult: 'Matches the slip' } }), status: 'paid', emails: 1 };
  const reject: Step = { name: 'reject', call: (n) => ({ method: 'POST', path: `/v1/orders/${n}/reject`, token: financeToken, json: { reason: 'The amount differs from the slip' } }), status: 'payment_failure', emails: 1 };
  const del: Step = { name: 'delete', call: (n) => ({ method: 'DELETE', path: `/v1/orders/${n}`, token: t }), status: 'deleted', emails: 0 };
  switch (plan) {
    case 'approve':
      return [choose, submit, approve];
    case 'reject':
      return [choose, submit, reject];
    case 'rejectEditApprove': {
      const amount = amountOf(rng);
      const resubmit: Step = { name: 'resubmit', call: (n) => ({ method: 'POST', path: `/v1/orders/${n}/slip`, token: t, form: slipForm(amount) }), status: 'dealing', amount, emails: 0 };
      return [choose, submit, reject, resubmit, approve];
    }
    case 'editThenApprove': {
      const amount = amountOf(rng);
      const edit: Step = { name: 'edit', call: (n) => ({ method: 'PATCH', path: `/v1/orders/${n}`, token: t, json: { amount } }), status: 'unpaid', amount, emails: 0 };
      return [edit, choose, submit, approve];
    }
    case 'deleteUnpaid':
      return [del];
    case 'rejectDelete':
      return [choose, submit, reject, del];
    case 'statementPay':
      return [choose, submit];
    case 'abandon':
      return [];
    case 'probe':
      return [choose, del];
  }
}

/** Draws a plan by the weights of PLANS. */
export function drawPlan(rng: Rng): PlanName {
  let x = rng.int(1, 100);
  for (const [name, weight] of Object.entries(PLANS) as [PlanName, number][]) {
    if (x <= weight) return name;
    x -= weight;
  }
  return 'approve';
}

/** The order as the API answers it now (retried like every call). */
export async function readOrder(client: Client, orderNumber: string, token: string): Promise<Reply> {
  return client.send({ method: 'GET', path: `/v1/orders/${orderNumber}`, token });
}

/**
 * The order after a refused step, as a customer refreshing the page sees it: the recorded view, read every
 * 500 ms until it shows `reached` (an earlier attempt, accepted before a crash, is recorded once the worker is
 * back) or 30 s have passed; the last reading either way.
 */
export async function settledOrder(client: Client, orderNumber: string, token: string, reached: (o: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  const until = Date.now() + 30_000;
  let now = (await readOrder(client, orderNumber, token)).body;
  while (!reached(now) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 500));
    now = (await readOrder(client, orderNumber, token)).body;
  }
  return now;
}

/** Runs one order along `plan`; undefined when its creation never got a 2xx (nothing is promised then). */
export async function runOrder(
  client: Client,
  rng: Rng,
  plan: BankPlanName | 'probe',
  customer: Customer,
  financeToken: string,
  closeAfterMs: number,
  idempotencyKey: string,
  recon?: Pick<Reconciliation, 'payByStatement'>,
): Promise<TrackedOrder | undefined> {
  const amount = amountOf(rng);
  const steps = stepsOf(plan, rng, customer, financeToken);
  const created = await client.send({ method: 'POST', path: '/v1/orders', token: customer.token, json: { wallet: 'credit', amount }, idempotencyKey });
  if (created.status !== 201) return undefined;
  const order: TrackedOrder = {
    orderNumber: String(created.body.orderNumber),
    accountId: customer.accountId,
    kind: 'bank_transfer',
    lines: 1,
    plan,
    createdAt: Date.parse(String(created.body.createdAt)),
    expectedStatus: 'unpaid',
    expectedAmount: amount,
    expectedEmails: 0,
    anomalies: [],
    trail: [`create 201 x${created.attempts}`],
  };
  if (plan === 'abandon') order.expectedStatus = 'closed';
  let submitted = false;
  for (const step of steps) {
    const reply = await client.send(step.call(order.orderNumber));
    order.trail.push(`${step.name} ${reply.status} x${reply.attempts}`);
    if (reply.status < 200 || reply.status >= 300) {
      const reachedBy = (o: Record<string, unknown>) => o.status === step.status && (step.amount === undefined || o.amount === step.amount);
      const now = await settledOrder(client, order.orderNumber, customer.token, reachedBy);
      order.trail.push(`read ${String(now.status)} ${String(now.amount)} revision ${String(now.revision)}`);
      const reached = reachedBy(now);
      if (now.status === 'closed' && !submitted && Date.now() - order.createdAt >= closeAfterMs) {
        order.expectedStatus = 'closed';
        return order;
      }
      // Refused, but only because an earlier attempt of this very request was applied.
      if (!(reached && reply.attempts > 1)) {
        order.anomalies.push(`${step.name}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)} after ${reply.attempts} attempt(s); the order is ${String(now.status)}`);
        order.expectedStatus = String(now.status);
        return order;
      }
    }
    order.expectedStatus = step.status;
    if (step.amount !== undefined) order.expectedAmount = step.amount;
    if (step.status === 'dealing') submitted = true;
    order.expectedEmails += step.emails;
  }
  if (plan === 'statementPay' && recon) {
    // Paid by the bank's statement once finance confirms the match: Paid, with the paid email.
    await recon.payByStatement(order, order.expectedAmount);
    if (order.anomalies.length === 0) {
      order.expectedStatus = 'paid';
      order.expectedEmails += 1;
    }
  }
  return order;
}
