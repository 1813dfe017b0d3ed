/** Who hears of payment exceptions: the provider's finance staff; and whose name a crediting order carries. */
import type { Pool } from 'pg';

/** Active finance users (signed up, neither disabled nor removed) and their emails. */
export async function financeRecipients(pool: Pool): Promise<Array<{ userId: string; email: string }>> {
  const res = await pool.query<{ userId: string; email: string }>(
    `SELECT id AS "userId", email FROM users WHERE role = 'finance' AND disabled_at IS NULL AND removed_at IS NULL ORDER BY id`,
  );
  return res.rows;
}

/** The owner of an account (the order that credits money to it is theirs: the receipt and email go to them), or null. */
export async function accountOwnerId(pool: Pool, accountId: string): Promise<string | null> {
  const res = await pool.query<{ id: string }>(`SELECT id FROM users WHERE account_id = $1 AND role = 'owner' AND removed_at IS NULL ORDER BY created_at LIMIT 1`, [accountId]);
  return res.rows[0]?.id ?? null;
}
