/**
 * Registers the custom search attributes ops filter by in the Temporal UI. Idempotent: run by the worker at
 * start (so a compose stack or a fresh cluster gets them) and by the tests on the time-skipping server.
 */
import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../workflows/definitions';

const { IndexedValueType } = temporal.api.enums.v1;

const INDEXED_TYPE: Record<SearchAttributeType, temporal.api.enums.v1.IndexedValueType> = {
  [SearchAttributeType.TEXT]: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  [SearchAttributeType.KEYWORD]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  [SearchAttributeType.INT]: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  [SearchAttributeType.DOUBLE]: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  [SearchAttributeType.BOOL]: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  [SearchAttributeType.DATETIME]: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  [SearchAttributeType.KEYWORD_LIST]: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

const GRPC_ALREADY_EXISTS = 6;
const GRPC_UNIMPLEMENTED = 12;

/** Names the namespace knows; the Java time-skipping server cannot list them, so there it knows none yet. */
async function listSearchAttributeNames(connection: Connection, namespace: string): Promise<Set<string>> {
  try {
    const existing = await connection.operatorService.listSearchAttributes({ namespace });
    return new Set([...Object.keys(existing.customAttributes ?? {}), ...Object.keys(existing.systemAttributes ?? {})]);
  } catch (err) {
    if ((err as { code?: number }).code === GRPC_UNIMPLEMENTED) return new Set();
    throw err;
  }
}

/** Adds the search attributes that the namespace does not have yet; returns the names added. */
export async function registerSearchAttributes(
  connection: Connection,
  namespace: string,
  keys: readonly { name: string; type: SearchAttributeType }[] = SEARCH_ATTRIBUTES,
): Promise<string[]> {
  const known = await listSearchAttributeNames(connection, namespace);
  const missing = keys.filter((k) => !known.has(k.name));
  if (missing.length === 0) return [];
  try {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED_TYPE[k.type]])),
    });
  } catch (err) {
    // Another process registered them first (workers starting together), or a server that cannot list them has them.
    if ((err as { code?: number }).code === GRPC_ALREADY_EXISTS) return [];
    throw err;
  }
  return missing.map((k) => k.name);
}
