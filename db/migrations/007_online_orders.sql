-- Online self top-ups share the order read model: a kind, the lines of several wallets in the view, and the
-- "Paid late" status for money that arrived after the invoice expired (finance credits or refunds it).

ALTER TABLE orders ADD COLUMN kind text NOT NULL DEFAULT 'bank_transfer' CHECK (kind IN ('bank_transfer', 'online'));
ALTER TABLE orders DROP CONSTRAINT orders_status_check;
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('Unpaid', 'Awaiting payment', 'Dealing', 'Paid', 'Payment Failure', 'Closed', 'Deleted', 'Paid late'));

-- Proforma invoices of online orders, re-rendered on each change of the invoice (issued, paid).
CREATE TABLE invoice_documents (
  order_number text PRIMARY KEY REFERENCES orders(order_number),
  revision     integer NOT NULL,
  file_name    text NOT NULL,
  pdf          bytea NOT NULL,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- Low-balance notice per wallet (seed 001: below 40 % of the last paid top-up). `reference` is the amount of the
-- last paid top-up; `notified_for` the top-up entry a notice was already sent for, so it is sent once.
CREATE TABLE wallet_alerts (
  account_id   text NOT NULL REFERENCES accounts(id),
  wallet       text NOT NULL,
  reference    bigint NOT NULL CHECK (reference > 0),
  reference_entry_id bigint NOT NULL,
  notified_for bigint,
  updated_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, wallet)
);
