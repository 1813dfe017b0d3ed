/** Real dependencies for the activities in tests: a test database, the SMTP sink, a mailer to it. */
import { createMailer, type Mailer } from '../../activities/mailer';
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

/** A database, a mail sink and a mailer wired together; `close()` stops them all. */
export interface TestActivityDeps {
  db: TestDatabase;
  sink: SmtpSink;
  mailer: Mailer;
  deps: { pool: TestDatabase['pool']; mailer: Mailer; provider: ProviderInfo };
  close(): Promise<void>;
}

export async function createTestActivityDeps(): Promise<TestActivityDeps> {
  const [db, sink] = await Promise.all([createTestDatabase(), startSmtpSink()]);
  const mailer = createMailer({ smtpUrl: sink.url, from: 'Top-up Test <billing@provider.test>' });
  return {
    db,
    sink,
    mailer,
    deps: { pool: db.pool, mailer, provider: TEST_PROVIDER },
    async close() {
      mailer.close();
      await sink.close();
      await db.drop();
    },
  };
}
