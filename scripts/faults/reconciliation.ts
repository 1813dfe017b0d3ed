/**
 * The campaign's received money that goes through reconciliation (issue 19), over HTTP like the rest:
 * - statement payments: bank-transfer orders (slip submitted) paid by the bank's MT940 statement, which a "bank"
 *   writes in batches (each order's transfer, sometimes a second transfer of the same order, and a deposit that
 *   names no order); finance imports each statement (then imports it again: nothing may be added) and confirms the
 *   proposed matches in bulk;
 * - payments by callback that fit no order: a virtual account paid with another amount, paid twice, or paid with a
 *   number of no invoice;
 * - finance resolving every exception those open: credit to the customer's wallet, attach to a new order of the
 *   amount, refund through the gateway, or dismiss.
 * Some imports and resolutions are hit on purpose: the API or the worker is SIGKILLed while the request is in flight.
 * Clients retry as everywhere (client.ts); verify.ts then proves received = credited + refunded + open + dismissed.
 */
import type { Client, Reply } from './client';
import type { GatewayAccess } from './online-orders';
import type { Customer, TrackedOrder } from './orders';
import type { Rng } from './rng';

/** A fault aimed at a request in flight: the API or the worker killed a moment after the request was sent. */
export type Disrupt = (target: 'api' | 'worker') => Promise<void>;

/** An exception the campaign opened (or a statement opened) and how finance resolved it. */
export interface TrackedException {
  paymentId: string;
  amount: number;
  cause: string;
  decision: 'credit' | 'attach' | 'refund' | 'dismiss' | null;
  /** What the exception's allocations must show once resolved. */
  expected: { credited: number; refunded: number; dismissed: number };
  /** The order an attach paid (expected Paid with one email). */
  attachedOrder: string | null;
  anomalies: string[];
  trail: string[];
}

/** Counts of what reconciliation did, and of the faults aimed at it. */
export interface ReconciliationStats {
  statements: number;
  statementLines: number;
  reimports: number;
  exceptions: number;
  killsMidImport: number;
  killsMidResolution: number;
}

const succeeded = (reply: Reply) => reply.status >= 200 && reply.status < 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A line of the bank's statement. */
interface BankLine {
  amount: number;
  text: string;
  reference: string;
  /** The order it pays, and what the order's plan waits for. */
  order: TrackedOrder | null;
}

/** YYMMDD of today (UTC). */
function swiftDate(d: Date): string {
  return d.toISOString().slice(2, 10).replace(/-/g, '');
}

/** An MT940 statement of `lines`, balanced (opening + transactions = closing), as the bank would write it. */
export function mt940(statementRef: string, lines: BankLine[], openingBalance: number): string {
  const day = swiftDate(new Date());
  const amount = (n: number) => `${n},00`;
  let balance = openingBalance;
  const body = lines.flatMap((l) => {
    balance += l.amount;
    return [`:61:${day}${day.slice(2)}C${amount(l.amount)}NTRFNONREF//${l.reference}`, `:86:TRSF E-BANKING CR ${l.text}`];
  });
  return [`:20:${statementRef}`, ':25:5260123456', `:28C:${statementRef.slice(-5)}/1`, `:60F:C${day}IDR${amount(openingBalance)}`, ...body, `:62F:C${day}IDR${amount(balance)}`, '-', ''].join('\n');
}

