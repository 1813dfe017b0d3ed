-- Payment gateway callbacks (api/payment-callback.ts): every verified event, recorded once by its id before
-- anything acts on it, so a payment is never lost between the gateway and the order, also when it arrives for an
-- expired invoice or an unknown order. `applied_at` and `disposition` are set once the order side has acted on it.

CREATE TABLE payment_events (
  id           text PRIMARY KEY CHECK (id <> ''),
  type         text NOT NULL CHECK (type <> ''),
  provider_ref text NOT NULL,
  -- The order number we gave the gateway; no foreign key, as money for an unknown order is recorded too.
  merchant_ref text NOT NULL,
  method       text NOT NULL CHECK (method IN ('virtual_account', 'credit_card', 'ewallet')),
  amount       bigint NOT NULL CHECK (amount > 0),
  paid_at      timestamptz NOT NULL,
  raw          jsonb NOT NULL,
  received_at  timestamptz NOT NULL DEFAULT now(),
  applied_at   timestamptz,
  disposition  text CHECK (disposition <> ''),
  CHECK ((applied_at IS NULL) = (disposition IS NULL))
);
CREATE INDEX payment_events_merchant_ref ON payment_events (merchant_ref, received_at);
-- Ops (or a sweeper) look for payments recorded but not yet applied to their order.
CREATE INDEX payment_events_unapplied ON payment_events (received_at) WHERE applied_at IS NULL;
