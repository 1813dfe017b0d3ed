/**
 * Memory of the stack's processes, read from /proc (Linux): the worker and the API are children of the
 * benchmark process (startDevStack spawns them), found by parent pid and script path, so another stack
 * running on the same machine is never measured by mistake.
 */
import fs from 'node:fs';

/** Resident memory now and its high-water mark, in MiB. */
export interface ProcessMemory {
  pid: number;
  rssMiB: number;
  peakRssMiB: number;
}

/** The pid of this process's child running `script` (e.g. `dist/worker/main.js`). */
export function childPid(script: string, parent = process.pid): number {
  const [pid] = childPids(script, parent);
  if (pid === undefined) throw new Error(`no child process of ${parent} runs ${script}`);
  return pid;
}

/** The pids of every child of this process whose command line has an argument ending in `script` (two workers, say). */
export function childPids(script: string, parent = process.pid): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parent) continue;
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (cmdline.some((arg) => arg.endsWith(script) || arg.includes(`/${script}`))) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found.sort((a, b) => a - b);
}

/** VmRSS and VmHWM of `pid`. */
export function processMemory(pid: number): ProcessMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { pid, rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
}

/** Total CPU time (user + system) of `pid` so far, in seconds. */
export function processCpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of stat, i.e. 11 and 12 after the command name and state, in clock
  // ticks: 100 a second on Linux (getconf CLK_TCK).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds the children of `pid` used that have exited and been waited for (cutime + cstime). */
function exitedChildrenCpuSeconds(pid: number): number {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const after = fields.slice(fields.lastIndexOf(')') + 2).split(' ');
  return (Number(after[13]) + Number(after[14])) / 100;
}

/**
 * CPU seconds of `pid` and every process below it (PostgreSQL's backends under the embedded server, say), those that
 * have exited included (a pool's connection closed meanwhile takes its backend's CPU into its parent's account).
 */
export function treeCpuSeconds(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone while we looked.
    }
  }
  let total = 0;
  const visit = (p: number) => {
    try {
      total += processCpuSeconds(p) + exitedChildrenCpuSeconds(p);
    } catch {
      return;
    }
    for (const c of children.get(p) ?? []) visit(c);
  };
  visit(pid);
  return total;
}

/**
 * Proportional memory (PSS) of `pid` and every process below it, in MiB: each shared page is split among the
 * processes that map it, so PostgreSQL's shared buffers count once, not once per backend as their RSS would.
 */
export function treePssMiB(pid: number): number {
  let total = 0;
  const visit = (p: number) => {
    try {
      const rollup = fs.readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      total += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0) / 1024;
    } catch {
      return;
    }
    for (const entry of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
        if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === p) visit(Number(entry));
      } catch {
        // Gone while we looked.
      }
    }
  };
  visit(pid);
  return total;
}
