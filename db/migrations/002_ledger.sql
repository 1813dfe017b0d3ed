-- The double-entry ledger: journal entries, their postings, and the wallet balances kept beside them.
--
-- Sign convention: a posting's amount is positive for a credit and negative for a debit, and the postings of
-- every entry sum to zero (debits = credits). Ledger accounts:
--   wallet:recharge   per customer wallet, credit-normal (paid money the provider owes as service)
--   wallet:gift       per customer wallet, credit-normal (granted credit the provider owes as service)
--   wallet:unbilled   per customer wallet, debit-normal  (usage the customer owes: a receivable)
--   cash:received     provider side, debit-normal  (money paid in by top-ups)
--   revenue:usage     provider side, credit-normal (usage charged)
--   expense:gift      provider side, debit-normal  (credit granted for free)
-- Hence recharge = Σ recharge postings, gift = Σ gift postings, unbilled = −Σ unbilled postings, and the current
-- balance (recharge + gift − unbilled) is the plain sum of the wallet's postings.
-- Every posting names its wallet, also on the provider side: wallets count different units (IDR, visitors), so
-- provider balances are only meaningful per wallet.

-- Balances kept consistent with the postings in the same transaction; the row is the per-wallet lock.
CREATE TABLE wallets (
  account_id text NOT NULL REFERENCES accounts(id),
  wallet     text NOT NULL CHECK (wallet IN ('credit', 'whatsapp', 'muv', 'deposit')),
  recharge   bigint NOT NULL DEFAULT 0 CHECK (recharge >= 0),
  gift       bigint NOT NULL DEFAULT 0 CHECK (gift >= 0),
  unbilled   bigint NOT NULL DEFAULT 0 CHECK (unbilled >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, wallet)
);

CREATE TABLE journal_entries (
  id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  idempotency_key text NOT NULL UNIQUE CHECK (length(idempotency_key) BETWEEN 1 AND 200),
  kind            text NOT NULL CHECK (kind IN ('topup', 'usage', 'gift')),
  account_id      text NOT NULL,
  wallet          text NOT NULL,
  amount          bigint NOT NULL CHECK (amount > 0),
  order_number    text CHECK ((kind = 'topup') = (order_number IS NOT NULL)),
  allow_negative  boolean CHECK ((kind = 'usage') = (allow_negative IS NOT NULL)),
  memo            text,
  -- The wallet right after this entry, so a repeated call answers exactly what the first one did.
  recharge_after  bigint,
  gift_after      bigint,
  unbilled_after  bigint,
  CHECK (recharge_after >= 0 AND gift_after >= 0 AND unbilled_after >= 0),
  created_at      timestamptz NOT NULL DEFAULT now(),
  FOREIGN KEY (account_id, wallet) REFERENCES wallets (account_id, wallet),
  UNIQUE (id, wallet),
  UNIQUE (id, account_id)
);

CREATE TABLE postings (
  entry_id       bigint NOT NULL,
  ledger_account text NOT NULL CHECK (ledger_account IN
                   ('wallet:recharge', 'wallet:gift', 'wallet:unbilled', 'cash:received', 'revenue:usage', 'expense:gift')),
  account_id     text REFERENCES accounts(id),
  wallet         text NOT NULL CHECK (wallet IN ('credit', 'whatsapp', 'muv', 'deposit')),
  amount         bigint NOT NULL CHECK (amount <> 0),
  PRIMARY KEY (entry_id, ledger_account),
  -- Customer accounts belong to one customer; provider accounts to none.
  CHECK ((ledger_account LIKE 'wallet:%') = (account_id IS NOT NULL)),
  -- A posting moves the entry's own wallet (and, on the customer side, its own account): one entry, one wallet.
  FOREIGN KEY (entry_id, wallet) REFERENCES journal_entries (id, wallet),
  FOREIGN KEY (entry_id, account_id) REFERENCES journal_entries (id, account_id)
);
CREATE INDEX postings_wallet ON postings (account_id, wallet) WHERE account_id IS NOT NULL;
CREATE INDEX journal_entries_wallet ON journal_entries (account_id, wallet, id);

-- Postings are append-only: a correction is a new entry, never an edit.
CREATE FUNCTION ledger_postings_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'postings are append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER postings_append_only BEFORE UPDATE OR DELETE ON postings
  FOR EACH ROW EXECUTE FUNCTION ledger_postings_append_only();

-- At commit, every entry touched has at least two postings and they sum to zero; otherwise the commit fails.
-- TG_ARGV[0] names the column holding the entry id in the table the trigger sits on.
CREATE FUNCTION ledger_assert_entry_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  entry bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
  total numeric;
  n     integer;
BEGIN
  SELECT coalesce(sum(amount), 0), count(*) INTO total, n FROM postings WHERE entry_id = entry;
  IF n < 2 OR total <> 0 THEN
    RAISE EXCEPTION 'journal entry % is unbalanced: % postings summing to %', entry, n, total
      USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER journal_entries_balanced AFTER INSERT ON journal_entries
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_assert_entry_balanced('id');
CREATE CONSTRAINT TRIGGER postings_balanced AFTER INSERT ON postings
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_assert_entry_balanced('entry_id');
