/**
 * `npm run test:faults -- [--profile dev|cluster] [--seed N | --seeds A-B] [--orders N] [--concurrency N] [--faults N] [--json FILE] [--verbose]`:
 * the fault campaign. For each seed it starts the real stack on free ports in a temporary DATA_DIR with short
 * policy durations: `dev` (the default) is `npm start`'s (the Temporal dev server, embedded PostgreSQL, the
 * worker and the API as processes), `cluster` is `npm run start:cluster`'s (the Temporal server on PostgreSQL, two
 * workers, two API processes on one port). It drives bank-transfer top-ups over HTTP along seeded plans
 * (orders.ts), online top-ups paid at the sandbox gateway (online-orders.ts), and money that goes through
 * reconciliation (reconciliation.ts: bank statements imported and confirmed, payments that fit no order resolved by
 * finance, some of those requests hit by a kill of the API or the worker), and meanwhile SIGKILLs a
 * worker, an API process, the Temporal server, PostgreSQL and the gateway at seeded points of the load,
 * restarting each on the same ports and data, or stalls the gateway (SIGSTOP for 1–8 s, then SIGCONT). A process that dies on its own is restarted too
 * (a supervisor's job) and counted. After each restart a probe order measures the recovery; while a worker or an
 * API process is down, the longest time no order moved is recorded (stalls.ts); after the last fault the campaign
 * waits for quiet and checks everything (verify.ts). Meanwhile each account's webhook endpoint, on a receiver in this
 * process, takes its events, and a metering load of usage charges keeps its credit wallet's automatic top-up busy
 * (integrations.ts), checked after recovery too. Exits 1 on any violation.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as TemporalClient, Connection } from '@temporalio/client';
import type { Pool } from 'pg';
import { createApiKey } from '../../db/accounts/api-keys';
import { createPool } from '../../db/pool';
import type { StackProcessName } from '../dev-stack';
import { createClient } from './client';
import { startIntegrations, verifyIntegrations, waitForIntegrationsQuiet, type IntegrationFigures } from './integrations';
import { runOnlineOrder } from './online-orders';
import { drawPlan, isOnlinePlan, runOrder, type Customer, type PlanName, type ProbeName, type TrackedOrder } from './orders';
import { PROFILES, startCampaignStack, type CampaignStack, type LabelledProcess, type Profile } from './profiles';
import { createRng, type Rng } from './rng';
import { longestStall } from './stalls';
import { createReconciliation, type ReconciliationStats } from './reconciliation';
import { verify, waitForExceptions, waitForQuiet } from './verify';
import { proveReceivedMoney, type MoneyTotals } from '../../db/reconciliation/money-proof';

/** A fault: a SIGKILL of one of the stack's processes (restarted after a pause), or a stall of the gateway. */
export type FaultKind = StackProcessName | 'gateway-stall';
const KINDS: readonly FaultKind[] = ['worker', 'api', 'temporal', 'postgres', 'gateway', 'gateway-stall'];
const CLOSE_AFTER_MS = 30_000;
/** The CI-sized run: about 11 minutes here with its 125 faults (one every eight orders). */
const DEFAULT_ORDERS = 1_000;
/** Webhook retries come quickly too (their 3 days are never reached: receivers answer again within seconds). */
const POLICY = { unsubmittedCloseAfter: '30s', reviewWindow: '15m', paymentFailureFinalAfter: '15m', webhookFirstRetryAfter: '1s', webhookMaxRetryInterval: '5s' };

/**
 * How long a killed process stays down, by profile and kind (ms, drawn per fault). On the cluster a killed worker or
 * API process stays down longer: the other one serves meanwhile, and the longest stall shows whether it does.
 */
const DOWN_MS: Record<Profile, Record<FaultKind, [number, number]>> = {
  dev: { worker: [0, 3_000], api: [0, 3_000], temporal: [0, 3_000], postgres: [0, 3_000], gateway: [0, 3_000], 'gateway-stall': [1_000, 8_000] },
  cluster: { worker: [3_000, 10_000], api: [3_000, 10_000], temporal: [0, 3_000], postgres: [0, 3_000], gateway: [0, 3_000], 'gateway-stall': [1_000, 8_000] },
};

