-- A subscription invoice's PDF as it stands (issued, then paid), stored by the billing activities that change it,
-- so the API serves a stored document as it does receipts and proforma invoices, and renders nothing itself.
CREATE TABLE invoice_pdfs (
  invoice_id text PRIMARY KEY REFERENCES invoices(id),
  status     text NOT NULL CHECK (status IN ('unpaid', 'paid')),
  file_name  text NOT NULL,
  pdf        bytea NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
