-- Several ledger movements in one transaction (issue 22): movements that arrive together (the usage route groups
-- concurrent requests for a few milliseconds, db/ledger/movement-batcher.ts) share one statement, one round trip
-- and one commit, so a hot wallet's row lock is held through one WAL flush for the whole group instead of one each.
--
-- ledger_post_batch(arrays of the movements' fields, one element a movement) answers one row per movement, in the
-- order given (idx 1..n): 'posted' or 'replayed' with the entry as ledger_post answers it, or 'refused' with its
-- reason ('insufficient_balance' with the balance in `balance`, 'unknown_account'). One refusal never aborts the
-- others. Each movement is applied by ledger_post itself, in the order given, so the rules, the idempotency by key
-- (a key repeated within the batch answers as a replay, as a second call would) and anything ledger_post does
-- beside the entry stay in one place; this function adds only the locking and the refusals.
--
-- Locks: every wallet of the batch is locked first, one at a time in (account_id, wallet) order, creating a missing
-- one at zero just before its turn; ledger_post then finds its wallet locked already. Every batch takes its locks in
-- that one order and a single movement takes one lock, so no cycle can form between them: no deadlock.
--
-- A refusal is ledger_post's error (LB001) caught in a block (a subtransaction) around that movement only: only a
-- usage charge that may not go negative can be refused, so only those pay for the block. A wallet row created for
-- the batch that no entry ended up using is removed again: a refusal changes nothing, as ledger_post's does. Any
-- other error (a key claimed at the same moment on another wallet, a balance past 2^53 - 1) aborts the batch, and
-- the caller applies its movements one by one, each getting its own answer. `p_services` (a usage charge's
-- service, for the usage report) may be NULL for a batch that names none.
CREATE FUNCTION ledger_post_batch(
  p_kinds text[], p_keys text[], p_accounts text[], p_wallets text[], p_amounts bigint[],
  p_order_numbers text[], p_allow_negative boolean[], p_memos text[], p_services text[] DEFAULT NULL
) RETURNS TABLE (
  idx integer, outcome text, reason text, balance bigint,
  entry_id bigint, kind text, account_id text, wallet text, amount bigint,
  recharge_after bigint, gift_after bigint, unbilled_after bigint,
  recharge_delta bigint, gift_delta bigint, unbilled_delta bigint
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  n              integer := coalesce(cardinality(p_keys), 0);
  s              record;
  r              record;
  i              integer;
  created        integer;
  no_account     text[] := '{}';
  created_a      text[] := '{}';
  created_w      text[] := '{}';
  refused_detail text;
BEGIN
  IF coalesce(cardinality(p_kinds), 0) <> n OR coalesce(cardinality(p_accounts), 0) <> n OR coalesce(cardinality(p_wallets), 0) <> n
     OR coalesce(cardinality(p_amounts), 0) <> n OR coalesce(cardinality(p_order_numbers), 0) <> n
     OR coalesce(cardinality(p_allow_negative), 0) <> n OR coalesce(cardinality(p_memos), 0) <> n
     OR (p_services IS NOT NULL AND cardinality(p_services) <> n) THEN
    RAISE EXCEPTION 'ledger_post_batch: every array must hold one element per movement' USING ERRCODE = 'invalid_parameter_value';
  END IF;

  FOR s IN SELECT DISTINCT t.a, t.w FROM unnest(p_accounts, p_wallets) AS t(a, w) ORDER BY t.a, t.w LOOP
    PERFORM 1 FROM wallets WHERE wallets.account_id = s.a AND wallets.wallet = s.w FOR UPDATE;
    CONTINUE WHEN FOUND;
    IF NOT EXISTS (SELECT 1 FROM accounts WHERE accounts.id = s.a) THEN
      no_account := no_account || s.a;
      CONTINUE;
    END IF;
    INSERT INTO wallets (account_id, wallet) VALUES (s.a, s.w) ON CONFLICT DO NOTHING;
    GET DIAGNOSTICS created = ROW_COUNT;
    IF created > 0 THEN
      created_a := created_a || s.a;
      created_w := created_w || s.w;
    END IF;
    PERFORM 1 FROM wallets WHERE wallets.account_id = s.a AND wallets.wallet = s.w FOR UPDATE;
  END LOOP;

  FOR i IN 1..n LOOP
    IF p_accounts[i] = ANY (no_account) THEN
      RETURN QUERY SELECT i, 'refused'::text, 'unknown_account'::text, NULL::bigint, NULL::bigint, p_kinds[i], p_accounts[i], p_wallets[i],
                          p_amounts[i], NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
      CONTINUE;
    END IF;
    refused_detail := NULL;
    IF p_kinds[i] = 'usage' AND p_allow_negative[i] IS FALSE THEN
      BEGIN
        SELECT * INTO r FROM ledger_post(p_kinds[i], p_keys[i], p_accounts[i], p_wallets[i], p_amounts[i], p_order_numbers[i], p_allow_negative[i], p_memos[i], p_services[i]);
      EXCEPTION WHEN SQLSTATE 'LB001' THEN
        GET STACKED DIAGNOSTICS refused_detail = PG_EXCEPTION_DETAIL;
      END;
    ELSE
      SELECT * INTO r FROM ledger_post(p_kinds[i], p_keys[i], p_accounts[i], p_wallets[i], p_amounts[i], p_order_numbers[i], p_allow_negative[i], p_memos[i], p_services[i]);
    END IF;
    IF refused_detail IS NOT NULL THEN
      RETURN QUERY SELECT i, 'refused'::text, 'insufficient_balance'::text, refused_detail::bigint, NULL::bigint, p_kinds[i], p_accounts[i], p_wallets[i],
                          p_amounts[i], NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint;
    ELSE
      RETURN QUERY SELECT i, r.outcome, NULL::text, NULL::bigint, r.entry_id, r.kind, r.account_id, r.wallet, r.amount,
                          r.recharge_after, r.gift_after, r.unbilled_after, r.recharge_delta, r.gift_delta, r.unbilled_delta;
    END IF;
  END LOOP;

  DELETE FROM wallets USING unnest(created_a, created_w) AS c(a, w)
   WHERE wallets.account_id = c.a AND wallets.wallet = c.w
     AND NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.account_id = c.a AND e.wallet = c.w);
END $$;
