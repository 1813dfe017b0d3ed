/**
 * The payment exception's rules as data: which of finance's actions an exception takes in each status, which
 * message repeats one already taken (and so answers it instead of acting twice), and why one is refused. Pure:
 * the workflow's validators ask it, and so does the API before it sends anything.
 */
import { BANK_TRANSFER_WALLETS, type TopupPolicy, type Wallet } from '../shared/policy';
import { walletLimitRule, type RuleViolation } from '../shared/wallet-rules';
import type { ExceptionAction, ExceptionResolution, ExceptionStatus } from './messages';

/** What the rules look at. */
export interface ExceptionState {
  status: ExceptionStatus;
  resolution: Pick<ExceptionResolution, 'action' | 'accountId' | 'wallet' | 'orderNumber'> | null;
}

/** What an action names, for telling a repeat from a different decision. */
export interface ActionTarget {
  accountId?: string;
  wallet?: string;
  orderNumber?: string;
}

/** The answer: act, answer the decision already taken (a retry, a double click), or refuse with the reason. */
export type ExceptionDecision = { act: true } | { repeat: true } | { refused: string };

const ACTION_NAMES: Record<ExceptionAction, string> = { credit: 'credited', attach: 'attached', refund: 'refunded', dismiss: 'dismissed' };

/** True when `action` with `target` is the resolution already started or taken. */
function sameDecision(resolution: NonNullable<ExceptionState['resolution']>, action: ExceptionAction, target: ActionTarget): boolean {
  if (resolution.action !== action) return false;
  if (action === 'credit') return resolution.accountId === target.accountId && resolution.wallet === target.wallet;
  if (action === 'attach') return resolution.orderNumber === target.orderNumber;
  return true;
}

/** Where finance's `action` takes an exception in `state`. */
export function exceptionDecision(state: ExceptionState, action: ExceptionAction, target: ActionTarget = {}): ExceptionDecision {
  const { status, resolution } = state;
  if (status === 'open') return { act: true };
  if (resolution && sameDecision(resolution, action, target)) return { repeat: true };
  const how = resolution ? `${ACTION_NAMES[resolution.action]}${resolution.orderNumber ? ` (order ${resolution.orderNumber})` : ''}` : 'decided';
  if (status === 'in_progress') return { refused: `the exception is being ${how} already; wait for it to finish` };
  if (status === 'attached') return { refused: `the payment is held by order ${resolution?.orderNumber ?? ''}, which waits for the rest of its amount; it comes back here if that order ends unpaid` };
  return { refused: `the exception was ${how} already` };
}

/**
 * Why an exception's `amount` cannot be credited to `wallet`, or null. Money already received is credited whatever
 * its size to the `credit` wallet (the top-up minimum is for orders customers ask for); the `deposit` keeps its
 * per-order limits; the other wallets are topped up online only.
 */
export function creditViolation(wallet: Wallet, amount: number, policy: TopupPolicy): RuleViolation | null {
  if (!BANK_TRANSFER_WALLETS.includes(wallet)) return { field: 'wallet', rule: `received money is credited to ${BANK_TRANSFER_WALLETS.join(' or ')}; the ${wallet} wallet is topped up online only` };
  if (wallet !== 'deposit') return null;
  const rule = walletLimitRule(wallet, amount, policy);
  return rule ? { field: 'wallet', rule: `the payment's ${amount} cannot go to the deposit: ${rule}` } : null;
}
