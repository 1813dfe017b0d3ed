/**
 * Recorded workflow histories for the replay test (test/orders/replay.test.ts). With RECORD_HISTORIES=1 a test writes
 * the history of a path under test/histories/<name>.json; otherwise recording is a no-op.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

/** Where the recorded histories live. */
export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');

const { History } = temporal.api.history.v1;

/** Writes the handle's history as `<name>.json` when RECORD_HISTORIES=1. */
export async function recordHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await handle.fetchHistory();
  fs.mkdirSync(HISTORIES_DIR, { recursive: true });
  // historyToJSON of @temporalio/common trips over the second protobufjs copy npm nests under it; the
  // proto's own JSON form (enum names, string longs, base64 bytes) is what History.fromObject reads back.
  fs.writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), JSON.stringify(History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String }), null, 1));
}

/** Reads a recorded history back. */
export function readHistory(file: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(fs.readFileSync(path.join(HISTORIES_DIR, file), 'utf8')) as object);
}
