-- Identity and onboarding (issue 17): provider admins, accounts an admin creates and suspends, users invited by
-- email who set their own password (argon2id), console sessions, API keys, and identity events in the operation log.
-- Secrets are never stored in clear: passwords as argon2id hashes, session cookies, link tokens and API keys as
-- their SHA-256 (each is 256 bits of randomness or derived from a secret key, so a fast hash is enough).

-- Roles: `admin` joins the provider's staff. Customer roles (owner, pic) stay bound to one account.
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('admin', 'owner', 'pic', 'finance', 'ops', 'service'));
ALTER TABLE users
  ADD COLUMN password_hash       text CHECK (password_hash LIKE '$argon2id$%'),
  ADD COLUMN password_changed_at timestamptz,
  ADD COLUMN last_sign_in_at     timestamptz,
  ADD COLUMN invited_by          text REFERENCES users(id),
  -- A removed user is disabled for good: it keeps its row (orders, the log and keys name it) and its username.
  ADD COLUMN removed_at          timestamptz,
  ADD CONSTRAINT users_removed_is_disabled CHECK (removed_at IS NULL OR disabled_at IS NOT NULL),
  -- A service is a program: it authenticates with API keys only.
  ADD CONSTRAINT users_service_has_no_password CHECK (role <> 'service' OR password_hash IS NULL);

-- Accounts: what an admin records when onboarding a customer. The currency is stored and every order takes it;
-- IDR is the only one the service handles for now.
ALTER TABLE accounts
  ADD COLUMN billing_email text,
  ADD COLUMN address       text,
  ADD COLUMN suspended_at  timestamptz,
  ADD COLUMN updated_at    timestamptz NOT NULL DEFAULT now(),
  ADD CONSTRAINT accounts_currency_supported CHECK (currency IN ('IDR'));

-- One-time password links: an invitation (72 h), the first admin's setup link from the admin command (72 h), a
-- reset (1 h). The token is derived from the link's id with the deployment's PASSWORD_LINK_SECRET (the email is
-- sent by a workflow, so no secret travels through its history); only its SHA-256 is kept. A link works once;
-- a newer link for the same user voids the older ones.
CREATE TABLE password_links (
  id           text PRIMARY KEY,
  user_id      text NOT NULL REFERENCES users(id),
  purpose      text NOT NULL CHECK (purpose IN ('setup', 'invitation', 'reset')),
  token_sha256 bytea NOT NULL UNIQUE,
  created_by   text REFERENCES users(id),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL CHECK (expires_at > created_at),
  used_at      timestamptz,
  voided_at    timestamptz
);
CREATE INDEX password_links_open ON password_links (user_id) WHERE used_at IS NULL AND voided_at IS NULL;
CREATE INDEX password_links_resets ON password_links (user_id, created_at) WHERE purpose = 'reset';

-- Console sessions: the cookie's value is random and kept as its SHA-256. The CSRF token is the session's
-- synchronizer token, answered to the console and compared with the X-CSRF-Token header of every state-changing
-- request; it is useless without the cookie, so it is kept as it is. Idle and absolute timeouts are checked
-- against last_seen_at and created_at on every request (api/accounts/session-auth.ts).
CREATE TABLE sessions (
  id           text PRIMARY KEY,
  token_sha256 bytea NOT NULL UNIQUE,
  csrf_token   text NOT NULL,
  user_id      text NOT NULL REFERENCES users(id),
  address      text,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  ended_at     timestamptz,
  end_reason   text CHECK (end_reason IN ('sign_out', 'password_change', 'password_reset', 'disabled', 'removed', 'account_suspended')),
  CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE INDEX sessions_open_by_user ON sessions (user_id) WHERE ended_at IS NULL;

-- API keys replace the bearer tokens of before. A key acts as its user (the owner or a PIC of an account, or a
-- provider user such as a service), within its scopes. `prefix` is the key's first 12 characters, shown in lists so
-- people tell keys apart; the key itself is kept as its SHA-256 only.
CREATE TABLE api_keys (
  id           text PRIMARY KEY,
  key_sha256   bytea NOT NULL UNIQUE,
  prefix       text CHECK (char_length(prefix) = 12),
  name         text NOT NULL CHECK (name <> ''),
  user_id      text NOT NULL REFERENCES users(id),
  scopes       text[] NOT NULL CHECK (cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write', 'usage']),
  created_by   text REFERENCES users(id),
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  last_used_at timestamptz,
  revoked_at   timestamptz,
  revoked_by   text REFERENCES users(id)
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- Each bearer token of before becomes a key of its user, with every scope its role can use: it keeps working as it
-- did. Its first characters were never stored, so it has no prefix; its name says where it came from.
INSERT INTO api_keys (id, key_sha256, prefix, name, user_id, scopes, created_at, revoked_at)
SELECT 'key_' || replace(gen_random_uuid()::text, '-', ''), t.token_sha256, NULL, 'bearer token issued before API keys', t.user_id,
       CASE WHEN u.role = 'service' THEN ARRAY['read', 'write', 'usage'] ELSE ARRAY['read', 'write'] END,
       t.created_at, t.revoked_at
  FROM api_tokens t JOIN users u ON u.id = t.user_id;
DROP TABLE api_tokens;

-- Identity events join the log: a provider user's event belongs to no account, a failed sign-in for a username
-- nobody has (or the admin command) has no actor, and each records the client's address.
ALTER TABLE operation_log
  ALTER COLUMN account_id DROP NOT NULL,
  ALTER COLUMN actor_id DROP NOT NULL,
  ADD COLUMN address text;
CREATE INDEX operation_log_provider ON operation_log (id DESC) WHERE account_id IS NULL;
