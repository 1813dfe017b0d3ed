-- Subscriptions (an account's active service, seed 002) and their renewal invoices, paid automatically from
-- the deposit wallet when it covers them. An invoice is keyed by its subscription and period, so issuing it
-- again (a retried activity) finds the same row.

CREATE TABLE subscriptions (
  id            text PRIMARY KEY,
  account_id    text NOT NULL REFERENCES accounts(id),
  product       text NOT NULL CHECK (length(product) BETWEEN 1 AND 200),
  price         bigint NOT NULL CHECK (price > 0),
  cycle_months  integer NOT NULL CHECK (cycle_months IN (1, 2, 3, 6, 12)),
  start_date    date NOT NULL,
  status        text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'cancelled')),
  created_by    text NOT NULL REFERENCES users(id),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subscriptions_account ON subscriptions (account_id, status);

CREATE TABLE invoices (
  id              text PRIMARY KEY,
  subscription_id text NOT NULL REFERENCES subscriptions(id),
  account_id      text NOT NULL REFERENCES accounts(id),
  period_index    integer NOT NULL CHECK (period_index >= 1),
  period_start    date NOT NULL,
  period_end      date NOT NULL,
  amount          bigint NOT NULL CHECK (amount > 0),
  issued_at       timestamptz NOT NULL,
  due_at          timestamptz NOT NULL,
  status          text NOT NULL DEFAULT 'unpaid' CHECK (status IN ('unpaid', 'paid')),
  paid_at         timestamptz,
  -- The deposit charge that paid it (journal_entries.id), so a paid invoice names its one ledger entry.
  ledger_entry_id bigint,
  CHECK ((status = 'paid') = (paid_at IS NOT NULL AND ledger_entry_id IS NOT NULL)),
  UNIQUE (subscription_id, period_index)
);
CREATE INDEX invoices_account_status ON invoices (account_id, status, issued_at);

-- A bank-transfer or online order may settle one unpaid invoice: its top-up goes to the deposit and pays it.
ALTER TABLE orders ADD COLUMN invoice_id text REFERENCES invoices(id);
