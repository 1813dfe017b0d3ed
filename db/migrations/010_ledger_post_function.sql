-- One ledger movement in one statement, so one round trip and one short transaction (bench/ledger.ts: nine
-- statements and round trips a movement before, the hot wallet's row lock held across six of them).
--
-- ledger_post locks the wallet row (creating it at zero when missing), answers with the stored entry when the
-- idempotency key is already recorded, otherwise applies the movement's rule, inserts the entry with the wallet
-- after it, its postings and the new wallet balance, and for a top-up re-arms the wallet's low-balance notice,
-- all in the caller's transaction (autocommit: the statement's own). The rules are those of
-- activities/ledger-rules.ts, which stays the reference: checkLedger replays every stored entry through it, and
-- test/ledger-properties.test.ts compares random sequences run here with a model of DOMAIN.md.
--   topup: settle unbilled first, the rest to recharge
--   usage: gift first, then recharge, the rest to unbilled when allowed, else error LB001 (detail: the balance)
--   gift:  to gift only (a gift is never money received, so it settles nothing)

-- A stored entry as ledger_post answers it: the wallet after it and the change its postings made to each part.
CREATE FUNCTION ledger_entry_by_key(p_key text) RETURNS TABLE (
  outcome text, entry_id bigint, kind text, account_id text, wallet text, amount bigint,
  recharge_after bigint, gift_after bigint, unbilled_after bigint,
  recharge_delta bigint, gift_delta bigint, unbilled_delta bigint
) LANGUAGE sql STABLE AS $$
  SELECT 'replayed', e.id, e.kind, e.account_id, e.wallet, e.amount, e.recharge_after, e.gift_after, e.unbilled_after,
         coalesce(sum(p.amount) FILTER (WHERE p.ledger_account = 'wallet:recharge'), 0)::bigint,
         coalesce(sum(p.amount) FILTER (WHERE p.ledger_account = 'wallet:gift'), 0)::bigint,
         (-coalesce(sum(p.amount) FILTER (WHERE p.ledger_account = 'wallet:unbilled'), 0))::bigint
  FROM journal_entries e LEFT JOIN postings p ON p.entry_id = e.id
  WHERE e.idempotency_key = p_key
  GROUP BY e.id
$$;

CREATE FUNCTION ledger_post(
  p_kind text, p_key text, p_account text, p_wallet text, p_amount bigint,
  p_order_number text, p_allow_negative boolean, p_memo text
) RETURNS TABLE (
  outcome text, entry_id bigint, kind text, account_id text, wallet text, amount bigint,
  recharge_after bigint, gift_after bigint, unbilled_after bigint,
  recharge_delta bigint, gift_delta bigint, unbilled_delta bigint
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  w          wallets%ROWTYPE;
  d_recharge bigint := 0;
  d_gift     bigint := 0;
  d_unbilled bigint := 0;
  new_id     bigint;
BEGIN
  -- The wallet row is the only lock a movement takes, taken first: movements on one wallet queue, never deadlock.
  SELECT * INTO w FROM wallets WHERE wallets.account_id = p_account AND wallets.wallet = p_wallet FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO wallets (account_id, wallet) VALUES (p_account, p_wallet) ON CONFLICT DO NOTHING;
    SELECT * INTO w FROM wallets WHERE wallets.account_id = p_account AND wallets.wallet = p_wallet FOR UPDATE;
  END IF;

  IF EXISTS (SELECT 1 FROM journal_entries WHERE journal_entries.idempotency_key = p_key) THEN
    RETURN QUERY SELECT * FROM ledger_entry_by_key(p_key);
    RETURN;
  END IF;

  IF p_kind = 'topup' THEN
    d_unbilled := -least(p_amount, w.unbilled);
    d_recharge := p_amount + d_unbilled;
  ELSIF p_kind = 'usage' THEN
    d_gift := -least(p_amount, w.gift);
    d_recharge := -least(p_amount + d_gift, w.recharge);
    d_unbilled := p_amount + d_gift + d_recharge;
    -- Refused by an error, so a wallet row created above is rolled back too: a refusal changes nothing.
    IF d_unbilled > 0 AND NOT p_allow_negative THEN
      RAISE EXCEPTION 'insufficient balance on %/%', p_account, p_wallet
        USING ERRCODE = 'LB001', DETAIL = (w.recharge + w.gift - w.unbilled)::text;
    END IF;
  ELSIF p_kind = 'gift' THEN
    d_gift := p_amount;
  ELSE
    RAISE EXCEPTION 'ledger_post: unknown kind %', p_kind USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- Balances are read by the application as JS numbers, exact only up to 2^53 - 1.
  IF greatest(w.recharge + d_recharge, w.gift + d_gift, w.unbilled + d_unbilled) > 9007199254740991 THEN
    RAISE EXCEPTION 'ledger_post: the wallet balance would pass the safe integer range' USING ERRCODE = 'numeric_value_out_of_range';
  END IF;

  -- A key claimed since the check above (another wallet's movement with the same key) answers as a replay.
  INSERT INTO journal_entries (idempotency_key, kind, account_id, wallet, amount, order_number, allow_negative, memo,
                               recharge_after, gift_after, unbilled_after)
  VALUES (p_key, p_kind, p_account, p_wallet, p_amount, p_order_number, p_allow_negative, p_memo,
          w.recharge + d_recharge, w.gift + d_gift, w.unbilled + d_unbilled)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id INTO new_id;
  IF new_id IS NULL THEN
    RETURN QUERY SELECT * FROM ledger_entry_by_key(p_key);
    RETURN;
  END IF;

  -- Credit-positive postings (002_ledger.sql); the provider's side of each movement balances the wallet's.
  INSERT INTO postings (entry_id, ledger_account, account_id, wallet, amount)
  SELECT new_id, t.a, CASE WHEN t.a LIKE 'wallet:%' THEN p_account END, p_wallet, t.m
  FROM (VALUES
          ('cash:received',   CASE WHEN p_kind = 'topup' THEN -p_amount ELSE 0 END),
          ('revenue:usage',   CASE WHEN p_kind = 'usage' THEN p_amount ELSE 0 END),
          ('expense:gift',    CASE WHEN p_kind = 'gift' THEN -p_amount ELSE 0 END),
          ('wallet:recharge', d_recharge),
          ('wallet:gift',     d_gift),
          ('wallet:unbilled', -d_unbilled)
       ) AS t(a, m)
  WHERE t.m <> 0;

  UPDATE wallets SET recharge = w.recharge + d_recharge, gift = w.gift + d_gift, unbilled = w.unbilled + d_unbilled, updated_at = now()
  WHERE wallets.account_id = p_account AND wallets.wallet = p_wallet;

  -- The last paid top-up is the reference of the wallet's low-balance notice (seed 001: below 40 %); a newer
  -- entry replaces an older one and re-arms the notice.
  IF p_kind = 'topup' THEN
    INSERT INTO wallet_alerts (account_id, wallet, reference, reference_entry_id) VALUES (p_account, p_wallet, p_amount, new_id)
    ON CONFLICT (account_id, wallet) DO UPDATE SET reference = EXCLUDED.reference, reference_entry_id = EXCLUDED.reference_entry_id,
      notified_for = NULL, updated_at = now()
    WHERE wallet_alerts.reference_entry_id < EXCLUDED.reference_entry_id;
  END IF;

  RETURN QUERY SELECT 'posted'::text, new_id, p_kind, p_account, p_wallet, p_amount,
                      w.recharge + d_recharge, w.gift + d_gift, w.unbilled + d_unbilled, d_recharge, d_gift, d_unbilled;
END $$;
