/**
 * Cards saved at the payment gateway for automatic top-ups (issue 20): only the gateway's token of the card, its
 * brand, last four digits and expiry are kept; the number was entered on the gateway's page.
 */
import type { Pool } from 'pg';
import { recordOperation } from '../accounts/operation-log';
import type { Actor } from '../accounts/roles';
import { newId } from '../accounts/secrets';
import { inTransaction } from '../transaction';

/** A saved card as the API shows it (never its gateway token). */
export interface SavedCard {
  id: string;
  accountId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  createdAt: Date;
}

/** The card as the gateway gave it back. */
export interface GatewayCard {
  cardRef: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

const COLUMNS = `id, account_id AS "accountId", brand, last4, exp_month AS "expMonth", exp_year AS "expYear", created_at AS "createdAt"`;

/** Saves a card for the account, once per gateway token (the same token answers the card saved before). */
export async function saveCard(pool: Pool, accountId: string, card: GatewayCard, actor: Actor): Promise<SavedCard> {
  return inTransaction(pool, async (client) => {
    const inserted = await client.query<SavedCard>(
      `INSERT INTO saved_cards (id, account_id, gateway_ref, brand, last4, exp_month, exp_year, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (gateway_ref) DO NOTHING RETURNING ${COLUMNS}`,
      [newId('card'), accountId, card.cardRef, card.brand, card.last4, card.expMonth, card.expYear, actor.userId],
    );
    if (inserted.rows[0]) {
      await recordOperation(client, { accountId, actorId: actor.userId, action: 'card.save', details: { cardId: inserted.rows[0].id, brand: card.brand, last4: card.last4 }, address: actor.address });
      return inserted.rows[0];
    }
    const existing = await client.query<SavedCard>(`SELECT ${COLUMNS} FROM saved_cards WHERE gateway_ref = $1 AND account_id = $2`, [card.cardRef, accountId]);
    if (!existing.rows[0]) throw new Error('the gateway answered a card saved for another account');
    return existing.rows[0];
  });
}

/** The account's cards (not removed), newest first. */
export async function listCards(pool: Pool, accountId: string): Promise<SavedCard[]> {
  const res = await pool.query<SavedCard>(`SELECT ${COLUMNS} FROM saved_cards WHERE account_id = $1 AND removed_at IS NULL ORDER BY created_at DESC, id`, [accountId]);
  return res.rows;
}

/** A card that is not removed, or null. */
export async function findCard(pool: Pool, id: string): Promise<SavedCard | null> {
  const res = await pool.query<SavedCard>(`SELECT ${COLUMNS} FROM saved_cards WHERE id = $1 AND removed_at IS NULL`, [id]);
  return res.rows[0] ?? null;
}

/** Removes a card no rule uses: 'in-use' names the wallets whose rules use it; false when there is no such card. */
export async function removeCard(pool: Pool, id: string, actor: Actor): Promise<boolean | { inUse: string[] }> {
  return inTransaction(pool, async (client) => {
    const card = await client.query<{ account_id: string }>('SELECT account_id FROM saved_cards WHERE id = $1 AND removed_at IS NULL FOR UPDATE', [id]);
    if (!card.rows[0]) return false;
    const rules = await client.query<{ wallet: string }>('SELECT wallet FROM auto_topup_rules WHERE card_id = $1 FOR SHARE', [id]);
    if (rules.rows.length > 0) return { inUse: rules.rows.map((r) => r.wallet) };
    await client.query('UPDATE saved_cards SET removed_at = now() WHERE id = $1', [id]);
    await recordOperation(client, { accountId: card.rows[0].account_id, actorId: actor.userId, action: 'card.remove', details: { cardId: id }, address: actor.address });
    return true;
  });
}
