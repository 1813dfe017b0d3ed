/**
 * Prints where a CPU profile's time went: the functions with the most self time, for each `.cpuprofile` in a
 * folder (what `--cpu-prof` writes; e2e.js --cpu-prof DIR profiles the stack's Node processes).
 *
 *   node dist/bench/profile-summary.js DIR [--top 15]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseFlags } from './lib/args';
import { fmt, printTable } from './lib/stats';

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string; lineNumber: number } }>;
  samples: number[];
  timeDeltas: number[];
}

/** Self time (ms) by function and file, the idle time apart. */
function selfTimes(profile: CpuProfile): { total: number; idle: number; byFunction: Map<string, number> } {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFunction = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const node of profile.nodes) {
    const t = byNode.get(node.id) ?? 0;
    total += t;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === '(idle)') idle += t;
    const where = url ? ` ${url.replace(/^file:\/\//, '').split('/node_modules/').pop()!.replace(/^.*\/dist\//, 'dist/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}${where}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + t);
  }
  return { total, idle, byFunction };
}

function main(): void {
  const dir = process.argv[2];
  if (!dir || dir.startsWith('--')) throw new Error('usage: profile-summary.js DIR [--top 15]');
  const flags = parseFlags('Top self-time functions of each CPU profile in DIR.', { top: 15 }, process.argv.slice(3));
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const { total, idle, byFunction } = selfTimes(profile);
    const busy = total - idle;
    const rows = [...byFunction.entries()]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, flags.top)
      .map(([k, t]) => [`\`${k}\``, fmt(t), `${fmt((100 * t) / Math.max(busy, 1), 1)} %`]);
    printTable(`${file}: ${fmt(busy)} ms busy of ${fmt(total)} ms`, ['function (self time)', 'ms', 'of busy'], rows);
  }
}

main();
