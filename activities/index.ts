/**
 * All activities, built from their dependencies so tests pass real instances (a real pool, a real mailer).
 */
import type { Pool } from 'pg';
import type { ProviderInfo } from '../config/provider';
import { createBillingActivities } from './billing/billing-activities';
import { createLedgerActivities } from '../db/ledger/ledger';
import { createLowBalanceActivities } from './ledger/low-balance';
import { createEmailActivities, type Mailer } from './shared/mailer';
import { createOrderNotificationActivities } from './bank-transfer/order-notifications';
import { createOnlineOrderActivities } from './online/online-order-activities';
import { createOrderReadModelActivities } from '../db/orders/read-model';
import type { PaymentProvider } from './online/payment-provider';

/** What activities need from the outside world. */
export interface ActivityDeps {
  pool: Pool;
  mailer: Mailer;
  provider: ProviderInfo;
  /** The payment gateway of online top-ups. */
  gateway: PaymentProvider;
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
    ...createBillingActivities({ pool: deps.pool, provider: deps.provider, sendEmail: email.sendEmail }),
    ...createLowBalanceActivities({ pool: deps.pool, providerName: deps.provider.name, sendEmail: email.sendEmail }),
    ...createOnlineOrderActivities({ pool: deps.pool, provider: deps.provider, gateway: deps.gateway, sendEmail: email.sendEmail }),
  };
}

/** The activity interface the workflows proxy (types only cross into workflow code). */
export type Activities = ReturnType<typeof createActivities>;
