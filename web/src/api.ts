/**
 * The console's only way to the server: the same /v1 API as every other client. The session travels in its
 * HttpOnly cookie, which this code never sees; every request that changes something carries the session's CSRF
 * token in X-CSRF-Token. Every refusal becomes an ApiError carrying the API's `error.fields[]` (path and rule), in the
 * console's language.
 */
import { currentLang } from './i18n';
import { clearSession, csrfToken, signedIn } from './session';

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

/** Called when the session stops being valid (the console then shows the sign-in page). */
let onUnauthenticated: () => void = () => undefined;
export function whenUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

async function send(method: Method, path: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Response> {
  // Refusals come back in the console's language (the API reads Accept-Language: en or id).
  const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Language': currentLang(), ...extraHeaders };
  const csrf = csrfToken();
  if (method !== 'GET' && csrf) headers['X-CSRF-Token'] = csrf;
  const init: RequestInit = { method, headers, credentials: 'same-origin' };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const wasSignedIn = signedIn();
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached.');
  }
  if (res.ok) return res;
  const problem = (await res.json().catch(() => null)) as { error?: { code?: string; message?: string; fields?: FieldProblem[] } } | null;
  const error = new ApiError(res.status, problem?.error?.code ?? 'http_error', problem?.error?.message ?? `HTTP ${res.status}`, problem?.error?.fields ?? []);
  // The session ended (signed out elsewhere, timed out, the user disabled): back to the sign-in page.
  if (res.status === 401 && wasSignedIn) {
    clearSession();
    onUnauthenticated();
  }
  throw error;
}

/** Calls the API and answers its JSON (undefined for 204 No Content). */
export async function api<T>(method: Method, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
  const res = await send(method, path, body, headers);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** Fetches a file the API serves (slip, receipt, invoice) with the session's cookie. */
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
