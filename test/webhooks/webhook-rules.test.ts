/** The pure rules of webhooks: the backoff schedule, which URLs may be registered, and sealed signing secrets. */
import { webhookUrlProblem } from '../../api/webhooks/endpoint-url';
import { newSigningSecret, openSecret, sealSecret } from '../../db/webhooks/secret-box';
import { nextWebhookAttemptAt, webhookRetryDelayMs } from '../../workflows/webhooks/delivery-schedule';
import { OneAtATime } from '../../workflows/webhooks/one-at-a-time';
import { DEFAULT_POLICY } from '../../workflows/shared/policy';

const HOUR = 3_600_000;

test('When an event keeps failing, then it waits 30 s, doubling up to an hour, and its last attempt is at the 3-day mark', () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 50].map((n) => webhookRetryDelayMs(n, DEFAULT_POLICY) / 1000)).toEqual([30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]);
  let at = 0;
  const times: number[] = [at];
  for (let failures = 1; ; failures += 1) {
    const next = nextWebhookAttemptAt(0, at, failures, DEFAULT_POLICY);
    if (next === null) break;
    times.push((at = next));
  }
  expect(times.at(-1)).toBe(72 * HOUR);
  expect(times.slice(1).every((t, i) => t - times[i]! <= HOUR)).toBe(true);
  // 8 attempts in the first hour and a bit, then one an hour until the 3-day mark.
  expect(times.length).toBe(79);
});

test('When a URL is registered, then a deployment takes https to a public host only; development also takes http to this machine', () => {
  expect(webhookUrlProblem('https://hooks.example.com/topup', 'https-only')).toBeNull();
  expect(webhookUrlProblem('http://hooks.example.com/topup', 'https-only')).toBe('must be https');
  expect(webhookUrlProblem('http://localhost:8080/hooks', 'https-only')).toBe('must be https');
  expect(webhookUrlProblem('http://localhost:8080/hooks', 'https-or-local-http')).toBeNull();
  expect(webhookUrlProblem('http://127.0.0.1:8080/hooks', 'https-or-local-http')).toBeNull();
  expect(webhookUrlProblem('http://10.0.0.5/hooks', 'https-or-local-http')).toBe('must be https (http only to localhost, 127.0.0.1 or [::1])');
  for (const internal of ['https://127.0.0.1/h', 'https://10.1.2.3/h', 'https://192.168.1.1/h', 'https://169.254.169.254/latest', 'https://[::1]/h', 'https://localhost/h']) {
    expect({ internal, problem: webhookUrlProblem(internal, 'https-only') }).toEqual({ internal, problem: 'must be a public host, not this machine or a private network address' });
  }
  expect(webhookUrlProblem('ftp://example.com', 'https-only')).toBe('must be https');
  expect(webhookUrlProblem('https://user:pw@example.com', 'https-only')).toBe('must not carry a user name or password');
  expect(webhookUrlProblem('not a url', 'https-only')).toMatch(/absolute URL/);
});

test('When a signing secret is sealed, then it opens with the same key only, and the sealed bytes do not contain it', () => {
  const secret = newSigningSecret();
  const key = 'a-key-of-at-least-32-characters-0123456789';
  const sealed = sealSecret(secret, key);
  expect(sealed.includes(Buffer.from(secret))).toBe(false);
  expect(openSecret(sealed, key)).toBe(secret);
  expect(() => openSecret(sealed, 'another-key-of-at-least-32-characters-012345')).toThrow(/another WEBHOOK_SECRET_KEY/);
});

test('When several ask for the turn to an endpoint at once, then one holds it at a time, in the order they asked', async () => {
  const turns = new OneAtATime();
  let holding = 0;
  let most = 0;
  const order: string[] = [];
  const use = async (name: string) => {
    await turns.take();
    holding += 1;
    most = Math.max(most, holding);
    order.push(name);
    await new Promise((r) => setTimeout(r, 5));
    holding -= 1;
    turns.give();
  };
  await Promise.all(['automatic 1', 'test', 'automatic 2', 'redeliver'].map(use));
  expect({ most, order }).toEqual({ most: 1, order: ['automatic 1', 'test', 'automatic 2', 'redeliver'] });
});
