/** Polling for what happens after an answer (emails, visibility, callbacks): real time, bounded. */

/**
 * Reads until `ok` holds or `timeoutMs` passes, and returns the last reading either way, so the test's own
 * assertion on it says what was wrong.
 */
export async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
