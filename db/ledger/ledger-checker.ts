/**
 * The ledger's invariants, checked by code against what is stored:
 * 1. every journal entry has at least two postings and they sum to zero;
 * 2. every entry's postings are what the rules give for the wallet as its earlier postings left it
 *    (right accounts, signs and split: gift before recharge, unbilled only where allowed, settle before add);
 * 3. every entry's recorded balance-after equals the running sum of its wallet's postings;
 * 4. every `wallets` row equals the sum of its postings, with no negative part and no recharge beside unbilled.
 * The gifts' lots (gift-lots-checker.ts) and the statements (statement.ts) are checked beside it by invariants.ts.
 * Entries of one wallet are replayed in id order: ids are drawn while the wallet's row lock is held, so that is
 * the order they were applied in. It reads every entry once; fine for an operations check, not a request path.
 */
import type { Pool, PoolClient } from 'pg';
import type { Wallet } from '../../workflows/definitions';
import { planGift, planGiftExpiry, planTopup, planUsage, type Movement, type WalletParts } from './ledger-rules';

const PARTS = ['recharge', 'gift', 'unbilled'] as const;

/**
 * Lists every invariant violation in human-readable form; [] when the ledger is sound. Given a client inside a
 * transaction, it checks what that transaction sees, uncommitted changes included.
 */
export async function checkLedger(pool: Pool | PoolClient): Promise<string[]> {
  return [...(await checkEntries(pool)), ...(await checkWallets(pool))];
}

interface EntryRow extends WalletParts {
  id: string;
  key: string;
  kind: 'topup' | 'usage' | 'gift' | 'gift_expiry';
  accountId: string;
  wallet: Wallet;
  amount: number;
  allowNegative: boolean | null;
  postingCount: number;
  total: number;
  lines: Record<string, number> | null;
  delta: WalletParts;
  after: { recharge: number | null; gift: number | null; unbilled: number | null };
}

async function checkEntries(pool: Pool | PoolClient): Promise<string[]> {
  const res = await pool.query<EntryRow>(
    `WITH d AS (
       SELECT e.id, e.idempotency_key, e.kind, e.account_id, e.wallet, e.amount, e.allow_negative,
              e.recharge_after, e.gift_after, e.unbilled_after,
              count(p.entry_id)::int AS posting_count,
              coalesce(sum(p.amount), 0)::bigint AS total,
              jsonb_object_agg(p.ledger_account, p.amount) FILTER (WHERE p.entry_id IS NOT NULL) AS lines,
              coalesce(sum(p.amount) FILTER (WHERE p.ledger_account = 'wallet:recharge'), 0) AS dr,
              coalesce(sum(p.amount) FILTER (WHERE p.ledger_account = 'wallet:gift'), 0) AS dg,
              coalesce(sum(p.amount) FILTER (WHERE p.ledger_account = 'wallet:unbilled'), 0) AS du
       FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id
       GROUP BY e.id)
     SELECT id::text, idempotency_key AS key, kind, account_id AS "accountId", wallet, amount, allow_negative AS "allowNegative",
            posting_count AS "postingCount", total, lines,
            json_build_object('recharge', dr, 'gift', dg, 'unbilled', -du) AS delta,
            json_build_object('recharge', recharge_after, 'gift', gift_after, 'unbilled', unbilled_after) AS after,
            (sum(dr) OVER w)::bigint AS recharge, (sum(dg) OVER w)::bigint AS gift, (-sum(du) OVER w)::bigint AS unbilled
     FROM d
     WINDOW w AS (PARTITION BY account_id, wallet ORDER BY id)
     ORDER BY account_id, wallet, id`,
  );
  return res.rows.flatMap((row) => {
    const entry = `journal entry ${row.id} (${row.key})`;
    const problems: string[] = [];
    if (row.postingCount < 2 || row.total !== 0) problems.push(`${entry} is unbalanced: ${row.postingCount} postings summing to ${row.total}`);
    const before = { recharge: row.recharge - row.delta.recharge, gift: row.gift - row.delta.gift, unbilled: row.unbilled - row.delta.unbilled };
    const expected = expectedMovement(row, before);
    const actual = row.lines ?? {};
    if (!expected) {
      problems.push(
        row.kind === 'gift_expiry'
          ? `${entry} expired ${row.amount} of gift but ${row.accountId}/${row.wallet} held only ${before.gift}`
          : `${entry} charged ${row.amount} that ${row.accountId}/${row.wallet} could not cover and may not leave unbilled`,
      );
    }
    else if (!sameLines(linesOf(expected), actual)) {
      problems.push(`${entry} posts ${JSON.stringify(actual)} but the rules give ${JSON.stringify(linesOf(expected))} after ${describe(before)}`);
    }
    if (PARTS.some((part) => row.after[part] !== row[part])) {
      problems.push(`${entry} records ${row.accountId}/${row.wallet} after it as ${describe(row.after)} but its postings give ${describe(row)}`);
    }
    return problems;
  });
}

