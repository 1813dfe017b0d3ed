/**
 * The development SMTP sink (npm `smtp-server`), used when SMTP_URL is not set: it accepts every message
 * and keeps it as an `.eml` file, so a developer (or a test) can read exactly what the system sent.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A received message: the envelope and the raw RFC 5322 source. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
  file: string | null;
}

/** A running sink. */
export interface SmtpSink {
  port: number;
  url: string;
  /** Every message received since start, oldest first. */
  messages: ReceivedMail[];
  close(): Promise<void>;
}

/** Starts a sink on `port` (0: a free one), writing `.eml` files into `mailDir` when given. */
export async function startSmtpSink(opts: { port?: number; host?: string; mailDir?: string } = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  if (opts.mailDir) fs.mkdirSync(opts.mailDir, { recursive: true });
  let counter = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        let file: string | null = null;
        if (opts.mailDir) {
          counter += 1;
          const stamp = new Date().toISOString().replace(/[:.]/g, '-');
          file = path.join(opts.mailDir, `${stamp}-${process.pid}-${counter}.eml`);
          fs.writeFileSync(file, raw);
        }
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          file,
        });
        callback();
      });
    },
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  server.on('error', () => undefined);
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    url: `smtp://${host}:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
