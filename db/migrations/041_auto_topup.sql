-- Automatic top-up (issue 20): cards saved at the payment gateway, one rule per wallet, and every attempt of a rule,
-- whatever became of it, as a row the owner sees.

-- A card saved at the gateway: only its token (gateway_ref), brand, last four digits and expiry are kept here; the
-- number was entered on the gateway's own page.
CREATE TABLE saved_cards (
  id          text PRIMARY KEY,
  account_id  text NOT NULL REFERENCES accounts(id),
  gateway_ref text NOT NULL UNIQUE,
  brand       text NOT NULL,
  last4       text NOT NULL CHECK (last4 ~ '^[0-9]{4}$'),
  exp_month   int NOT NULL CHECK (exp_month BETWEEN 1 AND 12),
  exp_year    int NOT NULL,
  created_by  text REFERENCES users(id),
  created_at  timestamptz NOT NULL DEFAULT now(),
  removed_at  timestamptz
);
CREATE INDEX saved_cards_of_account ON saved_cards (account_id) WHERE removed_at IS NULL;

-- A wallet's rule: below `threshold`, top up to `amount` (mode target) or by `amount` (mode fixed), in the wallet's
-- unit, with the card, within the caps (IDR charged, card fee included, per day and per month in the account's time
-- zone). It pauses itself after a number of failed charges in a row (policy autoTopupPauseAfterFailures); saving it
-- again makes it active. `version` grows with every save, so a cap or limit record is made once per version and day.
CREATE TABLE auto_topup_rules (
  account_id           text NOT NULL REFERENCES accounts(id),
  wallet               text NOT NULL CHECK (wallet IN ('credit', 'whatsapp', 'muv', 'deposit')),
  enabled              boolean NOT NULL,
  threshold            bigint NOT NULL CHECK (threshold >= 0),
  mode                 text NOT NULL CHECK (mode IN ('target', 'fixed')),
  amount               bigint NOT NULL CHECK (amount > 0),
  card_id              text NOT NULL REFERENCES saved_cards(id),
  daily_cap            bigint NOT NULL CHECK (daily_cap > 0),
  monthly_cap          bigint NOT NULL CHECK (monthly_cap >= daily_cap),
  status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused')),
  paused_reason        text,
  consecutive_failures int NOT NULL DEFAULT 0,
  version              int NOT NULL DEFAULT 1,
  updated_by           text REFERENCES users(id),
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, wallet),
  CHECK (mode <> 'target' OR amount > threshold),
  CHECK ((status = 'paused') = (paused_reason IS NOT NULL))
);

-- Every attempt: a charge (charging, then succeeded, declined or refused) or a stop (cap reached, amount above the
-- wallet's limit, not allowed by the wallet's rules, rule paused). `evaluation_key` names the rule workflow's step that
-- made it (a retried step finds it); `dedupe_key` makes a stop that persists (a cap, a limit) one record per rule
-- version and period. A charge's order_number keys its ledger entry and is its reference at the gateway.
CREATE TABLE auto_topup_attempts (
  id              text PRIMARY KEY,
  account_id      text NOT NULL REFERENCES accounts(id),
  wallet          text NOT NULL,
  rule_version    int NOT NULL,
  evaluation_key  text UNIQUE,
  dedupe_key      text UNIQUE,
  outcome         text NOT NULL CHECK (outcome IN ('charging', 'succeeded', 'declined', 'charge_refused', 'cap_reached', 'amount_above_limit', 'not_allowed', 'rule_paused')),
  order_number    text UNIQUE CHECK (order_number ~ '^[0-9]{13}$'),
  balance         bigint NOT NULL,
  pending         bigint NOT NULL,
  amount          bigint,
  charged         bigint,
  fee             bigint,
  card_id         text REFERENCES saved_cards(id),
  reason          text,
  charge_ref      text,
  ledger_entry_id bigint,
  balance_after   bigint,
  created_at      timestamptz NOT NULL,
  finished_at     timestamptz,
  CHECK ((outcome IN ('charging', 'succeeded', 'declined', 'charge_refused')) = (order_number IS NOT NULL))
);
CREATE INDEX auto_topup_attempts_of_wallet ON auto_topup_attempts (account_id, wallet, created_at DESC);
-- At most one charge in flight per wallet, whatever the workflow does.
CREATE UNIQUE INDEX auto_topup_one_charging ON auto_topup_attempts (account_id, wallet) WHERE outcome = 'charging';