function expectedMovement(row: EntryRow, before: WalletParts): Movement | null {
  switch (row.kind) {
    case 'topup':
      return planTopup(before, row.amount);
    case 'usage':
      return planUsage(before, row.amount, row.allowNegative === true);
    case 'gift':
      return planGift(before, row.amount);
    case 'gift_expiry':
      return planGiftExpiry(before, row.amount);
  }
}

function linesOf(movement: Movement): Record<string, number> {
  return Object.fromEntries(movement.postings.map((p) => [p.ledgerAccount, p.amount]));
}

function sameLines(a: Record<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

interface WalletRow {
  accountId: string;
  wallet: Wallet;
  stored: { recharge: number | null; gift: number | null; unbilled: number | null } | null;
  posted: WalletParts;
}

async function checkWallets(pool: Pool | PoolClient): Promise<string[]> {
  const res = await pool.query<WalletRow>(
    `WITH s AS (
       SELECT account_id, wallet,
              coalesce(sum(amount) FILTER (WHERE ledger_account = 'wallet:recharge'), 0) AS recharge,
              coalesce(sum(amount) FILTER (WHERE ledger_account = 'wallet:gift'), 0) AS gift,
              -coalesce(sum(amount) FILTER (WHERE ledger_account = 'wallet:unbilled'), 0) AS unbilled
       FROM postings WHERE account_id IS NOT NULL
       GROUP BY account_id, wallet)
     SELECT account_id AS "accountId", wallet,
            CASE WHEN w.account_id IS NOT NULL THEN json_build_object('recharge', w.recharge, 'gift', w.gift, 'unbilled', w.unbilled) END AS stored,
            json_build_object('recharge', coalesce(s.recharge, 0), 'gift', coalesce(s.gift, 0), 'unbilled', coalesce(s.unbilled, 0)) AS posted
     FROM wallets w FULL JOIN s USING (account_id, wallet)
     ORDER BY account_id, wallet`,
  );
  return res.rows.flatMap(({ accountId, wallet, stored, posted }) => {
    const name = `wallet ${accountId}/${wallet}`;
    if (!stored) return [`${name} has postings (${describe(posted)}) but no row in wallets`];
    const problems: string[] = [];
    for (const part of PARTS) {
      if (stored[part] !== posted[part]) problems.push(`${name}: ${part} is ${stored[part]} in wallets but its postings sum to ${posted[part]}`);
      if ((stored[part] ?? 0) < 0) problems.push(`${name}: ${part} is negative (${stored[part]})`);
    }
    if ((stored.unbilled ?? 0) > 0 && (stored.recharge ?? 0) > 0) {
      problems.push(`${name} holds recharge ${stored.recharge} beside unbilled ${stored.unbilled}; a top-up settles unbilled first`);
    }
    return problems;
  });
}

function describe(parts: { recharge: number | null; gift: number | null; unbilled: number | null }): string {
  return `recharge ${parts.recharge} / gift ${parts.gift} / unbilled ${parts.unbilled}`;
}
