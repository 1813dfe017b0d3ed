/**
 * The namespace of the cluster profile, registered at start with its retention, and its custom search
 * attributes. On SQL visibility those are per namespace (each name is an alias of a pre-made column of the
 * visibility table), so they are added after the namespace exists. Both steps are idempotent.
 */
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { registerSearchAttributes } from '../../worker/search-attributes';
import { SEARCH_ATTRIBUTES } from '../../workflows/definitions';

const GRPC_ALREADY_EXISTS = 6;
const GRPC_NOT_FOUND = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function registerNamespace(connection: Connection, namespace: string, retentionDays: number): Promise<boolean> {
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      description: 'Top-up orders',
      workflowExecutionRetentionPeriod: msToTs(`${retentionDays} days`),
    });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === GRPC_ALREADY_EXISTS) return false;
    throw err;
  }
}

/**
 * Registers `namespace` (retention `retentionDays`) and the order search attributes, then waits until the
 * frontend lists them all (its namespace cache refreshes every 2 s). Returns what it added.
 */
export async function ensureNamespace(address: string, namespace: string, retentionDays: number, timeoutMs = 60_000): Promise<{ namespaceAdded: boolean; searchAttributesAdded: string[] }> {
  const connection = await Connection.connect({ address });
  try {
    const namespaceAdded = await registerNamespace(connection, namespace, retentionDays);
    const deadline = Date.now() + timeoutMs;
    let searchAttributesAdded: string[] | undefined;
    for (;;) {
      try {
        searchAttributesAdded ??= await registerSearchAttributes(connection, namespace);
        const listed = await connection.operatorService.listSearchAttributes({ namespace });
        const known = Object.keys(listed.customAttributes ?? {});
        if (SEARCH_ATTRIBUTES.every((sa) => known.includes(sa.name))) {
          await connection.workflowService.describeNamespace({ namespace });
          return { namespaceAdded, searchAttributesAdded };
        }
      } catch (err) {
        // A namespace registered a moment ago is unknown until the frontend's cache refreshes.
        if ((err as { code?: number }).code !== GRPC_NOT_FOUND) throw err;
      }
      if (Date.now() > deadline) throw new Error(`namespace ${namespace} or its search attributes were not visible after ${timeoutMs} ms`);
      await sleep(500);
    }
  } finally {
    await connection.close();
  }
}
