/**
 * The console's only way to the server: the same /v1 API as every other client, with the bearer token of
 * the session. Every refusal becomes an ApiError carrying the API's `error.fields[]` (path and rule).
 */
import { clearSession, token } from './session';

/** A field the API named with the rule it broke. */
export interface FieldProblem {
  path: string;
  rule: string;
}

/** A refusal of the API: its status, code, message and fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

/** Called when the token stops being valid (the console then shows the sign-in page). */
let onUnauthenticated: () => void = () => undefined;
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

async function send(method: string, path: string, body?: unknown, headers: Record<string, string> = {}, bearer = token()): Promise<Response> {
  const init: RequestInit = { method, headers: { Accept: 'application/json', ...headers } };
  if (bearer) (init.headers as Record<string, string>).Authorization = `Bearer ${bearer}`;
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    (init.headers as Record<string, string>)['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
  if (res.ok) return res;
  const problem = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; fields?: FieldProblem[] } } | null;
  const error = new ApiError(res.status, problem?.error?.code ?? 'http_error', problem?.error?.message ?? `HTTP ${res.status}`, problem?.error?.fields ?? []);
  if (res.status === 401 && bearer === token()) {
    clearSession();
    onUnauthenticated();
  }
  throw error;
}

/** Calls the API and answers its JSON. */
export async function api<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const res = await send(method, path, body, headers);
  return (await res.json()) as T;
}

/** Calls the API with a token that is not the session's yet (signing in). */
export async function apiWithToken<T>(path: string, bearer: string): Promise<T> {
  const res = await send('GET', path, undefined, {}, bearer);
  return (await res.json()) as T;
}

/** Fetches a file the API serves (slip, receipt, invoice) with the session's token. */
export async function apiFile(path: string): Promise<Blob> {
  const res = await send('GET', path);
  return res.blob();
}

/** A fresh base for `Idempotency-Key`s, one per form shown. */
export function idempotencyKey(): string {
  const random = globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  return `console-${random}`;
}

/**
 * The `Idempotency-Key` of sending `body` from the form keyed `base`: a double click or a retry of the same
 * request makes one order, while a corrected request after a refusal (the API keeps 4xx answers too) is new.
 */
export function idempotencyKeyFor(base: string, body: unknown): string {
  let hash = 0x811c9dc5;
  for (const char of JSON.stringify(body)) hash = Math.imul(hash ^ char.charCodeAt(0), 0x01000193) >>> 0;
  return `${base}-${hash.toString(16)}`;
}
