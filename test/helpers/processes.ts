/** The compiled API and worker as real child processes (`node dist/...`), with their output collected. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../config/paths';

/** A running child: its output so far and its exit. */
export interface SpawnedProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** The JSON log lines written to stdout so far. */
  logEntries(): Array<Record<string, unknown>>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** Resolves with the first log entry whose `msg` is `msg`. */
  waitForLog(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Starts `node dist/<script>` with `env` added to (or, for '' values, removed from) this process's environment. */
export function spawnDist(script: string, env: Record<string, string>): SpawnedProcess {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === '') delete childEnv[k];
    else childEnv[k] = v;
  }
  const child = spawn(process.execPath, [path.join(projectRoot(), 'dist', script)], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString('utf8')));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const logEntries = () =>
    out
      .split('\n')
      .slice(0, -1) // the last piece is an unfinished line
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    logEntries,
    exited,
    async waitForLog(msg, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = logEntries().find((e) => e.msg === msg);
        if (found) return found;
        if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode} before logging "${msg}":\n${err}\n${out}`);
        if (Date.now() > deadline) throw new Error(`${script} did not log "${msg}" within ${timeoutMs} ms:\n${err}\n${out}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}
