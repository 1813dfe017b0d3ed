/** Runs `count` tasks with at most `concurrency` in flight; the figure every throughput here is built on. */

/** How a batch went: its wall time and the tasks that failed (with their first few errors). */
export interface BatchResult {
  elapsedMs: number;
  failed: number;
  errors: string[];
}

/** Calls `task(i)` for i = 0 … count−1, `concurrency` at a time; a failure is counted, never thrown. */
export async function runConcurrently(count: number, concurrency: number, task: (i: number) => Promise<void>): Promise<BatchResult> {
  let next = 0;
  let failed = 0;
  const errors: string[] = [];
  const start = performance.now();
  const lane = async () => {
    for (let i = next++; i < count; i = next++) {
      try {
        await task(i);
      } catch (err) {
        failed += 1;
        if (errors.length < 5) errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, lane));
  return { elapsedMs: performance.now() - start, failed, errors };
}
