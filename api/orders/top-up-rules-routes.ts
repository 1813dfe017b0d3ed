/** `GET /v1/top-up-rules`: the limits of the policy in force, so a form states each wallet's rule before it is broken. */
import { Router } from 'express';
import { BANK_TRANSFER_WALLETS, ONLINE_PAYMENT_METHODS, type TopupPolicy, type Wallet, type PaymentMethod } from '../../workflows/definitions';

/** The rules a customer sees beside the amount fields. */
export interface TopUpRules {
  currency: 'IDR';
  bankTransferWallets: readonly Wallet[];
  onlinePaymentMethods: readonly PaymentMethod[];
  creditMinAmount: number;
  whatsappMinAmount: number;
  muvPackVisitors: number;
  muvPackPrice: number;
  depositMinAmount: number;
  depositMaxAmount: number;
  creditCardFeeBasisPoints: number;
  reviewWindow: string;
  unsubmittedCloseAfter: string;
}

/** The rules of `policy`. */
export function topUpRules(policy: TopupPolicy): TopUpRules {
  const { creditMinAmount, whatsappMinAmount, muvPackVisitors, muvPackPrice, depositMinAmount, depositMaxAmount, creditCardFeeBasisPoints, reviewWindow, unsubmittedCloseAfter } = policy;
  return {
    currency: 'IDR',
    bankTransferWallets: BANK_TRANSFER_WALLETS,
    onlinePaymentMethods: ONLINE_PAYMENT_METHODS,
    creditMinAmount,
    whatsappMinAmount,
    muvPackVisitors,
    muvPackPrice,
    depositMinAmount,
    depositMaxAmount,
    creditCardFeeBasisPoints,
    reviewWindow,
    unsubmittedCloseAfter,
  };
}

/** Builds the `/v1/top-up-rules` router; every authenticated role may ask. */
export function topUpRulesRouter(deps: { policy: TopupPolicy }): Router {
  const router = Router();
  const rules = topUpRules(deps.policy);
  router.get('/', (_req, res) => {
    res.json(rules);
  });
  return router;
}
