-- An owner stops a subscription at the end of the period paid (issue 21, seed 002: a service "dihentikan"): the stop
-- is recorded with who asked and the day the service ends; no renewal is issued after it, and an unpaid renewal
-- invoice is voided. `stopped` is the subscription's end; `cancelled` stays what ops set.
ALTER TABLE subscriptions DROP CONSTRAINT subscriptions_status_check;
ALTER TABLE subscriptions ADD CONSTRAINT subscriptions_status_check CHECK (status IN ('active', 'suspended', 'cancelled', 'stopped'));
ALTER TABLE subscriptions
  ADD COLUMN stop_requested_at timestamptz,
  ADD COLUMN stop_requested_by text REFERENCES users(id),
  ADD COLUMN ends_on date,
  ADD COLUMN stopped_at timestamptz,
  ADD CONSTRAINT subscriptions_stop_check CHECK ((stop_requested_at IS NULL) = (stop_requested_by IS NULL) AND (stop_requested_at IS NULL) = (ends_on IS NULL)),
  ADD CONSTRAINT subscriptions_stopped_check CHECK ((status = 'stopped') = (stopped_at IS NOT NULL));

ALTER TABLE invoices DROP CONSTRAINT invoices_status_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_status_check CHECK (status IN ('unpaid', 'paid', 'void'));
ALTER TABLE invoices ADD COLUMN voided_at timestamptz, ADD CONSTRAINT invoices_void_check CHECK ((status = 'void') = (voided_at IS NOT NULL));
