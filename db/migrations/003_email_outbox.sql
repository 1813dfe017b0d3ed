-- The email outbox: one row per email the system means to send, keyed by the caller's idempotency key
-- (derived from the order and the step). `sent_at` is set once the SMTP server has accepted the message; a
-- key whose row has it is never sent again. Bodies are not kept: the row is the record that it was sent.

CREATE TABLE email_outbox (
  idempotency_key text PRIMARY KEY CHECK (idempotency_key <> ''),
  -- Derived from the key, so a resend after a lost `sent_at` carries the same Message-ID.
  message_id      text NOT NULL UNIQUE,
  recipient       text NOT NULL,
  subject         text NOT NULL,
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  last_error      text,
  smtp_response   text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
-- Ops look for emails still waiting to go out.
CREATE INDEX email_outbox_unsent ON email_outbox (created_at) WHERE sent_at IS NULL;
