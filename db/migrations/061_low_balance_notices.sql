-- Each low-balance notice as it was claimed: the wallet's reference (its last paid top-up) and its balance then.
-- `wallet_alerts` holds only the current reference, and a later top-up overwrites it (and clears `notified_for`),
-- so a notice whose activity was retried after such a top-up found nothing claimed, answered "not due", and its
-- email, already in the outbox, was never sent (fault campaign, seed 20788). The retry now reads its notice here.
CREATE TABLE low_balance_notices (
  account_id         text NOT NULL REFERENCES accounts(id),
  wallet             text NOT NULL,
  reference_entry_id bigint NOT NULL,
  reference          bigint NOT NULL,
  current            bigint NOT NULL,
  claimed_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, wallet, reference_entry_id)
);

-- Claims made before this table: the balance at the claim is not known any more, today's stands in for it (it only
-- shows in the email of a notice still being retried while this migration runs).
INSERT INTO low_balance_notices (account_id, wallet, reference_entry_id, reference, current)
SELECT a.account_id, a.wallet, a.notified_for, a.reference, w.recharge + w.gift - w.unbilled
  FROM wallet_alerts a JOIN wallets w ON w.account_id = a.account_id AND w.wallet = a.wallet
 WHERE a.notified_for IS NOT NULL AND a.notified_for = a.reference_entry_id
ON CONFLICT DO NOTHING;
