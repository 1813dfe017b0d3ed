/**
 * All activities, built from their dependencies so tests pass real instances (a real pool, a real mailer). They
 * implement the activity interfaces the workflows declare (workflows/<area>/activity-types.ts).
 */
import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import type { ProviderInfo } from '../config/provider';
import type {
  AutoTopupActivities,
  BankTransferActivities,
  BillingActivities,
  GiftActivities,
  LowBalanceActivities,
  OnlineOrderActivities,
  PasswordLinkActivities,
  ReconciliationActivities,
  TopupPolicy,
  WebhookActivities,
} from '../workflows/definitions';
import { createPasswordLinkActivities } from './accounts/password-link-activities';
import { createAutoTopupActivities } from './auto-topup/auto-topup-activities';
import { createOrderNotificationActivities } from './bank-transfer/order-notifications';
import { createBillingActivities } from './billing/billing-activities';
import { createGiftActivities } from './ledger/gift-activities';
import { createLedgerActivities } from './ledger/ledger-activities';
import { createLowBalanceActivities } from './ledger/low-balance';
import { createOnlineOrderActivities } from './online/online-order-activities';
import type { PaymentProvider } from './online/payment-provider';
import { createPaidStepActivities } from './orders/paid-step-activities';
import { createOrderReadModelActivities } from './orders/read-model-activities';
import { createReconciliationActivities } from './reconciliation/exception-activities';
import { createEmailActivities, type Mailer } from './shared/mailer';
import { createWebhookActivities } from './webhooks/webhook-activities';

/** What activities need from the outside world. */
export interface ActivityDeps {
  pool: Pool;
  mailer: Mailer;
  provider: ProviderInfo;
  /** The payment gateway of online top-ups. */
  gateway: PaymentProvider;
  /** Where people open the console (PUBLIC_URL): password links point at it. */
  publicUrl: string;
  /** PASSWORD_LINK_SECRET: password-link tokens are derived with it (db/accounts/password-links.ts). */
  passwordLinkSecret: string;
  /** WEBHOOK_SECRET_KEY: webhook signing secrets are sealed under it (db/webhooks/secret-box.ts). */
  webhookSecretKey: string;
  /**
   * The deployment's policy (TOPUP_POLICY_FILE), for the long-running workflows an activity starts (webhook delivery,
   * automatic top-up); orders keep the snapshot they were started with.
   */
  policy: TopupPolicy;
}

/** What the worker adds to the activities' dependencies: a client of its own Temporal service, and its task queue. */
export interface WorkerLink {
  /** Starts the workflows activities open (payment exceptions). */
  temporal: Client;
  taskQueue: string;
}

/** Every activity a workflow calls. */
export type WorkflowActivities = BankTransferActivities &
  OnlineOrderActivities &
  BillingActivities &
  LowBalanceActivities &
  GiftActivities &
  PasswordLinkActivities &
  WebhookActivities &
  AutoTopupActivities &
  ReconciliationActivities;

/** Builds the activity implementations the worker registers. */
export function createActivities(deps: ActivityDeps & WorkerLink) {
  const { pool, provider, policy } = deps;
  const email = createEmailActivities({ pool, mailer: deps.mailer });
  const { sendEmail } = email;
  const readModel = createOrderReadModelActivities({ pool, policy });
  const notifications = createOrderNotificationActivities({ pool, provider, sendEmail });
  const online = createOnlineOrderActivities({ pool, provider, gateway: deps.gateway, sendEmail });
  const ledger = createLedgerActivities(pool);
  return {
    ...readModel,
    ...ledger,
    ...createGiftActivities(pool),
    ...email,
    ...notifications,
    ...createPaidStepActivities({ ...readModel, ...ledger, ...notifications, ...online }),
    ...createBillingActivities({ pool, provider, policy, sendEmail }),
    ...createLowBalanceActivities({ pool, providerName: provider.name, policy, sendEmail }),
    ...online,
    ...createAutoTopupActivities({ pool, gateway: deps.gateway, providerName: provider.name, publicUrl: deps.publicUrl, policy, sendEmail }),
    ...createWebhookActivities({ pool, secretKey: deps.webhookSecretKey, providerName: provider.name, publicUrl: deps.publicUrl, policy, sendEmail }),
    ...createReconciliationActivities({ pool, temporal: deps.temporal, taskQueue: deps.taskQueue, gateway: deps.gateway, providerName: provider.name, publicUrl: deps.publicUrl, policy, sendEmail }),
    ...createPasswordLinkActivities({ pool, providerName: provider.name, linkSecret: deps.passwordLinkSecret, publicUrl: deps.publicUrl, sendEmail }),
  } satisfies WorkflowActivities;
}

/** The activities the worker registers. */
export type Activities = ReturnType<typeof createActivities>;
