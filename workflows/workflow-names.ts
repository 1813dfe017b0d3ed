/**
 * The workflow types the worker registers, by name, and typed by their functions through a type-only import, so
 * a client starts one with checked arguments without loading workflow code (which only the worker bundles).
 */
import type * as workflows from './index';

/** The workflow functions, as types. */
export type WorkflowFunctions = typeof workflows;

/** The name of each workflow type; `satisfies` keeps the names those of the functions. */
export const WORKFLOW_NAMES = {
  topupOrder: 'topupOrder',
  onlineTopupOrder: 'onlineTopupOrder',
  lowBalanceNotice: 'lowBalanceNotice',
  giftExpiry: 'giftExpiry',
  subscriptionBilling: 'subscriptionBilling',
  passwordLinkEmail: 'passwordLinkEmail',
  webhookDelivery: 'webhookDelivery',
  autoTopupRule: 'autoTopupRule',
  paymentException: 'paymentException',
} as const satisfies { [K in keyof WorkflowFunctions]: K };
