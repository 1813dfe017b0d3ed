/**
 * One HTTP attempt of a webhook: POST the body with its headers, no redirect followed, bounded by the policy's
 * timeout. A 2xx answer within the bound is delivered; anything else (another status, a refused connection, the
 * bound passing) is a failed attempt, with what was answered kept for the delivery log.
 */

/** The longest piece of an answer the delivery log keeps. */
const EXCERPT_CHARS = 500;
/** Bytes of an answer read at most (the rest is never downloaded). */
const READ_BYTES = 4_096;

/** How the attempt went. */
export interface PostOutcome {
  statusCode: number | null;
  /** From sending to the answer's status line, ms. */
  latencyMs: number;
  delivered: boolean;
  error: string | null;
  responseExcerpt: string | null;
}

/** The start of an answer's body, read up to {@link READ_BYTES}. */
async function excerpt(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < READ_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // The bound passed while the body streamed in: what came is enough for the log.
  } finally {
    void reader.cancel().catch(() => undefined);
  }
  const text = Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS);
  return text === '' ? null : text;
}

/** POSTs `body` to `url` once and says how it went; never throws for the endpoint's failures. */
export async function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<PostOutcome> {
  const signal = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal });
  } catch (err) {
    const latencyMs = Math.round(performance.now() - started);
    const reason = signal.aborted ? `no answer within ${timeoutMs} ms` : describeNetworkError(err);
    return { statusCode: null, latencyMs, delivered: false, error: reason, responseExcerpt: null };
  }
  const latencyMs = Math.round(performance.now() - started);
  const delivered = res.status >= 200 && res.status < 300;
  const error = delivered ? null : res.status >= 300 && res.status < 400 ? `HTTP ${res.status}: redirects are not followed` : `HTTP ${res.status}`;
  return { statusCode: res.status, latencyMs, delivered, error, responseExcerpt: await excerpt(res) };
}

/** The cause of a failed fetch in a few words (`connect ECONNREFUSED 127.0.0.1:9`). */
function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) return cause.message;
  return err instanceof Error ? err.message : String(err);
}
