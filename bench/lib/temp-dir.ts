/** A throwaway folder per benchmark run, removed at the end (kept with BENCH_KEEP_DATA=1). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A fresh folder under the system temp dir that the embedded PostgreSQL (run as `postgres`) can enter. */
export function makeTempDir(name: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `topup-bench-${name}-`));
  fs.chmodSync(dir, 0o755);
  return {
    dir,
    remove() {
      if (process.env.BENCH_KEEP_DATA !== '1') fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
