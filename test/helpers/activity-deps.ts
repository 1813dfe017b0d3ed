/** Real dependencies for the activities in tests: a test database, the SMTP sink, a mailer to it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ActivityDeps } from '../../activities';
import { createMailer, type Mailer } from '../../activities/shared/mailer';
import { createSandboxProvider } from '../../activities/online/payment-provider';
import { startSandboxGateway, type SandboxGateway } from '../../scripts/sandbox-gateway';
import type { ProviderInfo } from '../../config/provider';
import { startSmtpSink, type SmtpSink } from '../../scripts/smtp-sink';
import { createTestDatabase, type TestDatabase } from './database';

/** The provider on every test receipt and email. */
export const TEST_PROVIDER: ProviderInfo = {
  name: 'PT Penyedia Uji',
  address: 'Jl. Uji No. 1, Jakarta',
  email: 'billing@provider.test',
  bank: { bankName: 'Bank Uji', accountName: 'PT Penyedia Uji', accountNumber: '1234567890' },
};

/** Where the console is in tests' links (no server there: tests read the token out of the link). */
export const TEST_PUBLIC_URL = 'http://console.test';

/** The key password-link tokens are derived with in tests. */
export const TEST_PASSWORD_LINK_SECRET = 'test-password-link-secret-0123456789abcdef';

/** The sandbox gateway's credentials in tests. */
export const TEST_GATEWAY = { apiKey: 'test-gateway-api-key', callbackSecret: 'test-callback-secret-0123456789' };

/** A database, a mail sink, a mailer and the sandbox payment gateway wired together; `close()` stops them all. */
export interface TestActivityDeps {
  db: TestDatabase;
  sink: SmtpSink;
  mailer: Mailer;
  /** The running sandbox gateway (a new one after `startGateway`). */
  gateway: SandboxGateway;
  deps: ActivityDeps;
  /** Stops the sandbox gateway: its port refuses connections, as a gateway that is down. */
  stopGateway(): Promise<void>;
  /** Starts it again on the same port with the same state (its journal file), as a gateway back from an outage. */
  startGateway(): Promise<SandboxGateway>;
  close(): Promise<void>;
}

/**
 * `callbackUrl`: where the sandbox gateway delivers payment callbacks (an API under test), if anywhere;
 * `emptyDatabase`: a database with no migration applied (a fresh deployment, which its first process migrates);
 * `publicUrl`: where password links point (the console of an API under test);
 * `gatewayTimeoutMs`: how long the adapter waits for the gateway (its default, 10 s, unless given).
 */
export async function createTestActivityDeps(
  opts: { callbackUrl?: string; emptyDatabase?: boolean; publicUrl?: string; gatewayTimeoutMs?: number } = {},
): Promise<TestActivityDeps> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-gateway-'));
  const gatewayOptions = { ...TEST_GATEWAY, callbackUrl: opts.callbackUrl ?? 'http://127.0.0.1:9/no-callbacks-in-this-test', dataFile: path.join(dataDir, 'journal.jsonl') };
  const [db, sink, gateway] = await Promise.all([createTestDatabase({ empty: opts.emptyDatabase ?? false }), startSmtpSink(), startSandboxGateway(gatewayOptions)]);
  const mailer = createMailer({ smtpUrl: sink.url, from: 'Top-up Test <billing@provider.test>' });
  let running: SandboxGateway | null = gateway;
  const t: TestActivityDeps = {
    db,
    sink,
    mailer,
    gateway,
    deps: {
      pool: db.pool,
      mailer,
      provider: TEST_PROVIDER,
      gateway: createSandboxProvider({ baseUrl: gateway.url, apiKey: TEST_GATEWAY.apiKey, ...(opts.gatewayTimeoutMs ? { timeoutMs: opts.gatewayTimeoutMs } : {}) }),
      publicUrl: opts.publicUrl ?? TEST_PUBLIC_URL,
      passwordLinkSecret: TEST_PASSWORD_LINK_SECRET,
    },
    async stopGateway() {
      await running?.close();
      running = null;
    },
    async startGateway() {
      await running?.close();
      running = await startSandboxGateway({ ...gatewayOptions, port: gateway.port });
      t.gateway = running;
      return running;
    },
    async close() {
      mailer.close();
      await running?.close();
      await sink.close();
      await db.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return t;
}
