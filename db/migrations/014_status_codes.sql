-- Order statuses become machine codes (issue 16): the API, the read model and the `OrderStatus` search attribute
-- carry `unpaid`, `awaiting_payment`, `dealing`, `paid`, `payment_failure`, `closed`, `deleted`, `paid_late`;
-- people read their names (workflows/shared/names.ts). The stored rows and their JSON views are converted, and the
-- status of an operation log entry's details and of a stored order-creation answer with them.
CREATE FUNCTION pg_temp.status_code(label text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE label
    WHEN 'Unpaid' THEN 'unpaid'
    WHEN 'Awaiting payment' THEN 'awaiting_payment'
    WHEN 'Dealing' THEN 'dealing'
    WHEN 'Paid' THEN 'paid'
    WHEN 'Payment Failure' THEN 'payment_failure'
    WHEN 'Closed' THEN 'closed'
    WHEN 'Deleted' THEN 'deleted'
    WHEN 'Paid late' THEN 'paid_late'
    ELSE label
  END
$$;

ALTER TABLE orders DROP CONSTRAINT orders_status_check;

UPDATE orders
   SET status = pg_temp.status_code(status),
       view = jsonb_set(view, '{status}', to_jsonb(pg_temp.status_code(view->>'status')))
 WHERE status <> pg_temp.status_code(status) OR view->>'status' <> pg_temp.status_code(view->>'status');

UPDATE operation_log
   SET details = jsonb_set(details, '{status}', to_jsonb(pg_temp.status_code(details->>'status')))
 WHERE details ? 'status' AND details->>'status' <> pg_temp.status_code(details->>'status');

-- A stored answer of an order creation, given again to a retry with the same Idempotency-Key.
UPDATE idempotency_keys
   SET response_body = jsonb_set(response_body, '{status}', to_jsonb(pg_temp.status_code(response_body->>'status')))
 WHERE scope IN ('create-order', 'create-online-order') AND response_body ? 'status'
   AND response_body->>'status' <> pg_temp.status_code(response_body->>'status');

-- Nothing else may be stored from now on.
ALTER TABLE orders ADD CONSTRAINT orders_status_check
  CHECK (status IN ('unpaid', 'awaiting_payment', 'dealing', 'paid', 'payment_failure', 'closed', 'deleted', 'paid_late'));
