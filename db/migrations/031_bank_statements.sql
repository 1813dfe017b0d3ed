-- Issue 19: bank-statement reconciliation. Finance uploads the bank's statement (MT940, CSV with a saved column
-- mapping, CAMT.053); each incoming line is matched to a bank-transfer order by the order number in its text and
-- its amount. A line is keyed by the bank's reference, or (many CSV exports have none) by account, date, amount,
-- text and the balance after it, so a statement imported twice, or two that overlap, adds nothing twice, while two
-- identical transfers in one statement stay two.

CREATE TABLE csv_mappings (
  name       text PRIMARY KEY CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,62}$'),
  mapping    jsonb NOT NULL,
  saved_by   text NOT NULL REFERENCES users (id),
  saved_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE bank_statements (
  -- stm_ and the start of the file's SHA-256: the same file is the same statement.
  id          text PRIMARY KEY CHECK (id ~ '^stm_[0-9a-f]{20}$'),
  sha256      text NOT NULL UNIQUE,
  file_name   text NOT NULL,
  format      text NOT NULL CHECK (format IN ('mt940', 'csv', 'camt053')),
  account     text NOT NULL,
  period_from date,
  period_to   date,
  mapping     text,
  imported_by text NOT NULL REFERENCES users (id),
  imported_at timestamptz NOT NULL DEFAULT now(),
  content     bytea NOT NULL
);

CREATE TABLE statement_lines (
  statement_id    text NOT NULL REFERENCES bank_statements (id),
  line            integer NOT NULL CHECK (line >= 1),
  line_key        text NOT NULL,
  -- The import that saw the line first decides it; a later one that holds it too records 'already_imported'.
  first_seen      boolean NOT NULL,
  direction       text NOT NULL CHECK (direction IN ('credit', 'debit')),
  amount          bigint NOT NULL CHECK (amount > 0),
  value_date      date NOT NULL,
  text            text NOT NULL,
  bank_reference  text,
  payer           text,
  balance_after   bigint,
  -- The received payment of an incoming line first seen here.
  payment_id      text REFERENCES received_payments (id),
  outcome         text NOT NULL CHECK (outcome IN ('proposed', 'confirmed', 'reconciled', 'exception', 'already_imported', 'not_incoming')),
  order_number    text,
  exception_reason text,
  note            text,
  decided_by      text REFERENCES users (id),
  decided_at      timestamptz,
  PRIMARY KEY (statement_id, line),
  CHECK ((outcome IN ('already_imported', 'not_incoming')) = (payment_id IS NULL)),
  CHECK (first_seen = (outcome <> 'already_imported'))
);
CREATE UNIQUE INDEX statement_lines_key ON statement_lines (line_key) WHERE first_seen;
CREATE INDEX statement_lines_payment ON statement_lines (payment_id) WHERE payment_id IS NOT NULL;

-- An order a statement line claimed: proposed for finance to confirm, confirmed, or reconciled with a Paid order
-- its slip paid. One payment per order, so a second transfer for the same order is a duplicate payment.
CREATE TABLE order_claims (
  order_number text PRIMARY KEY,
  payment_id   text NOT NULL UNIQUE REFERENCES received_payments (id),
  claimed_at   timestamptz NOT NULL DEFAULT now()
);
