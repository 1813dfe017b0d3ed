-- Accounts (customer companies), their users, bearer tokens, and the order read model.

CREATE TABLE accounts (
  id            text PRIMARY KEY,
  company_name  text NOT NULL,
  currency      text NOT NULL DEFAULT 'IDR',
  time_zone     text NOT NULL DEFAULT 'Asia/Jakarta',
  locale        text NOT NULL DEFAULT 'en' CHECK (locale IN ('en', 'id')),
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- A user is a person (owner, pic) of one account, or provider staff (finance, ops) or a service credential.
CREATE TABLE users (
  id          text PRIMARY KEY,
  account_id  text REFERENCES accounts(id),
  username    text NOT NULL UNIQUE,
  email       text NOT NULL,
  role        text NOT NULL CHECK (role IN ('owner', 'pic', 'finance', 'ops', 'service')),
  disabled_at timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  CHECK ((role IN ('owner', 'pic')) = (account_id IS NOT NULL))
);
-- Exactly one owner (main user) per account.
CREATE UNIQUE INDEX users_one_owner_per_account ON users (account_id) WHERE role = 'owner';

-- Bearer tokens are stored only as their SHA-256.
CREATE TABLE api_tokens (
  token_sha256 bytea PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz
);

-- Order numbers: '1' + YYMMDD + a 6-digit daily sequence, allocated atomically per day.
CREATE TABLE order_number_counters (
  day  date PRIMARY KEY,
  last integer NOT NULL CHECK (last BETWEEN 1 AND 999999)
);

-- The order read model, written by the workflow's activity on every transition (highest revision wins).
CREATE TABLE orders (
  order_number   text PRIMARY KEY CHECK (order_number ~ '^[0-9]{13}$'),
  account_id     text NOT NULL REFERENCES accounts(id),
  created_by     text NOT NULL REFERENCES users(id),
  wallet         text NOT NULL,
  currency       text NOT NULL,
  amount         bigint NOT NULL CHECK (amount > 0),
  payment_method text,
  status         text NOT NULL CHECK (status IN ('Unpaid', 'Awaiting payment', 'Dealing', 'Paid', 'Payment Failure', 'Closed', 'Deleted')),
  check_result   text,
  revision       integer NOT NULL,
  view           jsonb NOT NULL,
  created_at     timestamptz NOT NULL,
  submitted_at   timestamptz,
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_account_created ON orders (account_id, created_at DESC);
CREATE INDEX orders_account_status_created ON orders (account_id, status, created_at DESC);
CREATE INDEX orders_status_submitted ON orders (status, submitted_at);
