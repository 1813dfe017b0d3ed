/** Gifts as finance and the customer see them: each grant's remainder, reason, expiry and what became of it. */
import type { Pool } from 'pg';
import type { Wallet } from '../../workflows/definitions';

/** A gift: `active` while it holds something and has not expired, `spent` when usage took it all, `expired`. */
export interface GiftView {
  giftEntryId: string;
  accountId: string;
  companyName: string;
  wallet: Wallet;
  amount: number;
  remaining: number;
  reason: string;
  grantedBy: string | null;
  grantedAt: Date;
  expiresAt: Date | null;
  expiredAt: Date | null;
  /** What the expiry took out of the wallet (0 when nothing was left, or not expired yet). */
  expiredAmount: number;
  status: 'active' | 'spent' | 'expired';
}

const GIFT_COLUMNS = `l.entry_id::text AS "giftEntryId", l.account_id AS "accountId", a.company_name AS "companyName", l.wallet, l.amount, l.remaining,
  l.reason, u.username AS "grantedBy", l.created_at AS "grantedAt", l.expires_at AS "expiresAt", l.expired_at AS "expiredAt",
  coalesce(x.amount, 0) AS "expiredAmount",
  CASE WHEN l.expired_at IS NOT NULL THEN 'expired' WHEN l.remaining = 0 THEN 'spent' ELSE 'active' END AS status`;
const GIFT_FROM = `FROM gift_lots l JOIN accounts a ON a.id = l.account_id LEFT JOIN users u ON u.id = l.granted_by
  LEFT JOIN journal_entries x ON x.id = l.expiry_entry_id`;

/** One page of gifts, newest first: one account's, or every account's when `accountId` is undefined. */
export async function listGifts(pool: Pool, filter: { accountId: string | undefined; page: number; pageSize: number }): Promise<{ items: GiftView[]; total: number }> {
  const [rows, count] = await Promise.all([
    pool.query<GiftView>(`SELECT ${GIFT_COLUMNS} ${GIFT_FROM} WHERE ($1::text IS NULL OR l.account_id = $1) ORDER BY l.entry_id DESC LIMIT $2 OFFSET $3`, [
      filter.accountId ?? null,
      filter.pageSize,
      (filter.page - 1) * filter.pageSize,
    ]),
    pool.query<{ total: number }>('SELECT count(*)::int AS total FROM gift_lots l WHERE ($1::text IS NULL OR l.account_id = $1)', [filter.accountId ?? null]),
  ]);
  return { items: rows.rows, total: count.rows[0]?.total ?? 0 };
}

/** The gift granted by journal entry `giftEntryId`, or null. */
export async function findGift(pool: Pool, giftEntryId: string): Promise<GiftView | null> {
  const res = await pool.query<GiftView>(`SELECT ${GIFT_COLUMNS} ${GIFT_FROM} WHERE l.entry_id = $1`, [giftEntryId]);
  return res.rows[0] ?? null;
}
