-- Who did what, when, on which account (the operation log), and the stored first responses of requests
-- carrying an Idempotency-Key.

CREATE TABLE operation_log (
  id           bigserial PRIMARY KEY,
  account_id   text NOT NULL REFERENCES accounts(id),
  actor_id     text NOT NULL REFERENCES users(id),
  action       text NOT NULL CHECK (action <> ''),
  order_number text,
  details      jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX operation_log_account_id ON operation_log (account_id, id DESC);
CREATE INDEX operation_log_order_number ON operation_log (order_number, id DESC) WHERE order_number IS NOT NULL;

-- One row per (scope, caller, key), claimed before the request runs (status NULL while it is in flight) and
-- completed with the response; a retry with the same key and body answers the stored response. Rows are kept
-- (a retry is answered for at least 24 hours, here for as long as the row exists).
CREATE TABLE idempotency_keys (
  scope            text NOT NULL,
  user_id          text NOT NULL REFERENCES users(id),
  key              text NOT NULL CHECK (key ~ '^[A-Za-z0-9_.:-]{1,200}$'),
  request_hash     text NOT NULL,
  status           integer CHECK (status BETWEEN 200 AND 499),
  response_headers jsonb,
  response_body    jsonb,
  claimed_at       timestamptz NOT NULL DEFAULT now(),
  completed_at     timestamptz,
  PRIMARY KEY (scope, user_id, key),
  CHECK ((status IS NULL) = (completed_at IS NULL))
);
