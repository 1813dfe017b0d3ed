/**
 * A real HTTP receiver for webhooks (node:http on a free port, as a customer would run one), and the verification
 * code of docs/webhooks.md, loaded from the document itself so the test runs what receivers are told to run.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../config/paths';
import { setInBeforeAll } from './set-in-before-all';

/** One request as it arrived. */
export interface ReceivedWebhook {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The body exactly as received. */
  rawBody: Buffer;
  /** The event, parsed (no verification). */
  event: { id: string; type: string; created: string; accountId: string; data: Record<string, any> };
  /** Wall-clock arrival, ms. */
  at: number;
}

/** How the receiver answers the n-th request (1-based) to a path: a status, after a delay. */
export type Answer = { status: number; delayMs?: number; body?: string };

/** A running receiver. */
export interface WebhookReceiver {
  /** The URL of `path` on the receiver (http://127.0.0.1:port/path). */
  url(path: string): string;
  /** Every request, in arrival order. */
  received: ReceivedWebhook[];
  /** Requests to one path, in arrival order. */
  at(path: string): ReceivedWebhook[];
  /** Sets how `path` answers; 204 unless set. */
  answer(path: string, fn: (n: number, req: ReceivedWebhook) => Answer): void;
  /** The most requests to `path` that were open at once. */
  maxInFlight(path: string): number;
  close(): Promise<void>;
}

/** Starts a receiver on 127.0.0.1 and a free port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const answers = new Map<string, (n: number, req: ReceivedWebhook) => Answer>();
  const open = new Map<string, number>();
  const most = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    const opened = new URL(req.url ?? '/', 'http://x').pathname;
    open.set(opened, (open.get(opened) ?? 0) + 1);
    most.set(opened, Math.max(most.get(opened) ?? 0, open.get(opened)!));
    res.once('close', () => open.set(opened, open.get(opened)! - 1));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      const pathName = new URL(req.url ?? '/', 'http://x').pathname;
      const got: ReceivedWebhook = { path: pathName, headers: req.headers, rawBody, event: JSON.parse(rawBody.toString('utf8') || '{}'), at: Date.now() };
      received.push(got);
      const n = received.filter((r) => r.path === pathName).length;
      const answer = answers.get(pathName)?.(n, got) ?? { status: 204 };
      const send = () => {
        if (!res.destroyed) res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (p) => `http://127.0.0.1:${port}${p.startsWith('/') ? p : `/${p}`}`,
    received,
    at: (p) => received.filter((r) => r.path === p),
    answer: (p, fn) => answers.set(p, fn),
    maxInFlight: (p) => most.get(p) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The documented verifier's signature. */
export type VerifyWebhook = (rawBody: Buffer | string, signatureHeader: string | undefined, secrets: string | string[], nowSeconds?: number) => ReceivedWebhook['event'];

/** Loads `verify-webhook.js` from its code block in docs/webhooks.md. */
export function loadDocumentedVerifier(): VerifyWebhook {
  const doc = fs.readFileSync(path.join(projectRoot(), 'docs', 'webhooks.md'), 'utf8');
  const block = /```js\n(\/\/ verify-webhook\.js[\s\S]*?)```/.exec(doc)?.[1];
  if (!block) throw new Error('docs/webhooks.md has no verify-webhook.js code block');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'verify-webhook-')), 'verify-webhook.js');
  fs.writeFileSync(file, block);
  return (require(file) as { verifyWebhook: VerifyWebhook }).verifyWebhook;
}

/**
 * A receiver started before the file's tests (in a `beforeAll` registered here, so it runs before the file's own) and
 * closed after them; usable from the file's hooks and tests.
 */
export function useWebhookReceiver(): WebhookReceiver {
  let receiver: WebhookReceiver | undefined;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });
  const started = setInBeforeAll(() => receiver, 'The webhook receiver is not started');
  return {
    url: (p) => started().url(p),
    get received() {
      return started().received;
    },
    at: (p) => started().at(p),
    answer: (p, fn) => started().answer(p, fn),
    maxInFlight: (p) => started().maxInFlight(p),
    close: () => started().close(),
  };
}
