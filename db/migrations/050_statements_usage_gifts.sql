-- Issue 21: wallet statements, the usage report's service, and gifts with an expiry.
--
-- 1. A usage charge may name the product's service it was for (the usage report's breakdown).
-- 2. Gifts are kept as lots: each grant's remainder, its reason, who granted it and when it expires. Usage spends
--    gift before recharge (DOMAIN.md), the lot that expires first first (a lot without expiry last), and records
--    what it took from each lot; an expired lot's remainder leaves the balance as its own journal entry
--    (`gift_expiry`: wallet:gift debited, expense:gift credited back), so a statement shows it and the wallet's gift
--    figure follows. The wallet's gift part always equals the sum of its lots' remainders (the checker holds it).
-- 3. Statements read journal entries by wallet and time (the running balance is each entry's stored balance after it).

ALTER TABLE journal_entries DROP CONSTRAINT journal_entries_kind_check;
ALTER TABLE journal_entries ADD CONSTRAINT journal_entries_kind_check CHECK (kind IN ('topup', 'usage', 'gift', 'gift_expiry'));
ALTER TABLE journal_entries
  ADD COLUMN service text,
  ADD CONSTRAINT journal_entries_service CHECK (service IS NULL OR (kind = 'usage' AND length(service) BETWEEN 1 AND 100));

-- A wallet's statement over a date range, and an account's usage per day.
CREATE INDEX journal_entries_wallet_created ON journal_entries (account_id, wallet, created_at, id);
CREATE INDEX journal_entries_account_usage ON journal_entries (account_id, created_at) WHERE kind = 'usage';

CREATE TABLE gift_lots (
  -- The grant's journal entry.
  entry_id         bigint PRIMARY KEY REFERENCES journal_entries (id),
  account_id       text NOT NULL,
  wallet           text NOT NULL,
  amount           bigint NOT NULL CHECK (amount > 0),
  remaining        bigint NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
  reason           text NOT NULL DEFAULT '',
  granted_by       text REFERENCES users (id),
  expires_at       timestamptz,
  -- Set once the expiry is processed; the entry that took the remainder away (none when nothing was left).
  expired_at       timestamptz,
  expiry_entry_id  bigint REFERENCES journal_entries (id),
  -- Gifts granted before lots were kept (this migration): what usage had spent of them then.
  spent_before_lots bigint NOT NULL DEFAULT 0 CHECK (spent_before_lots >= 0),
  created_at       timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (account_id, wallet) REFERENCES wallets (account_id, wallet),
  CHECK (expiry_entry_id IS NULL OR expired_at IS NOT NULL)
);
-- The lots usage spends, in the order it spends them.
CREATE INDEX gift_lots_spendable ON gift_lots (account_id, wallet, expires_at, entry_id) WHERE remaining > 0;
CREATE INDEX gift_lots_account ON gift_lots (account_id, created_at);

-- What each usage charge took from each lot.
CREATE TABLE gift_lot_spends (
  entry_id     bigint NOT NULL REFERENCES journal_entries (id),
  lot_entry_id bigint NOT NULL REFERENCES gift_lots (entry_id),
  amount       bigint NOT NULL CHECK (amount > 0),
  PRIMARY KEY (entry_id, lot_entry_id)
);
CREATE INDEX gift_lot_spends_lot ON gift_lot_spends (lot_entry_id);

-- Where lot keeping starts: usage entries up to this one spent gift without recording the lots they took from.
CREATE TABLE gift_lots_since (last_entry_before bigint NOT NULL);
INSERT INTO gift_lots_since SELECT coalesce(max(id), 0) FROM journal_entries;

-- Gifts granted before: a lot each, without expiry. Usage spent the oldest first, so what the wallet still holds
-- sits in the newest grants.
INSERT INTO gift_lots (entry_id, account_id, wallet, amount, remaining, reason, spent_before_lots, created_at)
SELECT g.id, g.account_id, g.wallet, g.amount, g.left_over, coalesce(g.memo, ''), g.amount - g.left_over, g.created_at
  FROM (SELECT e.id, e.account_id, e.wallet, e.amount, e.memo, e.created_at,
               greatest(0, least(e.amount, w.gift - (sum(e.amount) OVER (PARTITION BY e.account_id, e.wallet ORDER BY e.id DESC) - e.amount))) AS left_over
          FROM journal_entries e JOIN wallets w ON w.account_id = e.account_id AND w.wallet = e.wallet
         WHERE e.kind = 'gift') g;

-- Takes a lot's remainder out of the wallet as a `gift_expiry` entry (key `gift-expiry:<lot>`), dated at the lot's
-- expiry (or now, if that is earlier: a caller whose clock ran ahead). The caller holds the wallet's row lock and
-- passes the row; answers the wallet after it. A lot already expired changes nothing.
CREATE FUNCTION ledger_expire_lot(p_lot gift_lots, p_wallet wallets) RETURNS wallets LANGUAGE plpgsql AS $$
DECLARE
  w      wallets := p_wallet;
  new_id bigint;
BEGIN
  IF p_lot.expired_at IS NOT NULL THEN
    RETURN w;
  END IF;
  IF p_lot.remaining > 0 THEN
    INSERT INTO journal_entries (idempotency_key, kind, account_id, wallet, amount, memo, recharge_after, gift_after, unbilled_after, created_at)
    VALUES ('gift-expiry:' || p_lot.entry_id, 'gift_expiry', p_lot.account_id, p_lot.wallet, p_lot.remaining, p_lot.reason,
            w.recharge, w.gift - p_lot.remaining, w.unbilled, least(coalesce(p_lot.expires_at, now()), now()))
    RETURNING id INTO new_id;
    INSERT INTO postings (entry_id, ledger_account, account_id, wallet, amount) VALUES
      (new_id, 'wallet:gift', p_lot.account_id, p_lot.wallet, -p_lot.remaining),
      (new_id, 'expense:gift', NULL, p_lot.wallet, p_lot.remaining);
    w.gift := w.gift - p_lot.remaining;
    UPDATE wallets SET gift = w.gift, updated_at = now() WHERE account_id = w.account_id AND wallet = w.wallet;
  END IF;
  UPDATE gift_lots SET remaining = 0, expired_at = now(), expiry_entry_id = new_id WHERE entry_id = p_lot.entry_id;
  RETURN w;
END $$;

-- Expires every lot of a locked wallet whose expiry has passed by the database's clock, so no movement ever spends
-- an expired gift, even before the lot's own expiry workflow has run. Answers the wallet after.
CREATE FUNCTION ledger_expire_due_lots(p_wallet wallets) RETURNS wallets LANGUAGE plpgsql AS $$
DECLARE
  w   wallets := p_wallet;
  lot gift_lots;
BEGIN
  IF w.gift = 0 THEN
    RETURN w;
  END IF;
  FOR lot IN SELECT * FROM gift_lots
              WHERE account_id = w.account_id AND wallet = w.wallet AND remaining > 0 AND expires_at <= now()
              ORDER BY expires_at, entry_id FOR UPDATE
  LOOP
    w := ledger_expire_lot(lot, w);
  END LOOP;
  RETURN w;
END $$;

-- The expiry of one lot, when its workflow's timer fires: locks the wallet (first, as every movement does), expires
-- the lot and answers its expiry entry as ledger_post answers entries ('replayed' when it had expired already;
-- no row when nothing was left to take away).
CREATE FUNCTION ledger_expire_gift(p_lot_entry_id bigint) RETURNS TABLE (
  outcome text, entry_id bigint, kind text, account_id text, wallet text, amount bigint,
  recharge_after bigint, gift_after bigint, unbilled_after bigint,
  recharge_delta bigint, gift_delta bigint, unbilled_delta bigint
) LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  lot     gift_lots;
  w       wallets;
  already boolean;
BEGIN
  SELECT * INTO lot FROM gift_lots WHERE gift_lots.entry_id = p_lot_entry_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'no gift %', p_lot_entry_id USING ERRCODE = 'LB002';
  END IF;
  SELECT * INTO w FROM wallets WHERE wallets.account_id = lot.account_id AND wallets.wallet = lot.wallet FOR UPDATE;
  SELECT * INTO lot FROM gift_lots WHERE gift_lots.entry_id = p_lot_entry_id FOR UPDATE;
  already := lot.expired_at IS NOT NULL;
  PERFORM ledger_expire_lot(lot, w);
  RETURN QUERY SELECT CASE WHEN already THEN 'replayed' ELSE 'posted' END, k.entry_id, k.kind, k.account_id, k.wallet, k.amount,
                      k.recharge_after, k.gift_after, k.unbilled_after, k.recharge_delta, k.gift_delta, k.unbilled_delta
                 FROM ledger_entry_by_key('gift-expiry:' || p_lot_entry_id) k;
END $$;

-- ledger_post of migration 010 with the usage's service, the gift's lot (expiry, who granted it) and the lots'
-- spending. Old callers (8 arguments) still work during a deploy.
DROP FUNCTION ledger_post(text, text, text, text, bigint, text, boolean, text);
CREATE FUNCTION ledger_post(
  p_kind text, p_key text, p_account text, p_wallet text, p_amount bigint,
  p_order_number text, p_allow_negative boolean, p_memo text,
  p_service text DEFAULT NULL, p_expires_at timestamptz DEFAULT NULL, p_granted_by text DEFAULT NULL
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
  lot        gift_lots;
  to_take    bigint;
  take       bigint;
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

  -- An expired gift leaves the balance before anything else moves.
  w := ledger_expire_due_lots(w);

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
  INSERT INTO journal_entries (idempotency_key, kind, account_id, wallet, amount, order_number, allow_negative, memo, service,
                               recharge_after, gift_after, unbilled_after)
  VALUES (p_key, p_kind, p_account, p_wallet, p_amount, p_order_number, p_allow_negative, p_memo, p_service,
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

  IF p_kind = 'gift' THEN
    INSERT INTO gift_lots (entry_id, account_id, wallet, amount, remaining, reason, granted_by, expires_at)
    VALUES (new_id, p_account, p_wallet, p_amount, p_amount, coalesce(p_memo, ''), p_granted_by, p_expires_at);
  ELSIF p_kind = 'usage' AND d_gift < 0 THEN
    -- The gift part is taken from the lots, the one that expires first first.
    to_take := -d_gift;
    FOR lot IN SELECT * FROM gift_lots
                WHERE gift_lots.account_id = p_account AND gift_lots.wallet = p_wallet AND gift_lots.remaining > 0
                ORDER BY gift_lots.expires_at NULLS LAST, gift_lots.entry_id FOR UPDATE
    LOOP
      EXIT WHEN to_take = 0;
      take := least(to_take, lot.remaining);
      UPDATE gift_lots SET remaining = remaining - take WHERE gift_lots.entry_id = lot.entry_id;
      INSERT INTO gift_lot_spends (entry_id, lot_entry_id, amount) VALUES (new_id, lot.entry_id, take);
      to_take := to_take - take;
    END LOOP;
    IF to_take <> 0 THEN
      RAISE EXCEPTION 'ledger_post: the gift lots of %/% hold less than its gift part', p_account, p_wallet;
    END IF;
  END IF;

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