/** One campaign's settings. */
export interface CampaignOptions {
  profile: Profile;
  seed: number;
  orders: number;
  concurrency: number;
  faults: number;
  verbose: boolean;
}

/** One injected fault and what it cost. */
export interface FaultRecord {
  kind: FaultKind;
  /** Which instance of its kind (`worker-2` on the cluster; the kind on the dev stack). */
  label: string;
  /** The orders started and the API requests made when it was injected. */
  atOrder: number;
  atRequest: number;
  downMs: number;
  ordersInFlight: number;
  /** From the kill until a probe order went through API, PostgreSQL, Temporal and the worker. */
  recoveryMs: number | null;
  /**
   * The longest time no order moved between the kill and the restart (stalls.ts), counted while the load ran;
   * null for a fault injected after the last order's plan ended (nothing was moving anyway).
   */
  stallMs: number | null;
}

/** One campaign's figures. */
export interface CampaignResult {
  profile: Profile;
  seed: number;
  orders: number;
  tracked: number;
  paid: number;
  /** Online top-ups among the orders answered, and how many of them were paid. */
  online: number;
  onlinePaid: number;
  faults: FaultRecord[];
  unplannedRestarts: Record<string, number>;
  recoveryAfterLastFaultMs: number | null;
  quietAfterLastFaultMs: number;
  durationMs: number;
  moneyLost: number;
  moneyDoubled: number;
  redelivered: number;
  untracked: number;
  violations: string[];
  requests: number;
  retries: number;
  /** Webhooks and automatic top-ups (integrations.ts). */
  integrations: IntegrationFigures;
  /** Statements, exceptions and the kills aimed at imports and resolutions; the money proof's totals. */
  reconciliation: ReconciliationStats & { totals: MoneyTotals };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stderr.write(`[faults] ${line}\n`);

/** Extra accounts and staff, so the per-token rate limit is not the campaign's bottleneck. */
async function seedCampaignUsers(pool: Pool): Promise<{ customers: Customer[]; owners: Customer[]; finance: string[]; service: string }> {
  const key = async (userId: string, secret: string) =>
    (await createApiKey(pool, { userId, name: 'fault campaign', scopes: ['read', 'write'], expiresAt: null }, { userId: null, address: null }, new Date(), secret)).secret;
  const customers: Customer[] = [];
  const owners: Customer[] = [];
  const finance: string[] = [];
  for (let i = 1; i <= 6; i += 1) {
    const account = `acc_fault_${i}`;
    await pool.query('INSERT INTO accounts (id, company_name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [account, `PT Fault ${i}`]);
    for (const role of ['owner', 'pic'] as const) {
      const id = `usr_fault_${i}_${role}`;
      await pool.query('INSERT INTO users (id, account_id, username, email, role) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [id, account, id, `${id}@fault.example`, role]);
      const customer = { accountId: account, token: await key(id, `fault-${account}-${role}-token`) };
      customers.push(customer);
      if (role === 'owner') owners.push(customer);
    }
  }
  for (let i = 1; i <= 4; i += 1) {
    const id = `usr_fault_finance_${i}`;
    await pool.query("INSERT INTO users (id, username, email, role) VALUES ($1, $1, $2, 'finance') ON CONFLICT DO NOTHING", [id, `${id}@topup.local`]);
    finance.push(await key(id, `fault-finance-${i}-token`));
  }
  // Accounts of the integrations only: no orders, so no top-up is ever on its way and every crossing of the threshold
  // is a top-up; the last one's card always declines.
  for (const name of ['metered_1', 'metered_2', 'metered_3', 'declining']) {
    const account = `acc_fault_${name}`;
    const id = `usr_fault_${name}_owner`;
    await pool.query('INSERT INTO accounts (id, company_name) VALUES ($1, $2) ON CONFLICT DO NOTHING', [account, `PT Fault ${name}`]);
    await pool.query(`INSERT INTO users (id, account_id, username, email, role) VALUES ($1, $2, $1, $3, 'owner') ON CONFLICT DO NOTHING`, [id, account, `${id}@fault.example`]);
    owners.push({ accountId: account, token: await key(id, `fault-${account}-owner-token`) });
  }
  // The metering backend, which records usage charges.
  await pool.query("INSERT INTO users (id, username, email, role) VALUES ('usr_fault_service', 'usr_fault_service', 'metering@topup.local', 'service') ON CONFLICT DO NOTHING");
  const service = (await createApiKey(pool, { userId: 'usr_fault_service', name: 'fault campaign metering', scopes: ['usage'], expiresAt: null }, { userId: null, address: null }, new Date(), 'fault-metering-service-token')).secret;
  return { customers, owners, finance, service };
}

/** Keeps the stack's processes running: restarts one that died without being killed, and counts it by kind. */
function createSupervisor(stack: CampaignStack) {
  const killing = new Set<string>();
  const unplanned: Record<string, number> = {};
  const locks = new Map<string, Promise<void>>();
  let stopping = false;

  const exclusive = (label: string, op: () => Promise<void>): Promise<void> => {
    const next = (locks.get(label) ?? Promise.resolve()).then(op, op);
    locks.set(label, next.catch(() => undefined));
    return next;
  };

  const restart = async (proc: LabelledProcess): Promise<void> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await proc.restart();
        watch(proc);
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
        say(`${proc.label} failed to restart (${err instanceof Error ? err.message : String(err)}); again`);
        await proc.kill();
        await sleep(1_000);
      }
    }
  };

