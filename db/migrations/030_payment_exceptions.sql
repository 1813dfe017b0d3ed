-- Issue 19: every incoming payment ends in exactly one place. Each one is recorded once in received_payments
-- (gateway callbacks here, bank-statement lines in 031); a payment that went to no order by itself is a
-- payment exception (its workflow, workflows/reconciliation/payment-exception.ts, writes this read model);
-- refunds asked of the gateway are kept until its signed callback confirms them.

CREATE TABLE received_payments (
  -- gw_<gateway event id>, or bank_<hash of the statement line's key>.
  id           text PRIMARY KEY CHECK (id ~ '^(gw|bank)_[A-Za-z0-9_]{1,100}$'),
  source       text NOT NULL CHECK (source IN ('gateway', 'bank_statement')),
  amount       bigint NOT NULL CHECK (amount > 0),
  currency     text NOT NULL DEFAULT 'IDR' CHECK (currency = 'IDR'),
  received_at  timestamptz NOT NULL,
  -- What the payer wrote (remittance text) or the merchant reference the gateway named.
  reference    text NOT NULL,
  -- The 13-digit order number the payment names, if it names one (no foreign key: it may name none of ours).
  order_number text,
  -- The payment as the workflows see it (workflows/reconciliation/messages.ts IncomingPayment).
  payment      jsonb NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX received_payments_order ON received_payments (order_number) WHERE order_number IS NOT NULL;

-- The gateway payments recorded before this migration are received payments too.
INSERT INTO received_payments (id, source, amount, received_at, reference, order_number, payment, recorded_at)
SELECT 'gw_' || e.id, 'gateway', e.amount, e.paid_at, e.merchant_ref,
       CASE WHEN e.merchant_ref ~ '^[0-9]{13}$' THEN e.merchant_ref END,
       jsonb_build_object('paymentId', 'gw_' || e.id, 'source', 'gateway', 'amount', e.amount, 'currency', 'IDR',
                          'receivedAt', to_char(e.paid_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                          'reference', e.merchant_ref,
                          'orderNumber', CASE WHEN e.merchant_ref ~ '^[0-9]{13}$' THEN e.merchant_ref END,
                          'providerRef', e.provider_ref, 'method', e.method, 'statement', NULL, 'payer', NULL),
       e.received_at
  FROM payment_events e
 WHERE e.type = 'invoice.paid'
ON CONFLICT (id) DO NOTHING;

-- One exception per received payment at most; the view is its workflow's, the highest revision wins.
CREATE TABLE payment_exceptions (
  id           text PRIMARY KEY REFERENCES received_payments (id),
  reason       text NOT NULL CHECK (reason IN ('amount_mismatch', 'duplicate_payment', 'after_expiry_watch', 'unknown_reference', 'order_not_payable')),
  status       text NOT NULL CHECK (status IN ('open', 'in_progress', 'attached', 'resolved')),
  resolution   text CHECK (resolution IN ('credit', 'attach', 'refund', 'dismiss')),
  amount       bigint NOT NULL CHECK (amount > 0),
  credited     bigint NOT NULL DEFAULT 0 CHECK (credited >= 0),
  refunded     bigint NOT NULL DEFAULT 0 CHECK (refunded >= 0),
  dismissed    bigint NOT NULL DEFAULT 0 CHECK (dismissed >= 0),
  held         bigint NOT NULL DEFAULT 0 CHECK (held >= 0),
  CHECK (credited + refunded + dismissed + held <= amount),
  CHECK (status <> 'resolved' OR credited + refunded + dismissed = amount),
  -- The account and order it concerns, when known (suggested, or where finance sent it).
  account_id   text,
  order_number text,
  received_at  timestamptz NOT NULL,
  opened_at    timestamptz NOT NULL DEFAULT now(),
  updated_at   timestamptz NOT NULL DEFAULT now(),
  revision     integer NOT NULL CHECK (revision >= 0),
  view         jsonb NOT NULL
);
CREATE INDEX payment_exceptions_unresolved ON payment_exceptions (received_at) WHERE status <> 'resolved';

-- A refund asked of the gateway, under our reference (its Idempotency-Key), confirmed by its signed callback.
CREATE TABLE refunds (
  reference         text PRIMARY KEY CHECK (reference ~ '^[A-Za-z0-9_.-]{1,64}$'),
  payment_id        text NOT NULL REFERENCES received_payments (id),
  amount            bigint NOT NULL CHECK (amount > 0),
  reason            text NOT NULL,
  requested_by      text,
  -- The workflow told when the gateway confirms it.
  workflow_id       text NOT NULL,
  -- requesting: about to ask (or asking) the gateway; requested: it took the refund; succeeded: it confirmed.
  status            text NOT NULL CHECK (status IN ('requesting', 'requested', 'succeeded')),
  gateway_refund_id text,
  confirmed_by      text,
  requested_at      timestamptz NOT NULL DEFAULT now(),
  succeeded_at      timestamptz
);
CREATE INDEX refunds_payment ON refunds (payment_id);

-- Decisions on exceptions are logged by their workflow, once per (exception, revision), like orders' changes.
ALTER TABLE operation_log
  ADD COLUMN exception_id text,
  ADD CONSTRAINT operation_log_exception_change UNIQUE (exception_id, revision);
CREATE INDEX operation_log_exception ON operation_log (exception_id, id) WHERE exception_id IS NOT NULL;
