-- Order numbers stop counting openly: the 6 digits after the date become a keyed permutation of the day's
-- counter (db/order-numbers.ts), so two orders no longer tell how many were made between them.

-- The key, made here from PostgreSQL's strong random source (gen_random_uuid: 122 random bits each), one per
-- database so every API process of it numbers alike; it never leaves the database.
CREATE TABLE order_number_key (
  id  boolean PRIMARY KEY DEFAULT true CHECK (id),
  key bytea NOT NULL CHECK (length(key) = 32)
);
INSERT INTO order_number_key (key) VALUES (decode(replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''), 'hex'));

-- A day that already handed out sequential numbers keeps doing so until it ends: its permuted numbers could
-- meet the ones given before.
ALTER TABLE order_number_counters ADD COLUMN permuted boolean;
UPDATE order_number_counters SET permuted = false;
ALTER TABLE order_number_counters ALTER COLUMN permuted SET DEFAULT true, ALTER COLUMN permuted SET NOT NULL;
