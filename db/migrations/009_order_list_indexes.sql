-- The order list at scale (bench/api.ts: 1,000,000 orders across 10,000 accounts). A plain-date filter means the
-- day in the account's time zone; computed per row at query time it could use no index, and finance's list over
-- every account sorted and counted every row of the status. The creation day is now stored on the order (in the
-- account's time zone when the order was created, set by a trigger so every writer gets it), and the lists across
-- accounts have indexes in their sort order.

ALTER TABLE orders ADD COLUMN created_on date;

CREATE FUNCTION orders_set_created_on() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.created_on := (NEW.created_at AT TIME ZONE (SELECT time_zone FROM accounts WHERE id = NEW.account_id))::date;
  RETURN NEW;
END $$;
CREATE TRIGGER orders_created_on BEFORE INSERT OR UPDATE OF created_at, account_id ON orders
  FOR EACH ROW EXECUTE FUNCTION orders_set_created_on();

UPDATE orders o SET created_on = (o.created_at AT TIME ZONE a.time_zone)::date FROM accounts a WHERE a.id = o.account_id;

-- Counting a status over a date range (an index-only scan).
CREATE INDEX orders_status_created_on ON orders (status, created_on);
-- Finance's and ops' lists across accounts, newest first, with and without a status.
CREATE INDEX orders_status_created ON orders (status, created_at DESC, order_number DESC);
CREATE INDEX orders_created ON orders (created_at DESC, order_number DESC);
