/**
 * The process logger: JSON lines through pino, one `service` per process. Request logs are allow-listed (see
 * api/shared/http-logging.ts); the redaction below is the second line of defence, so a credential, a callback
 * signature or a file's bytes that reach a log line by mistake are censored rather than written.
 */
import pino, { type DestinationStream, type Level, type Logger } from 'pino';

/** Field names whose values are never written, at the top level or one object down. */
const SECRET_FIELDS = ['authorization', 'cookie', 'token', 'password', 'secret', 'apiKey', 'callbackSecret', 'signature', 'content', 'contentBase64', 'rawBody'];

/** pino redaction paths for {@link SECRET_FIELDS} and the headers that carry credentials. */
export const REDACTED_PATHS = [
  ...SECRET_FIELDS,
  ...SECRET_FIELDS.map((f) => `*.${f}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-sandbox-signature"]',
  'res.headers["set-cookie"]',
];

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  level: Level | 'silent';
  /** Which process writes: `api` or `worker`. */
  service: string;
}

/** A pino logger writing one JSON object per line to `destination` (stdout unless given). */
export function createLogger(opts: LoggerOptions, destination?: DestinationStream): Logger {
  const options = {
    level: opts.level,
    base: { service: opts.service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err, error: pino.stdSerializers.err },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
