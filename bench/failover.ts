/**
 * Failover on the cluster profile: a steady load of --clients customers (create an order, choose the bank
 * transfer, pause 300 ms, again) while one API process, then one worker, is SIGKILLed and left down --down-ms;
 * prints, second by second, the writes answered 2xx and everything else, and each outage's longest stretch with
 * no write answered. With two of each, the other should serve throughout.
 *
 *   node dist/bench/failover.js [--clients 8] [--down-ms 10000]
 */
import { parseFlags } from './lib/args';
import { startBenchStack } from './lib/bench-stack';
import { callJson } from './lib/http';
import { fmt, printTable } from './lib/stats';
import { longestStall } from '../scripts/faults/stalls';
import { runMain } from './lib/run-main';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  const flags = parseFlags('Kill one API process, then one worker, under a steady load on the cluster profile.', { clients: 8, 'down-ms': 10_000 });
  const stack = await startBenchStack({ engine: 'cluster', accounts: 50, financeUsers: 1 });
  const processes = stack.processes;
  if (!processes) throw new Error('the cluster stack exposes no processes');
  try {
    const t0 = Date.now();
    const moves: number[] = [];
    const failures: [number, string][] = [];
    let running = true;
    const client = async (k: number) => {
      const owner = stack.credentials.owners[k % stack.credentials.owners.length]!;
      while (running) {
        await sleep(300);
        try {
          const created = await callJson(stack.api, 'POST', '/v1/orders', owner, { wallet: 'credit', amount: 100_000 });
          if (created.status !== 201) failures.push([Date.now(), `create ${created.status}`]);
          else moves.push(Date.now());
          const chosen = await callJson(stack.api, 'POST', `/v1/orders/${String(created.body.orderNumber)}/payment-method`, owner, { paymentMethod: 'bank_transfer' });
          if (chosen.status !== 200) failures.push([Date.now(), `payment-method ${chosen.status}`]);
          else moves.push(Date.now());
        } catch (err) {
          failures.push([Date.now(), `network: ${err instanceof Error ? err.message : String(err)}`]);
        }
      }
    };
    const load = Promise.all(Array.from({ length: flags.clients }, (_, k) => client(k)));
    const outages: { label: string; from: number; to: number }[] = [];
    await sleep(8_000);
    for (const kind of ['api', 'worker'] as const) {
      const proc = processes[kind][0]!;
      await proc.kill();
      const from = Date.now();
      await sleep(flags['down-ms']);
      await proc.restart();
      outages.push({ label: proc.label, from, to: Date.now() });
      await sleep(8_000);
    }
    running = false;
    await load;
    const seconds = Math.ceil((Date.now() - t0) / 1000);
    const rows = Array.from({ length: seconds }, (_, s) => {
      const inSecond = (t: number) => t >= t0 + s * 1000 && t < t0 + (s + 1) * 1000;
      const down = outages.filter((o) => o.from < t0 + (s + 1) * 1000 && o.to > t0 + s * 1000).map((o) => o.label);
      const failed = failures.filter(([t]) => inSecond(t)).map(([, what]) => what);
      return [String(s), down.join(', ') || '-', String(moves.filter(inSecond).length), failed.length ? failed.join('; ').slice(0, 120) : '-'];
    });
    printTable(`Writes answered 2xx per second, ${flags.clients} clients`, ['second', 'down', 'writes 2xx', 'failed'], rows);
    moves.sort((a, b) => a - b);
    printTable(
      'Each outage',
      ['process', 'down for', 'writes 2xx while down', 'failed while down', 'longest time no write was answered'],
      outages.map((o) => [o.label, `${fmt((o.to - o.from) / 1000, 1)} s`, String(moves.filter((t) => t >= o.from && t < o.to).length), String(failures.filter(([t]) => t >= o.from && t < o.to).length), `${fmt(longestStall(moves, o.from, o.to) / 1000, 2)} s`]),
    );
  } finally {
    await stack.stop();
  }
}

runMain(main);
