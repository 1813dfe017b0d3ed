/**
 * A process's first database work (migrations) retried while PostgreSQL is restarting or not yet accepting
 * connections, instead of exiting: with two workers, a worker restarted while PostgreSQL restarts used to die at
 * its start and be restarted again and again by its supervisor (the cluster fault campaign counted 27 in five
 * seeds). Any other error, or PostgreSQL still away after `timeoutMs`, fails as before.
 */

/** SQLSTATEs and socket errors of a server that is starting, stopping or not there yet. */
const TRANSIENT = new Set(['57P03', '57P01', '57P02', '08001', '08006', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

/** True for an error that waiting can cure (see TRANSIENT). */
export function isDatabaseStarting(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && TRANSIENT.has(code);
}

/** Runs `work`, again every second while it fails because PostgreSQL is not accepting connections, for up to `timeoutMs`. */
export async function whenDatabaseAccepts<T>(work: () => Promise<T>, opts: { timeoutMs: number; onWait?: (err: unknown) => void }): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    try {
      return await work();
    } catch (err) {
      if (!isDatabaseStarting(err) || Date.now() > deadline) throw err;
      opts.onWait?.(err);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}
