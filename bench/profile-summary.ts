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

/** Where a frame's code lives: an npm package, a folder of ours, Node itself, or the runtime (GC, native calls). */
function owner(functionName: string, url: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  const ours = /\/dist\/([^/]+)\//.exec(url);
  if (ours) return `ours: ${ours[1]}/`;
  if (url.startsWith('node:')) return 'Node.js (JS)';
  if (functionName.startsWith('(')) return functionName;
  return url ? 'other' : 'native (syscalls, C++)';
}

/** Self time (ms) by function and file and by owner, the idle time apart. */
function selfTimes(profile: CpuProfile): { total: number; idle: number; byFunction: Map<string, number>; byOwner: Map<string, number> } {
  const byNode = new Map<number, number>();
  profile.samples.forEach((id, i) => byNode.set(id, (byNode.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
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
    if (functionName !== '(idle)') byOwner.set(owner(functionName, url), (byOwner.get(owner(functionName, url)) ?? 0) + t);
  }
  return { total, idle, byFunction, byOwner };
}

function main(): void {
  const dir = process.argv[2];
  if (!dir || dir.startsWith('--')) throw new Error('usage: profile-summary.js DIR [--top 15]');
  const flags = parseFlags('Top self-time functions of each CPU profile in DIR.', { top: 15 }, process.argv.slice(3));
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as CpuProfile;
    const { total, idle, byFunction, byOwner } = selfTimes(profile);
    const busy = total - idle;
    const share = (t: number) => `${fmt((100 * t) / Math.max(busy, 1), 1)} %`;
    const owners = [...byOwner.entries()].sort((a, b) => b[1] - a[1]).slice(0, flags.top);
    printTable(`${file}: ${fmt(busy)} ms busy of ${fmt(total)} ms, by owner of the code`, ['owner', 'ms', 'of busy'], owners.map(([k, t]) => [k, fmt(t), share(t)]));
    const rows = [...byFunction.entries()]
      .filter(([k]) => !k.startsWith('(idle)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, flags.top)
      .map(([k, t]) => [`\`${k}\``, fmt(t), share(t)]);
    printTable(`${file}: functions with the most self time`, ['function', 'ms', 'of busy'], rows);
  }
}

main();
