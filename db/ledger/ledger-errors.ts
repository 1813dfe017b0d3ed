/**
 * The ledger's business errors. Each is a non-retryable `ApplicationFailure`, so an activity that throws one
 * fails at once with `type` set to the class name (or `InvalidInput`, which the API maps to 400) instead of
 * being retried into the same answer.
 */
import { ApplicationFailure } from '@temporalio/common';
import type { Wallet } from '../../workflows/definitions';

function named(cls: { prototype: object }, name: string): void {
  // ApplicationFailure fixes `name` on its prototype; give subclasses their own for stack traces and logs.
  Object.defineProperty(cls.prototype, 'name', { value: name, enumerable: true });
}

/** An input broke a rule; the message names the field and the rule. */
export class InvalidLedgerInputError extends ApplicationFailure {
  constructor(field: string, rule: string) {
    super(`${field}: ${rule}`, 'InvalidInput', true, [{ field, rule }]);
  }
}
named(InvalidLedgerInputError, 'InvalidLedgerInputError');

/** A usage charge the wallet cannot cover and may not leave unbilled; nothing was changed. */
export class InsufficientBalanceError extends ApplicationFailure {
  constructor(accountId: string, wallet: Wallet, balance: number, amount: number) {
    super(
      `the ${wallet} wallet of account ${accountId} has a balance of ${balance}, less than the charge of ${amount}, and may not go negative`,
      'InsufficientBalanceError',
      true,
      [{ accountId, wallet, balance, amount }],
    );
  }
}
named(InsufficientBalanceError, 'InsufficientBalanceError');

/** An idempotency key already recorded a different movement (another kind, account, wallet or amount). */
export class IdempotencyConflictError extends ApplicationFailure {
  constructor(key: string, recorded: string, requested: string) {
    super(`idempotency key "${key}" already recorded ${recorded}; this request is ${requested}`, 'IdempotencyConflictError', true, [
      { key, recorded, requested },
    ]);
  }
}
named(IdempotencyConflictError, 'IdempotencyConflictError');
