import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const pg = (globalThis as { __topupTestPostgres?: { stop(): Promise<void> } }).__topupTestPostgres;
  await pg?.stop();
  const runDir = process.env.TOPUP_TEST_RUN_DIR;
  if (runDir) fs.rmSync(runDir, { recursive: true, force: true });
}
