/**
 * The campaign's HTTP client: a customer or finance app that retries what may not have arrived. A network
 * error, a 5xx, a 429 (after its Retry-After) and a 409 `request_in_progress` are retried with the same
 * request, Idempotency-Key included, until `giveUpAfterMs`; any other answer is returned to the caller.
 */

/** An answer, and how many attempts it took (more than one: an earlier attempt may have been applied). */
export interface Reply {
  status: number;
  body: Record<string, unknown>;
  attempts: number;
}

/** One request. `form` builds a multipart body afresh for each attempt. */
export interface Call {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string;
  token?: string;
  json?: unknown;
  form?: () => FormData;
  idempotencyKey?: string;
}

/** Counts every attempt, so the fault schedule can follow the load. */
export interface ClientStats {
  requests: number;
  retries: number;
  networkErrors: number;
  serverErrors: number;
  rateLimited: number;
  /** When an order moved: each 2xx answer to a request that changes one (scripts/faults/stalls.ts), in order. */
  moves: number[];
}

/** A client of the API at `baseUrl`. */
export function createClient(baseUrl: string, opts: { giveUpAfterMs: number; attemptTimeoutMs: number }) {
  const stats: ClientStats = { requests: 0, retries: 0, networkErrors: 0, serverErrors: 0, rateLimited: 0, moves: [] };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  async function attempt(call: Call): Promise<{ status: number; body: Record<string, unknown>; retryAfterMs: number } | null> {
    const headers: Record<string, string> = {};
    if (call.token) headers.authorization = `Bearer ${call.token}`;
    if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
    let body: string | FormData | undefined;
    if (call.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(call.json);
    } else if (call.form) body = call.form();
    stats.requests += 1;
    try {
      const res = await fetch(`${baseUrl}${call.path}`, { method: call.method, headers, body, signal: AbortSignal.timeout(opts.attemptTimeoutMs) });
      const text = await res.text();
      if (call.method !== 'GET' && res.status >= 200 && res.status < 300) stats.moves.push(Date.now());
      let parsed: Record<string, unknown> = {};
      try {
        parsed = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch {
        parsed = { text };
      }
      return { status: res.status, body: parsed, retryAfterMs: Number(res.headers.get('retry-after') ?? '1') * 1000 };
    } catch {
      stats.networkErrors += 1;
      return null;
    }
  }

  /** Sends `call`, retrying as described above. */
  async function send(call: Call): Promise<Reply> {
    const deadline = Date.now() + opts.giveUpAfterMs;
    let backoff = 100;
    for (let attempts = 1; ; attempts += 1) {
      const res = await attempt(call);
      const code = res ? (res.body.error as { code?: string } | undefined)?.code : undefined;
      const retry = !res || res.status >= 500 || res.status === 429 || (res.status === 409 && code === 'request_in_progress');
      if (!retry || Date.now() > deadline) return res ? { status: res.status, body: res.body, attempts } : { status: 0, body: {}, attempts };
      stats.retries += 1;
      if (res && res.status >= 500) stats.serverErrors += 1;
      if (res?.status === 429) stats.rateLimited += 1;
      await sleep(res?.status === 429 ? res.retryAfterMs : backoff);
      backoff = Math.min(2_000, backoff * 2);
    }
  }

  return { send, stats };
}

/** The campaign's client. */
export type Client = ReturnType<typeof createClient>;
