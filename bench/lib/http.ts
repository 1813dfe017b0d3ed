/** Timed HTTP calls to the API with plain fetch (keep-alive), for the per-call latency series. */
import { encodePng } from '../../scripts/png';

/** An answer and how long it took, in milliseconds. */
export interface TimedAnswer {
  status: number;
  body: Record<string, unknown>;
  ms: number;
}

/** Calls the API with a bearer token and a JSON body (when given); never throws on a status. */
export async function callJson(base: string, method: string, path: string, token: string, body?: unknown): Promise<TimedAnswer> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const start = performance.now();
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const parsed = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body: parsed, ms: performance.now() - start };
}

/** Uploads `content` as the order's payment slip (multipart field `slip`). */
export async function uploadSlip(base: string, orderNumber: string, token: string, content: Uint8Array, fileName = 'slip.png'): Promise<TimedAnswer> {
  const form = new FormData();
  form.append('slip', new Blob([content], { type: 'image/png' }), fileName);
  const start = performance.now();
  const res = await fetch(`${base}/v1/orders/${orderNumber}/slip`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  const parsed = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body: parsed, ms: performance.now() - start };
}

/** Throws unless the answer has the expected status, naming the call and the API's error. */
export function expectStatus(what: string, answer: TimedAnswer, status: number): TimedAnswer {
  if (answer.status !== status) throw new Error(`${what}: HTTP ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
  return answer;
}

/**
 * A real PNG slip of about `bytes` bytes (the API decodes it and stores it encoded anew): a square of noise,
 * which deflate cannot shrink, so the file is as large as its pixels.
 */
export function pngSlipOfSize(bytes: number): Uint8Array {
  const side = Math.max(1, Math.floor(Math.sqrt(bytes / 3)));
  // xorshift32: a fixed sequence that deflate finds nothing to shorten in.
  let state = 0x9e3779b9;
  const byte = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state & 0xff;
  };
  return encodePng(side, side, () => [byte(), byte(), byte()]);
}