  const watch = (proc: LabelledProcess): void => {
    proc.child().once('exit', () => {
      if (stopping || killing.has(proc.label)) return;
      unplanned[proc.name] = (unplanned[proc.name] ?? 0) + 1;
      say(`${proc.label} exited on its own; restarting it`);
      void exclusive(proc.label, async () => {
        await proc.kill();
        await restart(proc);
      });
    });
  };

  for (const proc of Object.values(stack.processes).flat()) watch(proc);
  return {
    unplanned,
    /** SIGKILLs `proc`, leaves it down `downMs`, starts it again; resolves with when it died and when it was back. */
    inject: (proc: LabelledProcess, downMs: number) => {
      const times = { killedAt: 0, backAt: 0 };
      return exclusive(proc.label, async () => {
        killing.add(proc.label);
        try {
          await proc.kill();
          times.killedAt = Date.now();
          await sleep(downMs);
          await restart(proc);
          times.backAt = Date.now();
        } finally {
          killing.delete(proc.label);
        }
      }).then(() => times);
    },
    /** SIGSTOPs `proc` and its process group for `ms`, then SIGCONTs it: a process that hangs, then goes on. */
    stall: (proc: LabelledProcess, ms: number) =>
      exclusive(proc.label, async () => {
        const pid = proc.child().pid;
        if (pid === undefined) throw new Error(`${proc.label} has no process to stall`);
        process.kill(-pid, 'SIGSTOP');
        try {
          await sleep(ms);
        } finally {
          process.kill(-pid, 'SIGCONT');
        }
      }),
    stop() {
      stopping = true;
    },
  };
}

/** Hides the stack's own output (kept in `logFile`) unless verbose. */
function quietStackOutput(logFile: string, verbose: boolean): () => void {
  if (verbose) return () => undefined;
  const original = process.stdout.write.bind(process.stdout);
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  process.stdout.write = ((chunk: string | Uint8Array) => log.write(chunk)) as typeof process.stdout.write;
  return () => {
    process.stdout.write = original;
    log.end();
  };
}