/** The reconciliation side of a campaign. */
export function createReconciliation(deps: { api: Client; gateway: GatewayAccess; financeTokens: string[]; seed: number; rng: Rng; disrupt: Disrupt; customers: Customer[] }) {
  const stats: ReconciliationStats = { statements: 0, statementLines: 0, reimports: 0, exceptions: 0, killsMidImport: 0, killsMidResolution: 0 };
  const exceptions: TrackedException[] = [];
  /** Orders waiting for the bank's next statement, and who is waiting for it. */
  let pending: { line: BankLine; settle: () => void }[] = [];
  let batches = 0;
  let balance = 100_000_000;
  let flushing: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | null = null;
  /** Resolutions of exceptions a statement opened, still running. */
  const resolving = new Set<Promise<void>>();

  const finance = () => deps.rng.pick(deps.financeTokens);
  let references = 0;
  /** The bank's reference of a transaction: unique in the campaign, at most MT940's 16 characters. */
  const bankReference = () => `F${deps.seed % 1000}T${String((references += 1)).padStart(8, '0')}`;

  /** Sends `call` while, sometimes, the API or the worker is killed under it. */
  async function perhapsDisrupted(call: () => Promise<Reply>, chance: number, count: 'killsMidImport' | 'killsMidResolution'): Promise<Reply> {
    if (deps.rng.next() >= chance) return call();
    const target = deps.rng.next() < 0.5 ? 'api' : 'worker';
    const delay = deps.rng.int(0, 250);
    stats[count] += 1;
    const [reply] = await Promise.all([call(), sleep(delay).then(() => deps.disrupt(target))]);
    return reply;
  }

  /** Waits for the exception of `paymentId` to show, then resolves it as `decide` says. */
  async function resolve(paymentId: string, amount: number, cause: string, customer: Customer, rngDecision: Rng): Promise<void> {
    const tracked: TrackedException = { paymentId, amount, cause, decision: null, expected: { credited: 0, refunded: 0, dismissed: 0 }, attachedOrder: null, anomalies: [], trail: [] };
    exceptions.push(tracked);
    stats.exceptions += 1;
    const token = finance();
    // The payment reaches its exception after the gateway's callback and the activity that opens it, each retried
    // through the faults: as long as the campaign waits for any order to settle.
    const deadline = Date.now() + 180_000;
    let seen: Reply;
    for (;;) {
      seen = await deps.api.send({ method: 'GET', path: `/v1/finance/exceptions/${paymentId}`, token });
      if (succeeded(seen) || Date.now() > deadline) break;
      await sleep(500);
    }
    tracked.trail.push(`seen ${seen.status}`);
    if (!succeeded(seen)) {
      tracked.anomalies.push(`the exception never showed (HTTP ${seen.status})`);
      return;
    }
    // An attach pays a new order of the payment's amount, so only an amount an order can have (the credit minimum).
    const drawn = rngDecision.pick(['credit', 'credit', 'attach', 'refund', 'dismiss'] as const);
    const decision = drawn === 'attach' && amount < 10_000 ? 'credit' : drawn;
    tracked.decision = decision;
    let body: Record<string, unknown> = { note: `campaign ${decision}` };
    if (decision === 'credit') {
      body = { ...body, accountId: customer.accountId, wallet: 'credit' };
      tracked.expected.credited = amount;
    } else if (decision === 'attach') {
      const created = await deps.api.send({ method: 'POST', path: '/v1/orders', token: customer.token, json: { wallet: 'credit', amount }, idempotencyKey: `attach-${paymentId}` });
      tracked.trail.push(`order ${created.status}`);
      if (created.status !== 201) {
        tracked.anomalies.push(`the order to attach to was not created (HTTP ${created.status})`);
        return;
      }
      tracked.attachedOrder = String(created.body.orderNumber);
      body = { ...body, orderNumber: tracked.attachedOrder };
      tracked.expected.credited = amount;
    } else if (decision === 'refund') tracked.expected.refunded = amount;
    else tracked.expected.dismissed = amount;
    const reply = await perhapsDisrupted(() => deps.api.send({ method: 'POST', path: `/v1/finance/exceptions/${paymentId}/${decision}`, token, json: body }), 0.25, 'killsMidResolution');
    tracked.trail.push(`${decision} ${reply.status} x${reply.attempts}`);
    if (!succeeded(reply)) tracked.anomalies.push(`${decision}: ${reply.status} ${JSON.stringify(reply.body).slice(0, 300)}`);
  }

  /** Imports a statement of `lines` (twice: the second must add nothing) and confirms its proposals until none is left. */
  async function importAndConfirm(lines: BankLine[]): Promise<void> {
    batches += 1;
    const ref = `FLT${deps.seed % 1000}S${String(batches).padStart(5, '0')}`;
    const file = mt940(ref, lines, balance);
    balance += lines.reduce((s, l) => s + l.amount, 0);
    const fileName = `bca-faults-${deps.seed}-${batches}.sta`;
    const form = () => {
      const f = new FormData();
      f.append('file', new Blob([file], { type: 'text/plain' }), fileName);
      return f;
    };
    const token = finance();
    const imported = await perhapsDisrupted(() => deps.api.send({ method: 'POST', path: '/v1/finance/statements', token, form }), 0.4, 'killsMidImport');
    stats.statements += 1;
    stats.statementLines += lines.length;
    if (!succeeded(imported)) {
      for (const l of lines) l.order?.anomalies.push(`statement ${fileName}: import ${imported.status} ${JSON.stringify(imported.body).slice(0, 200)}`);
      return;
    }
    const statementId = String(imported.body.statementId);
    const again = await deps.api.send({ method: 'POST', path: '/v1/finance/statements', token, form });
    stats.reimports += 1;
    if (again.status !== 200 || JSON.stringify(again.body.counts) !== JSON.stringify(imported.body.counts)) {
      lines[0]?.order?.anomalies.push(`statement ${fileName} imported again answered ${again.status} ${JSON.stringify(again.body.counts)} (first ${JSON.stringify(imported.body.counts)})`);
    }
    const outcomes = imported.body.lines as { line: number; outcome: string; paymentId: string | null; exceptionReason: string | null }[];
    for (const [i, l] of lines.entries()) {
      const got = outcomes[i];
      const expected = l.order ? 'proposed' : 'exception';
      // A second transfer of an order proposed above is its duplicate.
      const duplicate = l.order && lines.findIndex((x) => x.order === l.order) < i;
      if (!got || got.outcome !== (duplicate ? 'exception' : expected)) {
        (l.order ?? lines.find((x) => x.order)?.order)?.anomalies.push(`statement ${fileName} line ${i + 1} is ${got?.outcome ?? 'missing'} ${got?.exceptionReason ?? ''}`);
      }
      if (got?.outcome === 'exception' && got.paymentId) {
        const customer = l.order ? deps.customers.find((c) => c.accountId === l.order!.accountId)! : deps.rng.pick(deps.customers);
        const running = resolve(got.paymentId, l.amount, `statement line: ${got.exceptionReason ?? ''}`, customer, deps.rng);
        resolving.add(running);
        void running.finally(() => resolving.delete(running));
      }
    }
    for (let round = 0; round < 10; round += 1) {
      const confirmed = await perhapsDisrupted(() => deps.api.send({ method: 'POST', path: `/v1/finance/statements/${statementId}/confirm`, token, json: {} }), 0.2, 'killsMidImport');
      if (!succeeded(confirmed)) {
        await sleep(1_000);
        continue;
      }
      const results = confirmed.body.results as { line: number; outcome: string; message: string | null }[];
      for (const r of results.filter((x) => x.outcome !== 'confirmed' && x.outcome !== 'retry')) lines[r.line - 1]?.order?.anomalies.push(`statement ${fileName} line ${r.line} confirmed as ${r.outcome}: ${r.message ?? ''}`);
      if (results.every((r) => r.outcome !== 'retry')) return;
      await sleep(1_000);
    }
    lines[0]?.order?.anomalies.push(`statement ${fileName}: proposals still unconfirmed after 10 rounds`);
  }

  function flushSoon(): void {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      const batch = pending;
      pending = [];
      flushing = flushing.then(async () => {
        const lines = batch.map((p) => p.line);
        // Sometimes a customer transferred twice, and someone paid in cash without an order number.
        if (deps.rng.next() < 0.3 && lines[0]?.order) lines.push({ ...lines[0], reference: bankReference() });
        if (deps.rng.next() < 0.5) lines.push({ amount: deps.rng.int(1, 900) * 1_000, text: `SETORAN TUNAI CABANG ${deps.rng.int(100, 999)}`, reference: bankReference(), order: null });
        await importAndConfirm(lines);
        for (const p of batch) p.settle();
      });
    }, 1_500);
  }

  return {
    stats,
    exceptions,

    /** The bank transfer of a Dealing order, in the bank's next statement; resolves once finance has confirmed it. */
    payByStatement(order: TrackedOrder, amount: number): Promise<void> {
      return new Promise((settle) => {
        pending.push({ line: { amount, text: `${amount}.00 TOPUP ${order.orderNumber}`, reference: bankReference(), order }, settle });
        if (pending.length >= 6) {
          if (timer) clearTimeout(timer);
          timer = null;
        }
        flushSoon();
      });
    },

    /** A virtual account paid with another amount than its invoice's; finance resolves the exception. */
    async mispay(invoice: { providerRef: string; total: number }, customer: Customer, rng: Rng, order: TrackedOrder): Promise<void> {
      const amount = Math.max(1_000, invoice.total + rng.pick([-1, 1]) * rng.int(1, 50) * 1_000);
      const reply = await deps.gateway.client.send({ method: 'POST', path: `/v1/invoices/${invoice.providerRef}/simulate-payment`, token: deps.gateway.apiKey, json: { amount }, idempotencyKey: `mispay-${order.orderNumber}` });
      order.trail.push(`mispay ${reply.status} x${reply.attempts}`);
      const event = reply.body.event as { id?: string } | undefined;
      if (!succeeded(reply) || !event?.id) return void order.anomalies.push(`mispay: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
      await resolve(`gw_${event.id}`, amount, 'amount_mismatch', customer, rng);
    },

    /** A virtual account paid a second time; finance resolves the duplicate. */
    async payAgain(invoice: { providerRef: string; total: number }, customer: Customer, rng: Rng, order: TrackedOrder): Promise<void> {
      const reply = await deps.gateway.client.send({ method: 'POST', path: `/v1/invoices/${invoice.providerRef}/simulate-payment`, token: deps.gateway.apiKey, json: { again: true }, idempotencyKey: `again-${order.orderNumber}` });
      order.trail.push(`pay again ${reply.status} x${reply.attempts}`);
      const event = reply.body.event as { id?: string } | undefined;
      if (!succeeded(reply) || !event?.id) return void order.anomalies.push(`pay again: ${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`);
      await resolve(`gw_${event.id}`, invoice.total, 'duplicate_payment', customer, rng);
    },

    /** A payment into a virtual account of no invoice; finance resolves it. */
    async stray(customer: Customer, rng: Rng): Promise<void> {
      const amount = rng.int(5, 900) * 1_000;
      const ref = `TYPO-${deps.seed}-${rng.int(1, 1e9)}`;
      const reply = await deps.gateway.client.send({ method: 'POST', path: '/v1/sandbox/payments', token: deps.gateway.apiKey, json: { merchantRef: ref, amount }, idempotencyKey: `stray-${ref}` });
      const event = reply.body.event as { id?: string } | undefined;
      if (!succeeded(reply) || !event?.id) {
        exceptions.push({ paymentId: '-', amount, cause: 'stray', decision: null, expected: { credited: 0, refunded: 0, dismissed: 0 }, attachedOrder: null, anomalies: [`stray payment: ${reply.status}`], trail: [] });
        return;
      }
      await resolve(`gw_${event.id}`, amount, 'unknown_reference', customer, rng);
    },

    /** Waits for every statement in flight. */
    async drain(): Promise<void> {
      while (pending.length > 0 || timer) await sleep(500);
      await flushing;
      while (resolving.size > 0) await Promise.all([...resolving]);
    },
  };
}

/** The reconciliation side of a campaign. */
export type Reconciliation = ReturnType<typeof createReconciliation>;
