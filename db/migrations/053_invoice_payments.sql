-- What each order paid toward a subscription invoice did with its money (issue 21): the part that paid the invoice,
-- the part the deposit took as a top-up (within its per-top-up limits, 35,000–250,000 by default), and the part held
-- for finance because neither could take it (the invoice was paid already or voided, and the rest is not a deposit
-- top-up the rules allow). Written once per order in the transaction that moves the money, so a retry answers it.
CREATE TABLE invoice_payments (
  order_number     text PRIMARY KEY REFERENCES orders(order_number),
  invoice_id       text NOT NULL REFERENCES invoices(id),
  account_id       text NOT NULL REFERENCES accounts(id),
  amount           bigint NOT NULL CHECK (amount > 0),
  paid_invoice     bigint NOT NULL CHECK (paid_invoice >= 0),
  deposited        bigint NOT NULL CHECK (deposited >= 0),
  held             bigint NOT NULL CHECK (held >= 0),
  held_reason      text,
  topup_entry_id   bigint REFERENCES journal_entries(id),
  invoice_entry_id bigint REFERENCES journal_entries(id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  CHECK (paid_invoice + deposited + held = amount),
  CHECK ((held > 0) = (held_reason IS NOT NULL)),
  CHECK ((paid_invoice + deposited > 0) = (topup_entry_id IS NOT NULL)),
  CHECK ((paid_invoice > 0) = (invoice_entry_id IS NOT NULL))
);
CREATE INDEX invoice_payments_held ON invoice_payments (created_at) WHERE held > 0;
