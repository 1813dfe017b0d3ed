/**
 * Which webhook URLs may be registered (WEBHOOK_URLS): https, to a host on the internet; in development also http
 * to this machine. An https URL naming this machine or a private network by address is refused, so an endpoint
 * cannot make the worker call into the provider's own network by its address.
 */
import { isIP } from 'node:net';

/** `https-only` in a deployment; `https-or-local-http` lets a receiver under development run on this machine. */
export type WebhookUrlRule = 'https-only' | 'https-or-local-http';

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** IPv4 and IPv6 literals of loopback, private, link-local and unspecified addresses. */
function isInternalAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) {
    const [a, b] = bare.split('.').map(Number) as [number, number];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  if (isIP(bare) === 6) return bare === '::1' || bare === '::' || /^f[cd]/i.test(bare) || /^fe[89ab]/i.test(bare) || /^::ffff:/i.test(bare);
  return false;
}

/** The rule `url` breaks under `rule`, or null when it may be registered. */
export function webhookUrlProblem(url: string, rule: WebhookUrlRule): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute URL, e.g. https://example.com/webhooks';
  }
  if (parsed.username || parsed.password) return 'must not carry a user name or password';
  if (parsed.hash) return 'must not have a #fragment';
  const local = LOCAL_HOSTS.has(parsed.hostname);
  if (parsed.protocol === 'http:') {
    return rule === 'https-or-local-http' && local ? null : rule === 'https-only' ? 'must be https' : 'must be https (http only to localhost, 127.0.0.1 or [::1])';
  }
  if (parsed.protocol !== 'https:') return 'must be https';
  if (rule === 'https-only' && (local || isInternalAddress(parsed.hostname) || parsed.hostname.endsWith('.localhost'))) {
    return 'must be a public host, not this machine or a private network address';
  }
  return null;
}
