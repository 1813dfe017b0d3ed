/**
 * The campaign's customer integrations (issue 20): each campaign account registers a webhook endpoint on a real HTTP
 * receiver in this process (it answers 500 now and then, and slowly, so attempts are in flight when a worker is
 * killed), saves a card at the sandbox gateway and sets an automatic top-up rule on its credit wallet; a metering
 * load of usage charges keeps taking the wallets below their thresholds while the faults are injected. On the order
 * accounts, top-ups on their way (slips under review) often cover the threshold; the accounts without orders top up
 * at every crossing. The last of them has a card that always declines: its rule must pause itself after exactly 3
 * failures.
 *
 * After recovery the verdict: every event queued for an endpoint was delivered at least once, correctly signed, and
 * the first arrivals per endpoint follow its queue's order; every order's final status reached its account's
 * endpoint; every automatic top-up charged at the gateway was credited exactly once, no charge lacks its attempt,
 * each charge answers a wallet below its threshold, and every finished attempt has its email and its event.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Pool } from 'pg';
import type { Client } from './client';
import type { GatewayAccess } from './online-orders';
import type { TrackedOrder } from './orders';
import type { Rng } from './rng';

/** The rule each account sets on its credit wallet. */
const RULE = { enabled: true, threshold: 100_000, mode: 'target', amount: 500_000, dailyCap: 1_000_000_000, monthlyCap: 5_000_000_000 };
const DECLINING_CARD = '4000000000000002';

/** One request the receiver got. */
interface Arrival {
  endpointPath: string;
  eventId: string;
  type: string;
  signatureValid: boolean;
}

/** An account's integration: its endpoint (receiver path and secret) and whether its card declines. */
interface Integration {
  accountId: string;
  ownerToken: string;
  endpointId: string;
  path: string;
  secret: string;
  declines: boolean;
}

/** What the integrations did, for the campaign's report. */
export interface IntegrationFigures {
  webhookEvents: number;
  webhookArrivals: number;
  /** Requests of an event after its first arrival (at least once: a redelivery after a lost answer, or after a 500). */
  webhookDuplicates: number;
  /** Requests the receiver answered with 500 on purpose. */
  webhookRefused: number;
  /** Worker kills made while a webhook request was in flight at the receiver (mid-delivery), of all worker kills. */
  workerKillsMidDelivery: number;
  workerKills: number;
  usageCharges: number;
  autoTopups: number;
  autoTopupDeclines: number;
  autoTopupStops: number;
  /** How long the webhook queues and the automatic top-ups took to settle once the orders had (ms; null: they did not). */
  integrationsSettledMs: number | null;
}

/** Verifies a Topup-Signature header under `secret` (HMAC-SHA256 of "<t>.<body>", hex). */
function signedBy(header: string | undefined, body: Buffer, secret: string): boolean {
  const parts = (header ?? '').split(',').map((p) => p.split('='));
  const t = parts.find(([k]) => k === 't')?.[1];
  const expected = createHmac('sha256', secret).update(`${t}.`).update(body).digest();
  return parts.some(([k, v]) => k === 'v1' && /^[0-9a-f]{64}$/.test(v ?? '') && timingSafeEqual(Buffer.from(v!, 'hex'), expected));
}

