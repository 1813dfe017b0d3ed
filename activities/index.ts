/**
 * All activities, built from their dependencies so tests pass real instances (a real pool, a real mailer).
 */
import type { Pool } from 'pg';
import type { ProviderInfo } from '../config/provider';
import { createLedgerActivities } from './ledger';
import { createEmailActivities, type Mailer } from './mailer';
import { createOrderNotificationActivities } from './order-notifications';
import { createOrderReadModelActivities } from './order-read-model';

/** What activities need from the outside world. */
export interface ActivityDeps {
  pool: Pool;
  mailer: Mailer;
  provider: ProviderInfo;
}

/** Builds the activity implementations the worker registers. */
export function createActivities(deps: ActivityDeps) {
  const email = createEmailActivities({ pool: deps.pool, mailer: deps.mailer });
  const ledger = createLedgerActivities(deps.pool);
  return {
    ...createOrderReadModelActivities(deps.pool),
    creditTopup: ledger.creditTopup,
    ...email,
    ...createOrderNotificationActivities({ pool: deps.pool, provider: deps.provider, sendEmail: email.sendEmail }),
  };
}

/** The activity interface the workflows proxy (types only cross into workflow code). */
export type Activities = ReturnType<typeof createActivities>;
