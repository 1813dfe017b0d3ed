/**
 * Process settings from environment variables, validated once at start with zod. A bad setting stops the
 * process with a message naming it and the rule it breaks.
 */
import path from 'node:path';
import { z } from 'zod';
import { projectRoot } from './paths';

/** A whole number in [min, max]; every way of breaking it is reported with the one `rule`. */
function wholeNumber(min: number, max: number, rule: string) {
  return z.coerce.number({ error: rule }).int(rule).min(min, rule).max(max, rule);
}

const port = wholeNumber(1, 65535, 'must be a port number from 1 to 65535');

const SettingsSchema = z.object({
  PORT: port.default(3000),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  MAIL_FROM: z.string().min(3).default('Top-up <billing@topup.local>'),
  TEMPORAL_ADDRESS: z.string().regex(/^[\w.-]+:\d+$/, 'must be host:port').default('localhost:7233'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('topup'),
  TEMPORAL_UI_PORT: port.default(8233),
  DATA_DIR: z.string().min(1).default(path.join(projectRoot(), '.data')),
  EMBEDDED_PG_PORT: port.default(5433),
  SMTP_SINK_PORT: port.default(2525),
  TOPUP_POLICY_FILE: z.string().min(1).optional(),
  PROVIDER_NAME: z.string().min(1).default('PT Topup Layanan Digital'),
  PROVIDER_ADDRESS: z.string().min(1).default('Jl. Jenderal Sudirman Kav. 52-53, Jakarta Selatan 12190, Indonesia'),
  PROVIDER_EMAIL: z.email().default('billing@topup.local'),
  PROVIDER_BANK_NAME: z.string().min(1).default('Bank Central Asia (BCA)'),
  PROVIDER_BANK_ACCOUNT_NAME: z.string().min(1).default('PT Topup Layanan Digital'),
  PROVIDER_BANK_ACCOUNT_NUMBER: z.string().regex(/^\d{6,20}$/, '6 to 20 digits').default('5260123456'),
  PAYMENT_GATEWAY_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  PAYMENT_PROVIDER_API_KEY: z.string().min(8, 'at least 8 characters').default('sandbox-api-key-dev'),
  PAYMENT_CALLBACK_SECRET: z.string().min(16, 'at least 16 characters').default('sandbox-callback-secret-dev'),
  SANDBOX_GATEWAY_PORT: port.default(4010),
  /**
   * Where people open the web console, as the links in emails name it; its cookies are Secure when it is https.
   * npm start's API port by default.
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL, e.g. https://topup.example.com' }).optional(),
  /**
   * The key password-link tokens are derived with (HMAC-SHA256): whoever has it and the database can make a link,
   * so a deployment sets its own (the compose file does) and keeps it with the other secrets.
   */
  PASSWORD_LINK_SECRET: z.string().min(32, 'at least 32 characters').default('dev-password-link-secret-change-me-0123456789'),
  /**
   * The key webhook signing secrets are sealed under at rest (AES-256-GCM): the API seals a new secret, the worker
   * opens it to sign. A deployment sets its own and keeps it with the other secrets; losing it loses every secret.
   */
  WEBHOOK_SECRET_KEY: z.string().min(32, 'at least 32 characters').default('dev-webhook-secret-key-change-me-0123456789'),
  /**
   * Which webhook URLs an owner may register: `https` only (a deployment), or also `http` to this machine
   * (`localhost`, 127.0.0.1, ::1) for a receiver under development. npm start allows local http.
   */
  WEBHOOK_URLS: z.enum(['https-only', 'https-or-local-http'], { error: 'must be https-only or https-or-local-http' }).default('https-only'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The worker's Prometheus endpoint (`/metrics`): the Temporal SDK's metrics and the worker's own. */
  WORKER_METRICS_PORT: port.default(9464),
  /**
   * The address the worker's metrics listen on. They need no token, so only this host by default; a deployment
   * that scrapes them from elsewhere opens them on its own network (the compose file sets 0.0.0.0).
   */
  WORKER_METRICS_HOST: z.union([z.ipv4(), z.ipv6()], { error: 'must be an IP address to listen on, e.g. 127.0.0.1 or 0.0.0.0' }).default('127.0.0.1'),
  /** Slip uploads one user may make in 10 minutes on one API process (429 with Retry-After past it). */
  SLIP_UPLOADS_PER_10_MINUTES: wholeNumber(1, 1_000_000, 'must be a whole number from 1 to 1000000').default(30),
  /** Slip uploads all users of one customer account may make together in 10 minutes on one API process. */
  SLIP_UPLOADS_PER_ACCOUNT_PER_10_MINUTES: wholeNumber(1, 1_000_000, 'must be a whole number from 1 to 1000000').default(60),
  /**
   * How long `POST /v1/online-orders/{n}/confirm` waits for the payment gateway's invoice before answering 503
   * with Retry-After and the order, "issuing" it (the issuance goes on; the same confirm again joins it).
   */
  CONFIRM_PAYMENT_WAIT_SECONDS: wholeNumber(1, 50, 'must be a whole number of seconds from 1 to 50').default(5),
  /** Where the sandbox gateway that `npm start` runs keeps its invoices and payments (a JSON-lines journal). */
  SANDBOX_GATEWAY_DATA_FILE: z.string().min(1).optional(),
  /**
   * The worker's V8 heap limit (`--max-old-space-size`) when `npm start` runs it. With Node's default (a quarter
   * of the machine's memory) the heap grows lazily and the worker passed 400 MB with 1,000 open orders.
   */
  WORKER_HEAP_MB: wholeNumber(128, 65_536, 'must be a whole number of MiB from 128 to 65536').default(512),
  /**
   * The worker's V8 semi-space (`--max-semi-space-size`, MiB) when `npm start` runs it; it bounds the young generation
   * of the worker's main thread and of its workflow thread alike. With Node 24's default (64 MiB for this heap limit)
   * the workflow thread's heap grew to 190 MB with 1,000 orders open, of which 60 MB was live (bench/open-orders.ts).
   */
  WORKER_SEMI_SPACE_MB: wholeNumber(1, 1024, 'must be a whole number of MiB from 1 to 1024').default(4),
  /**
   * The API process's V8 semi-space (`--max-semi-space-size`, MiB) when `npm start` runs it. Node 24's default lets
   * the young generation grow past 100 MB under a fast allocator such as a CSV export streaming a million statement
   * lines, though what is live stays flat; 16 keeps the API's memory within 50 MB of idle (bench/statement-csv.ts).
   */
  API_SEMI_SPACE_MB: wholeNumber(1, 1024, 'must be a whole number of MiB from 1 to 1024').default(16),
  /**
   * Workflows the worker keeps in memory between their tasks. Orders wait hours to days between messages, so a
   * small cache costs a replay now and then; the SDK's default grows with the heap limit (2,310 here, ~1.4 GB).
   */
  WORKER_MAX_CACHED_WORKFLOWS: wholeNumber(0, 100_000, 'must be a whole number from 0 to 100000').default(200),
  /**
   * How long a usage charge waits for others arriving at the same time on one API process, so they are applied in one
   * ledger transaction (one commit; a hot wallet's lock held once for the group). 0 applies each on its own.
   */
  USAGE_BATCH_WINDOW_MS: wholeNumber(0, 100, 'must be a whole number of milliseconds from 0 to 100').default(2),
  /** The most usage charges applied in one ledger transaction (a group is sent at once when it is full). */
  USAGE_BATCH_MAX: wholeNumber(1, 64, 'must be a whole number from 1 to 64').default(50),
});

/** Validated settings. */
export type Settings = z.infer<typeof SettingsSchema>;

/** The console's public URL: PUBLIC_URL, or the API's own port on this machine. */
export function publicUrl(settings: Settings): string {
  return (settings.PUBLIC_URL ?? `http://localhost:${settings.PORT}`).replace(/\/+$/, '');
}

/** Thrown for invalid settings; the message names every bad variable. */
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Reads and validates settings from `env`. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  const defined = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = SettingsSchema.safeParse(defined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new SettingsError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