/** Runs one seeded campaign on a fresh stack. */
export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const rng = createRng(opts.seed);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `topup-faults-${opts.seed}-`));
  fs.chmodSync(dataDir, 0o755);
  const policyFile = path.join(dataDir, 'policy.json');
  fs.writeFileSync(policyFile, JSON.stringify(POLICY));
  const restoreOutput = quietStackOutput(path.join(dataDir, 'stack.log'), opts.verbose);
  say(`seed ${opts.seed}: starting the ${opts.profile} stack in ${dataDir}`);
  let stack: CampaignStack | undefined;
  let integrations: Awaited<ReturnType<typeof startIntegrations>> | undefined;
  let pool: Pool | undefined;
  let connection: Connection | undefined;
  try {
    // Twelve users drive every order, so the per-user slip-upload limit is lifted (it is tested in the suite).
    stack = await startCampaignStack(opts.profile, dataDir, policyFile, { SLIP_UPLOADS_PER_10_MINUTES: '1000000' });
    pool = createPool(stack.databaseUrl, 4);
    connection = await Connection.connect({ address: stack.temporalAddress });
    const temporal = new TemporalClient({ connection, namespace: 'default' });
    const { customers, owners, finance, service } = await seedCampaignUsers(pool);
    const client = createClient(stack.apiUrl, { giveUpAfterMs: 120_000, attemptTimeoutMs: 30_000 });
    const gateway = { client: createClient(stack.gateway.url, { giveUpAfterMs: 120_000, attemptTimeoutMs: 30_000 }), apiKey: stack.gateway.apiKey };
    const supervisor = createSupervisor(stack);
    integrations = await startIntegrations({ api: client, gateway, owners, rng: createRng(opts.seed * 31 + 7) });
    const activeIntegrations = integrations;
    const disruptRng = createRng(opts.seed * 31 + 7);
    const recon = createReconciliation({
      api: client,
      gateway,
      financeTokens: finance,
      seed: opts.seed,
      rng: createRng(opts.seed * 17 + 3),
      customers,
      disrupt: async (target) => {
        const proc = disruptRng.pick(stack!.processes[target]);
        await supervisor.inject(proc, disruptRng.int(0, 2_000));
      },
    });

    const tracked: TrackedOrder[] = [];
    const inFlight = new Set<number>();
    let nextOrder = 0;
    const runOne = async (orderRng: Rng, plan: PlanName | ProbeName, key: string) => {
      const customer = orderRng.pick(customers);
      if (plan === 'strayPayment') return void (await recon.stray(customer, orderRng));
      const order =
        plan === 'onlineProbe' || isOnlinePlan(plan)
          ? await runOnlineOrder(client, gateway, orderRng, plan, customer, CLOSE_AFTER_MS, key, recon)
          : await runOrder(client, orderRng, plan, customer, orderRng.pick(finance), CLOSE_AFTER_MS, key, recon);
      if (order) tracked.push(order);
      return order;
    };
    const drive = async () => {
      while (nextOrder < opts.orders) {
        const i = nextOrder;
        nextOrder += 1;
        inFlight.add(i);
        const orderRng = createRng(opts.seed * 1_000_003 + i);
        await runOne(orderRng, drawPlan(orderRng), `faults-${opts.seed}-${i}`);
        inFlight.delete(i);
      }
    };

    // Faults are placed by the orders started, not by requests: how many requests an order makes changes with the
    // plans' mix (usage, imports and resolutions joined it), and an estimate of it once left the load's second half
    // without faults. Between 5 % and 80 % of the orders, so each fault has load after it to recover under.
    const schedule = Array.from({ length: opts.faults }, (_, k) => ({
      kind: rng.shuffle(KINDS)[0]! as FaultKind,
      k,
      atOrder: Math.round(opts.orders * (0.05 + 0.75 * rng.next())),
      downFraction: rng.next(),
      instance: rng.next(),
    }));
    // Every kind at least once when there are enough faults.
    const kinds: FaultKind[] = rng.shuffle(Array.from({ length: opts.faults }, (_, k) => KINDS[k % KINDS.length]!));
    schedule.forEach((f, k) => (f.kind = kinds[k]!));
    schedule.sort((a, b) => a.atOrder - b.atOrder);

    const faults: FaultRecord[] = [];
    /** When each fault's process died and came back, for its stall once the load is over. */
    const outages = new Map<FaultRecord, { killedAt: number; backAt: number }>();
    let loadEndedAt = Infinity;
    let lastFaultAt = started;
    let recoveryAfterLast: number | null = null;
    const inject = async () => {
      for (const f of schedule) {
        while (nextOrder < Math.min(f.atOrder, opts.orders)) await sleep(20);
        const stalling = f.kind === 'gateway-stall';
        const instances = stack!.processes[stalling ? 'gateway' : (f.kind as StackProcessName)];
        const proc = instances[Math.floor(f.instance * instances.length)];
        if (!proc) throw new Error(`the ${opts.profile} stack has no ${f.kind} process to ${stalling ? 'stall' : 'kill'}`);
        const [low, high] = DOWN_MS[opts.profile][f.kind];
        const downMs = Math.round(low + f.downFraction * (high - low));
        const at = Date.now();
        lastFaultAt = at;
        const record: FaultRecord = { kind: f.kind, label: proc.label, atOrder: nextOrder, atRequest: client.stats.requests, downMs, ordersInFlight: inFlight.size, recoveryMs: null, stallMs: null };
        faults.push(record);
        // A worker is killed while a webhook request is in flight, when one comes within a few seconds.
        if (f.kind === 'worker') await activeIntegrations.whenRequestInFlight(5_000);
        if (stalling) await supervisor.stall(proc, downMs);
        else outages.set(record, await supervisor.inject(proc, downMs));
        // After a gateway fault the probe is an online top-up paid at the gateway; otherwise a bank transfer chosen and deleted.
        const onGateway = f.kind === 'gateway' || stalling;
        const probe = await runOne(createRng(opts.seed * 7_919 + f.k), onGateway ? 'onlineProbe' : 'probe', `probe-${opts.seed}-${f.k}`);
        if (probe && probe.anomalies.length === 0 && probe.expectedStatus === (onGateway ? 'paid' : 'deleted')) record.recoveryMs = Date.now() - at;
        recoveryAfterLast = record.recoveryMs;
        say(`fault ${faults.length}/${schedule.length}: ${proc.label} ${stalling ? 'stalled' : 'killed'} at order ${record.atOrder}, request ${record.atRequest} (${record.ordersInFlight} orders in flight), down ${downMs} ms, recovered in ${record.recoveryMs ?? 'never'} ms`);
      }
    };
    const load = Promise.all(Array.from({ length: opts.concurrency }, drive)).then(() => {
      loadEndedAt = Date.now();
    });
    const metering = [1, 2].map((lane) => activeIntegrations.meter(service, opts.seed * 10 + lane, () => loadEndedAt !== Infinity));
    await Promise.all([inject(), load, ...metering]);
    for (const [record, { killedAt, backAt }] of outages) {
      if (killedAt < loadEndedAt) record.stallMs = longestStall(client.stats.moves, killedAt, Math.min(backAt, loadEndedAt));
    }
    await recon.drain();
    say(`${tracked.length} orders answered, ${recon.exceptions.length} exceptions decided; waiting for quiet`);
    const quiet = (await waitForQuiet(pool, tracked, 180_000)) && (await waitForExceptions(pool, recon.exceptions, 120_000));
    if (!quiet) say('the orders or exceptions did not settle in time; checking what there is');
    const integrationsSettled = await waitForIntegrationsQuiet(pool, 900_000);
    if (integrationsSettled === null) say('webhook deliveries or automatic top-ups stopped settling; checking what there is');
    const quietAfter = Date.now() - lastFaultAt;
    supervisor.stop();
    const verdict = await verify(pool, temporal, tracked, path.join(dataDir, 'mail'), gateway, recon.exceptions);
    const integrated = await verifyIntegrations(pool, activeIntegrations, tracked, gateway, integrationsSettled);
    verdict.violations.push(...integrated.violations);
    const proof = await proveReceivedMoney(pool);
    const money = await moneyFigures(pool, tracked);
    for (const f of faults) if (f.recoveryMs === null) verdict.violations.push(`the stack did not recover after the fault ${f.kind} (${f.label})`);
    return {
      profile: opts.profile,
      seed: opts.seed,
      orders: opts.orders,
      tracked: tracked.length,
      paid: tracked.filter((o) => o.expectedStatus === 'paid').length,
      online: tracked.filter((o) => o.kind === 'online').length,
      onlinePaid: tracked.filter((o) => o.kind === 'online' && o.expectedStatus === 'paid').length,
      faults,
      unplannedRestarts: supervisor.unplanned,
      recoveryAfterLastFaultMs: recoveryAfterLast,
      quietAfterLastFaultMs: quietAfter,
      durationMs: Date.now() - started,
      ...money,
      redelivered: verdict.redelivered.length,
      untracked: verdict.untracked.length,
      violations: verdict.violations,
      requests: client.stats.requests,
      retries: client.stats.retries,
      integrations: integrated.figures,
      reconciliation: { ...recon.stats, totals: proof.totals },
    };
  } finally {
    await integrations?.close().catch(() => undefined);
    await connection?.close().catch(() => undefined);
    await pool?.end().catch(() => undefined);
    await stack?.stop().catch(() => undefined);
    restoreOutput();
    if (!process.env.KEEP_FAULT_DATA) fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Money lost (a Paid order short of its credits: one for a bank transfer, one per line online) and doubled (a
 * credit beyond them, or a credit without a Paid order).
 */
async function moneyFigures(pool: Pool, tracked: TrackedOrder[]): Promise<{ moneyLost: number; moneyDoubled: number }> {
  const res = await pool.query<{ orderNumber: string; status: string; lines: number; credits: number }>(
    `SELECT o.order_number AS "orderNumber", o.status,
            CASE o.kind WHEN 'online' THEN jsonb_array_length(o.view->'lines') ELSE 1 END AS lines,
            count(e.id)::int AS credits
       FROM orders o LEFT JOIN journal_entries e ON e.order_number = o.order_number AND e.kind = 'topup'
      GROUP BY o.order_number, o.status, o.kind, o.view`,
  );
  const paid = new Set(tracked.filter((o) => o.expectedStatus === 'paid').map((o) => o.orderNumber));
  let moneyLost = 0;
  let moneyDoubled = 0;
  for (const r of res.rows) {
    const shouldBe = paid.has(r.orderNumber) || r.status === 'paid' ? r.lines : 0;
    if (r.credits < shouldBe) moneyLost += 1;
    if (r.credits > shouldBe) moneyDoubled += r.credits - shouldBe;
  }
  return { moneyLost, moneyDoubled };
}

function parseArgs(argv: string[]): { profile: Profile; seeds: number[]; orders: number; concurrency: number; faults: number | undefined; json: string | undefined; verbose: boolean } {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const seedsArg = value('--seeds');
  let seeds = [Number(value('--seed') ?? '1')];
  if (seedsArg) {
    const [a, b] = seedsArg.split('-').map(Number);
    seeds = Array.from({ length: (b ?? a!) - a! + 1 }, (_, k) => a! + k);
  }
  const orders = Number(value('--orders') ?? String(DEFAULT_ORDERS));
  const faults = value('--faults');
  if (seeds.some((s) => !Number.isInteger(s)) || !Number.isInteger(orders) || orders < 1) throw new Error('usage: --seed N | --seeds A-B, --orders N (a positive integer)');
  const profile = (value('--profile') ?? 'dev') as Profile;
  if (!PROFILES.includes(profile)) throw new Error(`--profile: must be one of ${PROFILES.join(', ')}`);
  return { profile, seeds, orders, concurrency: Number(value('--concurrency') ?? '8'), faults: faults === undefined ? undefined : Number(faults), json: value('--json'), verbose: argv.includes('--verbose') };
}

/** The integrations' figures in one line. */
function integrationLine(i: IntegrationFigures): string {
  return (
    `webhooks: ${i.webhookEvents} events queued, all delivered, ${i.webhookArrivals} received (${i.webhookDuplicates} of them again: at least once), ${i.webhookRefused} answered 500 on purpose, ` +
    `${i.workerKillsMidDelivery} of ${i.workerKills} worker kills mid-delivery, queues settled ${i.integrationsSettledMs === null ? 'never' : ms(i.integrationsSettledMs)} after the orders; automatic top-ups: ${i.usageCharges} usage charges, ${i.autoTopups} top-ups made, ${i.autoTopupDeclines} declined, ${i.autoTopupStops} stops (the declining card's pause)`
  );
}

const ms = (v: number | null) => (v === null ? 'never' : `${(v / 1000).toFixed(1)} s`);

/** "worker-1 ×3, api-2 ×1, …": how many times each instance was killed. */
function killsByLabel(r: CampaignResult): string {
  const counts = new Map<string, number>();
  for (const f of r.faults) counts.set(f.label, (counts.get(f.label) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([label, n]) => `${label} ×${n}`).join(', ');
}

/**
 * The per-fault table over `results`. Money lost or doubled is counted over the whole campaign (a fault's
 * share cannot be told apart), so each row shows the campaign's figure.
 */
export function faultTable(results: CampaignResult[]): string {
  const lost = results.reduce((n, r) => n + r.moneyLost, 0);
  const doubled = results.reduce((n, r) => n + r.moneyDoubled, 0);
  const rows = KINDS.map((kind) => {
    const injected = results.flatMap((r) => r.faults.filter((f) => f.kind === kind));
    const rec = injected.map((f) => f.recoveryMs).filter((v): v is number => v !== null);
    const died = kind === 'gateway-stall' ? 0 : results.reduce((n, r) => n + (r.unplannedRestarts[kind] ?? 0), 0);
    const inFlight = injected.reduce((n, f) => n + f.ordersInFlight, 0);
    const slowest = rec.length ? ms(Math.max(...rec)) : '-';
    const mean = rec.length ? ms(rec.reduce((a, b) => a + b, 0) / rec.length) : '-';
    const stalls = injected.map((f) => f.stallMs).filter((v): v is number => v !== null);
    const stall = stalls.length ? ms(Math.max(...stalls)) : '-';
    return `| ${kind} | ${injected.length} | ${inFlight} | ${lost} / ${doubled} | ${died} | ${slowest} | ${mean} | ${stall} |`;
  });
  const header = '| fault (SIGKILL, or SIGSTOP for a stall) | injected | orders in flight | money lost / doubled | died on its own (restarted) | slowest recovery | mean recovery | longest time no order moved while down |';
  return [header, '| --- | --- | --- | --- | --- | --- | --- | --- |', ...rows].join('\n');
}

const idr = (n: number) => `IDR ${n.toLocaleString('en-US')}`;

/** What reconciliation did in a campaign, and the money proof at its end. */
function reconciliationLine(r: CampaignResult): string {
  const c = r.reconciliation;
  const t = c.totals;
  return (
    `reconciliation: ${c.statements} statements (${c.statementLines} lines, each imported twice), ${c.exceptions} exceptions resolved by finance; ` +
    `kills aimed at requests in flight: ${c.killsMidImport} mid-import or confirmation, ${c.killsMidResolution} mid-resolution\n` +
    `received ${idr(t.received)} = credited ${idr(t.credited)} + refunded ${idr(t.refunded)} + open ${idr(t.open)} + dismissed ${idr(t.dismissed)}: ${t.received === t.credited + t.refunded + t.open + t.dismissed ? 'holds' : 'DOES NOT HOLD'}`
  );
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const results: CampaignResult[] = [];
  for (const seed of args.seeds) {
    const faults = args.faults ?? Math.max(KINDS.length, Math.round(args.orders / 8));
    const r = await runCampaign({ profile: args.profile, seed, orders: args.orders, concurrency: args.concurrency, faults, verbose: args.verbose });
    results.push(r);
    if (args.json) fs.appendFileSync(args.json, `${JSON.stringify(r)}\n`);
    for (const v of r.violations) process.stdout.write(`VIOLATION seed ${seed}: ${v}\n`);
    process.stdout.write(
      [
        `seed ${seed} (${r.profile} profile): ${r.tracked} orders answered of ${r.orders} (+ probes), ${r.paid} Paid; ${r.online} online top-ups, ${r.onlinePaid} of them paid at the gateway; ${r.faults.length} faults (${killsByLabel(r)}), ${r.requests} requests (${r.retries} retried) in ${ms(r.durationMs)}`,
        faultTable([r]),
        `recovery after the last fault: ${ms(r.recoveryAfterLastFaultMs)} (probe order through API, PostgreSQL, Temporal, worker, and the gateway after a gateway fault); all orders settled ${ms(r.quietAfterLastFaultMs)} after it (abandoned orders wait for their 30 s close timer)`,
        reconciliationLine(r),
        `money lost ${r.moneyLost}, doubled ${r.moneyDoubled}; emails redelivered with the same Message-ID ${r.redelivered}; orders nobody got an answer for ${r.untracked}; violations ${r.violations.length}`,
        integrationLine(r.integrations),
        '',
      ].join('\n'),
    );
  }
  if (results.length > 1) {
    const violations = results.reduce((n, r) => n + r.violations.length, 0);
    process.stdout.write(`\n${results.length} seeds (${args.seeds[0]}-${args.seeds.at(-1)}), ${results.reduce((n, r) => n + r.tracked, 0)} orders:\n${faultTable(results)}\n`);
    process.stdout.write(
      `money lost ${results.reduce((n, r) => n + r.moneyLost, 0)}, doubled ${results.reduce((n, r) => n + r.moneyDoubled, 0)}, redelivered emails ${results.reduce((n, r) => n + r.redelivered, 0)}, violations ${violations}\n`,
    );
  }
  return results.every((r) => r.violations.length === 0) ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`test:faults: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(2);
    },
  );
}
