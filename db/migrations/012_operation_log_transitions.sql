-- The operation log records what happened to an order, once: each change is written by the order's workflow
-- with the read-model row of the revision it produced, keyed by (order_number, revision), so a retried write, a
-- repeated message or twenty racing approvals leave one entry, whose actor is the user whose message made the
-- change. Entries not tied to a revision (an order's creation, usage, sub-accounts) keep revision NULL, which
-- the unique constraint does not compare.
--
-- timed_at: when an API instance counted the decision in its `topup_order_decision_seconds` metric. The first
-- request to set it counts it, so a decision is counted once however many requests were answered with it.

ALTER TABLE operation_log
  ADD COLUMN revision integer CHECK (revision >= 0),
  ADD COLUMN timed_at timestamptz,
  ADD CONSTRAINT operation_log_transition UNIQUE (order_number, revision);
