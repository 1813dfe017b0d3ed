/**
 * The operation log: who did what, when, from which address, on which account; written by the API (orders,
 * usage, identity events) and by the order workflows' read-model writes. A provider user's identity event
 * belongs to no account; a failed sign-in for a username nobody has, or the admin command, has no actor.
 */
import type { Pool, PoolClient } from 'pg';

/** One operation to record. */
export interface OperationEntry {
  /** The customer account it concerns; null for the provider's own users. */
  accountId: string | null;
  /** Who did it; null when nobody known did (a failed sign-in for an unknown username, the admin command). */
  actorId: string | null;
  action: string;
  orderNumber?: string;
  details?: Record<string, unknown>;
  /** The client's address, for identity events. */
  address?: string | null;
  /** Set by a writer that may run again (a retried activity): a second entry with the same key is not written. */
  onceKey?: string;
}

/** Appends an operation to the log (pass a transaction's client to log in the same transaction). */
export async function recordOperation(pool: Pool | PoolClient, entry: OperationEntry): Promise<void> {
  await pool.query(
    `INSERT INTO operation_log (account_id, actor_id, action, order_number, details, address, once_key) VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (once_key) WHERE once_key IS NOT NULL DO NOTHING`,
    [entry.accountId, entry.actorId, entry.action, entry.orderNumber ?? null, JSON.stringify(entry.details ?? {}), entry.address ?? null, entry.onceKey ?? null],
  );
}

/**
 * Claims the decision logged for `orderNumber` at `revision` (by its workflow, see read-model.ts)
 * for the decision-time metric: true for the first caller only, so the decision is timed once, on one API instance,
 * however many requests were answered with it; false when there is no such decision (a refused or repeated one).
 */
export async function claimDecisionTiming(pool: Pool, orderNumber: string, revision: number, action: string): Promise<boolean> {
  const res = await pool.query('UPDATE operation_log SET timed_at = now() WHERE order_number = $1 AND revision = $2 AND action = $3 AND timed_at IS NULL', [
    orderNumber,
    revision,
    action,
  ]);
  return res.rowCount === 1;
}

/** One logged operation as the API shows it. */
export interface OperationLogItem {
  id: string;
  accountId: string | null;
  /** The account's company name, so a reader across accounts sees who, not only an id. */
  companyName: string | null;
  actor: { id: string; username: string; role: string } | null;
  action: string;
  orderNumber: string | null;
  details: Record<string, unknown>;
  address: string | null;
  createdAt: Date;
}

/**
 * Whose entries a reader sees: one account's; every account's (finance and ops: customer entries only); or
 * everything, the provider's own identity events too (admins).
 */
export type OperationLogScope = { accountId: string } | 'customer-accounts' | 'everything';

/** What to list: whose entries, and optionally one order, a date range, one user, one kind of action. */
export interface OperationLogFilter {
  scope: OperationLogScope;
  orderNumber?: string | undefined;
  /** Days (YYYY-MM-DD, inclusive) in `timeZone`. */
  from?: string | undefined;
  to?: string | undefined;
  timeZone?: string;
  /** The username of the user who acted. */
  actor?: string | undefined;
  /** An action (`order.approve`) or a kind of actions, its part before the dot (`order`, `session`, `gift`). */
  action?: string | undefined;
  page: number;
  pageSize: number;
}

/** One page of the log, newest first, of the scope and the filters given. */
export async function listOperations(pool: Pool, filter: OperationLogFilter): Promise<{ items: OperationLogItem[]; total: number }> {
  const accountId = typeof filter.scope === 'object' ? filter.scope.accountId : null;
  const params: unknown[] = [accountId, filter.scope === 'everything'];
  const conditions = ['($1::text IS NULL OR l.account_id = $1)', '($2::boolean OR l.account_id IS NOT NULL)'];
  const add = (value: unknown, condition: (p: string) => string) => {
    params.push(value);
    conditions.push(condition(`$${params.length}`));
  };
  if (filter.orderNumber) add(filter.orderNumber, (p) => `l.order_number = ${p}`);
  if (filter.from || filter.to) {
    params.push(filter.timeZone ?? 'Asia/Jakarta');
    const tz = `$${params.length}`;
    if (filter.from) add(filter.from, (p) => `l.created_at >= (${p}::date::timestamp AT TIME ZONE ${tz})`);
    if (filter.to) add(filter.to, (p) => `l.created_at < ((${p}::date + 1)::timestamp AT TIME ZONE ${tz})`);
  }
  if (filter.actor) add(filter.actor, (p) => `l.actor_id = (SELECT id FROM users WHERE username = ${p})`);
  if (filter.action) add(filter.action, (p) => (filter.action!.includes('.') ? `l.action = ${p}` : `l.action LIKE ${p} || '.%'`));
  const where = `WHERE ${conditions.join(' AND ')}`;
  const [rows, count] = await Promise.all([
    pool.query<OperationLogItem>(
      `SELECT l.id::text AS id, l.account_id AS "accountId", a.company_name AS "companyName",
              CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id, 'username', u.username, 'role', u.role) END AS actor,
              l.action, l.order_number AS "orderNumber", l.details, l.address, l.created_at AS "createdAt"
         FROM operation_log l LEFT JOIN users u ON u.id = l.actor_id LEFT JOIN accounts a ON a.id = l.account_id
         ${where}
        ORDER BY l.id DESC LIMIT $${params.length + 1} OFFSET $${params.length + 2}`,
      [...params, filter.pageSize, (filter.page - 1) * filter.pageSize],
    ),
    pool.query<{ total: number }>(`SELECT count(*)::int AS total FROM operation_log l ${where}`, params),
  ]);
  return { items: rows.rows, total: count.rows[0]?.total ?? 0 };
}
