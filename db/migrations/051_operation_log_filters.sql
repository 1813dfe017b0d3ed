-- Issue 21: the operation log as a console page, filtered by date, user and kind of action (newest first, by id);
-- and entries written by retried activities (a gift's expiry) at most once, by a key of their own.
CREATE INDEX operation_log_created ON operation_log (created_at);
CREATE INDEX operation_log_actor ON operation_log (actor_id, id DESC);
ALTER TABLE operation_log ADD COLUMN once_key text;
CREATE UNIQUE INDEX operation_log_once_key ON operation_log (once_key) WHERE once_key IS NOT NULL;
