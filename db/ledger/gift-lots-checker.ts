/**
 * The gifts' invariants (db/migrations/050): gifts are kept as lots, so a wallet's gift part can be explained gift
 * by gift.
 * 1. every wallet's gift part equals the sum of its lots' remainders;
 * 2. every lot's remainder is its grant, less what usage took from it (gift_lot_spends), less what its expiry took
 *    away, less what usage had spent before lots were kept; a lot has a remainder only while it has not expired;
 * 3. every usage charge took from the lots exactly the gift part its postings debit (since lots are kept);
 * 4. every `gift` entry has its lot, and every `gift_expiry` entry is the expiry of one lot;
 * 5. no lot is left with a remainder more than {@link EXPIRY_GRACE_MINUTES} past its expiry (its workflow's timer,
 *    or the next movement of the wallet, takes it away).
 */
import type { Pool, PoolClient } from 'pg';

/** How late an expiry may be processed before it counts as missed: a worker restarting, a queue of activities. */
export const EXPIRY_GRACE_MINUTES = 10;

/** Every gift-lot violation in human-readable form; [] when the lots explain every gift part. */
export async function checkGiftLots(pool: Pool | PoolClient): Promise<string[]> {
  const [wallets, lots, spends, entries] = await Promise.all([
    pool.query<{ accountId: string; wallet: string; gift: number; lots: number }>(
      `SELECT w.account_id AS "accountId", w.wallet, w.gift, coalesce(sum(l.remaining), 0)::bigint AS lots
         FROM wallets w LEFT JOIN gift_lots l ON l.account_id = w.account_id AND l.wallet = w.wallet
        GROUP BY w.account_id, w.wallet, w.gift
       HAVING w.gift <> coalesce(sum(l.remaining), 0)`,
    ),
    pool.query<{ lot: string; amount: number; remaining: number; spent: number; expired: number; before: number; expiredAt: Date | null; overdue: boolean }>(
      `SELECT l.entry_id::text AS lot, l.amount, l.remaining, coalesce(s.spent, 0)::bigint AS spent, coalesce(x.amount, 0) AS expired,
              l.spent_before_lots AS before, l.expired_at AS "expiredAt",
              (l.remaining > 0 AND l.expires_at < now() - make_interval(mins => $1)) AS overdue
         FROM gift_lots l
         LEFT JOIN (SELECT lot_entry_id, sum(amount) AS spent FROM gift_lot_spends GROUP BY lot_entry_id) s ON s.lot_entry_id = l.entry_id
         LEFT JOIN journal_entries x ON x.id = l.expiry_entry_id
        WHERE l.remaining <> l.amount - coalesce(s.spent, 0) - coalesce(x.amount, 0) - l.spent_before_lots
           OR (l.expired_at IS NOT NULL AND l.remaining <> 0)
           OR (l.remaining > 0 AND l.expires_at < now() - make_interval(mins => $1))`,
      [EXPIRY_GRACE_MINUTES],
    ),
    pool.query<{ entryId: string; fromGift: number; fromLots: number }>(
      `SELECT e.id::text AS "entryId", coalesce(-p.amount, 0)::bigint AS "fromGift", coalesce(s.taken, 0)::bigint AS "fromLots"
         FROM journal_entries e
         LEFT JOIN postings p ON p.entry_id = e.id AND p.ledger_account = 'wallet:gift'
         LEFT JOIN (SELECT entry_id, sum(amount) AS taken FROM gift_lot_spends GROUP BY entry_id) s ON s.entry_id = e.id
        WHERE e.kind = 'usage' AND e.id > (SELECT last_entry_before FROM gift_lots_since) AND coalesce(-p.amount, 0) <> coalesce(s.taken, 0)`,
    ),
    pool.query<{ entryId: string; kind: string }>(
      `SELECT e.id::text AS "entryId", e.kind FROM journal_entries e
        WHERE (e.kind = 'gift' AND NOT EXISTS (SELECT 1 FROM gift_lots l WHERE l.entry_id = e.id))
           OR (e.kind = 'gift_expiry' AND NOT EXISTS (SELECT 1 FROM gift_lots l WHERE l.expiry_entry_id = e.id AND l.account_id = e.account_id AND l.wallet = e.wallet))`,
    ),
  ]);
  return [
    ...wallets.rows.map((r) => `wallet ${r.accountId}/${r.wallet} holds gift ${r.gift} but its gift lots hold ${r.lots}`),
    ...lots.rows.map((r) => {
      if (r.overdue) return `gift ${r.lot} still holds ${r.remaining} more than ${EXPIRY_GRACE_MINUTES} minutes after its expiry`;
      if (r.expiredAt && r.remaining !== 0) return `gift ${r.lot} expired but still holds ${r.remaining}`;
      return `gift ${r.lot} holds ${r.remaining}, but its grant of ${r.amount} less ${r.spent} spent, ${r.expired} expired and ${r.before} spent before lots gives ${r.amount - r.spent - r.expired - r.before}`;
    }),
    ...spends.rows.map((r) => `usage entry ${r.entryId} took ${r.fromGift} from gift but ${r.fromLots} from the gift lots`),
    ...entries.rows.map((r) => (r.kind === 'gift' ? `gift entry ${r.entryId} has no gift lot` : `gift expiry entry ${r.entryId} is the expiry of no gift lot of its wallet`)),
  ];
}
