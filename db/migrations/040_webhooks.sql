-- Outgoing webhooks (issue 20): an account's endpoints, the events published for it, each endpoint's queue of
-- deliveries (in order of creation), and the log of every HTTP attempt.

-- An endpoint: where events go, which types it takes, and its signing secrets. A secret is needed in clear to sign
-- (HMAC), so it is stored sealed (AES-256-GCM under the deployment's WEBHOOK_SECRET_KEY), never in clear; it is
-- shown once, when made. After a rotation the previous secret still signs until previous_expires_at.
-- next_seq numbers the endpoint's queue: taking it locks the endpoint's row until the event's transaction commits,
-- so an endpoint's queue order is the order its events were committed in.
CREATE TABLE webhook_endpoints (
  id                  text PRIMARY KEY,
  account_id          text NOT NULL REFERENCES accounts(id),
  url                 text NOT NULL CHECK (url ~ '^https?://'),
  description         text NOT NULL DEFAULT '',
  event_types         text[] NOT NULL CHECK (cardinality(event_types) > 0),
  enabled             boolean NOT NULL DEFAULT true,
  -- failing: an event's retries ran out (3 days); the queue waits until the owner resumes the endpoint.
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failing')),
  failing_since       timestamptz,
  failing_reason      text,
  secret_sealed       bytea NOT NULL,
  previous_secret_sealed bytea,
  previous_expires_at timestamptz,
  secret_rotated_at   timestamptz,
  next_seq            bigint NOT NULL DEFAULT 0,
  created_by          text REFERENCES users(id),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  deleted_at          timestamptz,
  CHECK ((status = 'failing') = (failing_since IS NOT NULL))
);
CREATE INDEX webhook_endpoints_of_account ON webhook_endpoints (account_id) WHERE deleted_at IS NULL;

-- An event: published once per source (source_key: the order and revision, the invoice and step, …) and only when
-- some endpoint of the account takes its type. Its body is built from this row on every attempt.
CREATE TABLE webhook_events (
  id         text PRIMARY KEY,
  source_key text NOT NULL UNIQUE,
  account_id text NOT NULL REFERENCES accounts(id),
  type       text NOT NULL,
  created_at timestamptz NOT NULL,
  data       jsonb NOT NULL
);

-- An endpoint's queue: one row per event it is to receive, delivered in seq order, one at a time.
CREATE TABLE webhook_deliveries (
  endpoint_id      text NOT NULL REFERENCES webhook_endpoints(id),
  seq              bigint NOT NULL,
  event_id         text NOT NULL REFERENCES webhook_events(id),
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered')),
  attempts         int NOT NULL DEFAULT 0,
  last_attempt_at  timestamptz,
  last_status_code int,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (endpoint_id, seq),
  UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, seq) WHERE state = 'pending';

-- The delivery log: every HTTP attempt, automatic or manual (redeliver, test event).
CREATE TABLE webhook_attempts (
  id               bigserial PRIMARY KEY,
  endpoint_id      text NOT NULL REFERENCES webhook_endpoints(id),
  event_id         text NOT NULL REFERENCES webhook_events(id),
  kind             text NOT NULL CHECK (kind IN ('automatic', 'redeliver', 'test')),
  attempt          int NOT NULL CHECK (attempt > 0),
  attempted_at     timestamptz NOT NULL,
  status_code      int,
  latency_ms       int NOT NULL CHECK (latency_ms >= 0),
  delivered        boolean NOT NULL,
  error            text,
  response_excerpt text
);
CREATE INDEX webhook_attempts_of_endpoint ON webhook_attempts (endpoint_id, id DESC);

-- The order read model remembers the revision at which its status last changed, and the status before it, so a
-- retried read-model write (the first committed, its answer lost) still publishes the change it made. NULL marks
-- the API's placeholder row of a new order, which the workflow's first write replaces (db/orders/read-model.ts).
ALTER TABLE orders
  ADD COLUMN status_revision int,
  ADD COLUMN previous_status text;
UPDATE orders SET status_revision = revision;
