-- The policy each order was created under, beside its read-model row (issue 21): the API's early checks of a change to
-- an order and the payment options it shows come from the order's own policy, as the order's workflow does, never from
-- the policy a deployment runs now. Null for orders created before this column (the API then uses the one in force).
ALTER TABLE orders ADD COLUMN policy jsonb;