/** Starts the integrations: the receiver, and for each account its endpoint, card and rule. */
export async function startIntegrations(opts: { api: Client; gateway: GatewayAccess; owners: { accountId: string; token: string }[]; rng: Rng }) {
  const arrivals: Arrival[] = [];
  const secrets = new Map<string, string>();
  let open = 0;
  let refused = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    open += 1;
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const endpointPath = req.url ?? '/';
      let event: { id?: string; type?: string } = {};
      try {
        event = JSON.parse(body.toString('utf8')) as typeof event;
      } catch {
        // recorded as unsigned below
      }
      const secret = secrets.get(endpointPath);
      const signatureValid = secret !== undefined && signedBy(req.headers['topup-signature'] as string | undefined, body, secret);
      const fail = opts.rng.next() < 0.1;
      // Slow enough, now and then, that a request is in flight when a worker is killed.
      setTimeout(() => {
        open -= 1;
        // A request answered 500 does not count as received: the service must send it again.
        if (fail) {
          refused += 1;
          res.writeHead(500).end('receiver hiccup');
          return;
        }
        arrivals.push({ endpointPath, eventId: event.id ?? '', type: event.type ?? '', signatureValid });
        res.writeHead(204).end();
      }, opts.rng.int(0, 800));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const integrations: Integration[] = [];
  for (const [i, owner] of opts.owners.entries()) {
    const path = `/hooks/${owner.accountId}`;
    const endpoint = await opts.api.send({
      method: 'POST',
      path: '/v1/webhook-endpoints',
      token: owner.token,
      json: { url: `${base}${path}`, eventTypes: ['order.status_changed', 'balance.low', 'balance.auto_topup_succeeded', 'balance.auto_topup_failed'] },
    });
    if (endpoint.status !== 201) throw new Error(`the webhook endpoint of ${owner.accountId} was not made (HTTP ${endpoint.status}: ${JSON.stringify(endpoint.body)})`);
    secrets.set(path, String(endpoint.body.secret));
    const declines = i === opts.owners.length - 1;
    const setup = await opts.api.send({ method: 'POST', path: '/v1/card-setups', token: owner.token });
    const setupRef = String(setup.body.setupRef);
    await opts.gateway.client.send({ method: 'POST', path: `/v1/card-setups/${setupRef}/simulate-complete`, token: opts.gateway.apiKey, json: declines ? { number: DECLINING_CARD } : {} });
    const card = await opts.api.send({ method: 'POST', path: '/v1/cards', token: owner.token, json: { setupRef } });
    if (card.status !== 201) throw new Error(`the card of ${owner.accountId} was not saved (HTTP ${card.status}: ${JSON.stringify(card.body)})`);
    const rule = await opts.api.send({ method: 'PUT', path: '/v1/auto-topups/credit', token: owner.token, json: { ...RULE, cardId: card.body.id } });
    if (rule.status !== 200) throw new Error(`the automatic top-up of ${owner.accountId} was not set (HTTP ${rule.status}: ${JSON.stringify(rule.body)})`);
    integrations.push({ accountId: owner.accountId, ownerToken: owner.token, endpointId: String(endpoint.body.id), path, secret: String(endpoint.body.secret), declines });
  }

  let usageCharges = 0;
  let workerKills = 0;
  let workerKillsMidDelivery = 0;
  return {
    integrations,
    /** Before a worker is killed: waits up to `timeoutMs` for a webhook request in flight at the receiver, and counts the kill. */
    async whenRequestInFlight(timeoutMs: number): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (open === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      workerKills += 1;
      if (open > 0) workerKillsMidDelivery += 1;
    },
    /** The metering backend: usage charges on the accounts' credit wallets until `done()`. */
    async meter(serviceToken: string, seed: number, done: () => boolean): Promise<void> {
      for (let n = 0; !done(); n += 1) {
        const integration = opts.rng.pick(integrations);
        const reply = await opts.api.send({
          method: 'POST',
          path: '/v1/usage',
          token: serviceToken,
          idempotencyKey: `usage-${seed}-${n}`,
          json: { accountId: integration.accountId, wallet: 'credit', amount: opts.rng.int(5, 60) * 1_000 },
        });
        if (reply.status === 201) usageCharges += 1;
        await new Promise((r) => setTimeout(r, opts.rng.int(50, 250)));
      }
    },
    figures: (): Pick<IntegrationFigures, 'webhookArrivals' | 'webhookRefused' | 'workerKillsMidDelivery' | 'workerKills' | 'usageCharges'> => ({
      webhookArrivals: arrivals.length,
      webhookRefused: refused,
      workerKillsMidDelivery,
      workerKills,
      usageCharges,
    }),
    arrivals,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The integrations of a campaign. */
export type Integrations = Awaited<ReturnType<typeof startIntegrations>>;

/**
 * Waits until no webhook delivery is pending and no automatic top-up is charging: as long as the queues drain (each
 * endpoint takes its events one at a time, so a backlog after the faults takes a while), and at most `timeoutMs`;
 * it gives up after `stuckMs` without progress. Answers how long it waited, or null when it gave up.
 */
export async function waitForIntegrationsQuiet(pool: Pool, timeoutMs: number, stuckMs = 120_000): Promise<number | null> {
  const started = Date.now();
  let left = Infinity;
  let progressAt = started;
  while (Date.now() - started < timeoutMs && Date.now() - progressAt < stuckMs) {
    const res = await pool.query<{ pending: number; charging: number }>(
      `SELECT (SELECT count(*)::int FROM webhook_deliveries WHERE state = 'pending') AS pending,
              (SELECT count(*)::int FROM auto_topup_attempts WHERE outcome = 'charging') AS charging`,
    );
    const now = res.rows[0]!.pending + res.rows[0]!.charging;
    if (now === 0) return Date.now() - started;
    if (now < left) progressAt = Date.now();
    left = Math.min(left, now);
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

/** The webhook half of the verdict. */
async function verifyWebhooks(pool: Pool, it: Integrations, tracked: TrackedOrder[]): Promise<{ violations: string[]; events: number; duplicates: number }> {
  const violations: string[] = [];
  let events = 0;
  let duplicates = 0;
  for (const integration of it.integrations) {
    const queue = await pool.query<{ seq: number; eventId: string; state: string }>('SELECT seq, event_id AS "eventId", state FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY seq', [integration.endpointId]);
    events += queue.rows.length;
    const seqOf = new Map(queue.rows.map((d) => [d.eventId, d.seq]));
    const got = it.arrivals.filter((a) => a.endpointPath === integration.path);
    const seen = new Set<string>();
    let lastSeq = 0;
    for (const a of got) {
      if (!a.signatureValid) violations.push(`webhook ${a.eventId} to ${integration.accountId} does not verify with the endpoint's secret`);
      if (seen.has(a.eventId)) {
        duplicates += 1;
        continue;
      }
      seen.add(a.eventId);
      const seq = seqOf.get(a.eventId);
      if (seq === undefined) violations.push(`webhook ${a.eventId} reached ${integration.accountId}'s endpoint but is not in its queue`);
      else if (seq < lastSeq) violations.push(`webhook ${a.eventId} (#${seq}) reached ${integration.accountId}'s endpoint after #${lastSeq}: out of order`);
      else lastSeq = seq;
    }
    for (const d of queue.rows) {
      if (d.state !== 'delivered') violations.push(`webhook ${d.eventId} (#${d.seq}) to ${integration.accountId} is still ${d.state}`);
      if (!seen.has(d.eventId)) violations.push(`webhook ${d.eventId} (#${d.seq}) to ${integration.accountId} never reached the receiver`);
    }
  }
  // No event lost upstream: each order's final status was published to its account's endpoint.
  const accounts = new Set(it.integrations.map((i) => i.accountId));
  const statuses = await pool.query<{ orderNumber: string; status: string }>(
    `SELECT e.data->>'orderNumber' AS "orderNumber", e.data->>'status' AS status FROM webhook_events e WHERE e.type = 'order.status_changed' AND e.account_id = ANY($1)`,
    [[...accounts]],
  );
  const published = new Set(statuses.rows.map((r) => `${r.orderNumber}/${r.status}`));
  for (const o of tracked) {
    if (accounts.has(o.accountId) && !published.has(`${o.orderNumber}/${o.expectedStatus}`)) violations.push(`order ${o.orderNumber} reached ${o.expectedStatus} but no order.status_changed event says so`);
  }
  return { violations, events, duplicates };
}

/** The automatic top-up half of the verdict. */
async function verifyAutoTopups(pool: Pool, it: Integrations, gateway: GatewayAccess): Promise<{ violations: string[]; made: number; declined: number; stops: number }> {
  const violations: string[] = [];
  const attempts = await pool.query<{ id: string; accountId: string; outcome: string; orderNumber: string | null; amount: number | null; balance: number; pending: number; credits: number; credited: number | null; emails: number; events: number }>(
    `SELECT a.id, a.account_id AS "accountId", a.outcome, a.order_number AS "orderNumber", a.amount, a.balance, a.pending,
            (SELECT count(*)::int FROM journal_entries j WHERE j.order_number = a.order_number AND j.kind = 'topup') AS credits,
            (SELECT sum(j.amount)::bigint FROM journal_entries j WHERE j.order_number = a.order_number AND j.kind = 'topup') AS credited,
            (SELECT count(*)::int FROM email_outbox m WHERE m.idempotency_key = 'auto-topup:' || a.id AND m.sent_at IS NOT NULL) AS emails,
            (SELECT count(*)::int FROM webhook_events e WHERE e.source_key = 'auto-topup:' || a.id) AS events
       FROM auto_topup_attempts a ORDER BY a.created_at`,
  );
  const listed = await gateway.client.send({ method: 'GET', path: '/v1/charges', token: gateway.apiKey });
  const charges = (listed.body.items as { key: string; status: number; charge?: { amount: number } }[]) ?? [];
  const chargesByKey = new Map<string, number>();
  for (const c of charges) chargesByKey.set(c.key, (chargesByKey.get(c.key) ?? 0) + 1);
  const byId = new Map(attempts.rows.map((a) => [a.id, a]));
  for (const c of charges) {
    const a = byId.get(c.key);
    if (!a) violations.push(`the gateway charged ${c.key} (HTTP ${c.status}) but no automatic top-up attempt is recorded for it`);
    else if (c.status === 201 && a.outcome !== 'succeeded') violations.push(`the gateway took ${c.charge?.amount} for ${a.id}, which is ${a.outcome}: money taken, not credited`);
  }
  for (const a of attempts.rows) {
    const name = `automatic top-up ${a.id} of ${a.accountId} (${a.outcome})`;
    if (a.outcome === 'charging') violations.push(`${name} never finished`);
    if (a.outcome === 'succeeded' && (a.credits !== 1 || a.credited !== a.amount)) violations.push(`${name} was credited ${a.credits} time(s), ${a.credited ?? 0} in all, for ${a.amount}`);
    if (a.outcome !== 'succeeded' && a.credits !== 0) violations.push(`${name} was credited ${a.credits} time(s)`);
    if (a.orderNumber && (chargesByKey.get(a.id) ?? 0) !== 1) violations.push(`${name} has ${chargesByKey.get(a.id) ?? 0} charges at the gateway, not 1`);
    if (a.orderNumber && a.balance + a.pending >= RULE.threshold) violations.push(`${name} charged while the wallet (${a.balance} + ${a.pending} on its way) was not below ${RULE.threshold}`);
    if (a.outcome !== 'charging' && a.emails !== 1) violations.push(`${name} has ${a.emails} sent emails, not 1`);
    if (a.outcome !== 'charging' && a.events !== 1) violations.push(`${name} has ${a.events} webhook events, not 1`);
  }
  for (const integration of it.integrations) {
    const mine = attempts.rows.filter((a) => a.accountId === integration.accountId).map((a) => a.outcome);
    if (integration.declines && mine.join() !== 'declined,declined,declined,rule_paused') violations.push(`the declining card of ${integration.accountId} led to ${mine.join(', ') || 'nothing'}, not 3 declines and a pause`);
    if (!integration.declines && !mine.includes('succeeded')) violations.push(`${integration.accountId} was never topped up automatically`);
  }
  const count = (outcome: string) => attempts.rows.filter((a) => a.outcome === outcome).length;
  return { violations, made: count('succeeded'), declined: count('declined'), stops: attempts.rows.length - count('succeeded') - count('declined') - count('charging') };
}

/** The integrations' verdict and figures, on a quiet system. */
export async function verifyIntegrations(
  pool: Pool,
  it: Integrations,
  tracked: TrackedOrder[],
  gateway: GatewayAccess,
  settledMs: number | null,
): Promise<{ violations: string[]; figures: IntegrationFigures }> {
  const hooks = await verifyWebhooks(pool, it, tracked);
  const autos = await verifyAutoTopups(pool, it, gateway);
  return {
    violations: [...hooks.violations, ...autos.violations],
    figures: { ...it.figures(), webhookEvents: hooks.events, webhookDuplicates: hooks.duplicates, autoTopups: autos.made, autoTopupDeclines: autos.declined, autoTopupStops: autos.stops, integrationsSettledMs: settledMs },
  };
}
