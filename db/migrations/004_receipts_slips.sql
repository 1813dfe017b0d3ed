-- PDF receipts of paid orders, rendered once by an activity and served by the API; and uploaded payment slips.
-- Both live in PostgreSQL beside the ledger, so a slip or a receipt is never lost apart from its order.

CREATE TABLE receipts (
  order_number text PRIMARY KEY REFERENCES orders(order_number),
  file_name    text NOT NULL,
  pdf          bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE slips (
  id           text PRIMARY KEY,
  account_id   text NOT NULL REFERENCES accounts(id),
  order_number text NOT NULL,
  uploaded_by  text NOT NULL REFERENCES users(id),
  file_name    text NOT NULL,
  content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
  size         integer NOT NULL CHECK (size > 0),
  sha256       text NOT NULL,
  content      bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX slips_order ON slips (order_number, created_at);
