/**
 * The one table of names (issue 16): every status, wallet and payment method has a name in English and in Bahasa
 * Indonesia, the emails, the PDFs and the console all read it, and the API's codes never reach a person as they are.
 */
import { ORDER_STATUSES } from '../../workflows/orders/statuses';
import { PAYMENT_METHOD_NAMES, STATUS_NAMES, WALLET_NAMES, paymentMethodName, statusName, walletName } from '../../workflows/shared/names';
import { PAYMENT_METHODS, WALLETS } from '../../workflows/shared/policy';

test('When any status, wallet or method is named, then it has a name in both languages that is not its code', () => {
  for (const locale of ['en', 'id'] as const) {
    for (const status of ORDER_STATUSES) expect(statusName(status, locale)).not.toMatch(/^$|_/);
    for (const wallet of WALLETS) expect(walletName(wallet, locale)).not.toBe(wallet);
    for (const method of PAYMENT_METHODS) expect(paymentMethodName(method, locale)).not.toMatch(/^$|_/);
  }
  expect(Object.keys(STATUS_NAMES).sort()).toEqual([...ORDER_STATUSES].sort());
  expect(Object.keys(WALLET_NAMES).sort()).toEqual([...WALLETS].sort());
  expect(Object.keys(PAYMENT_METHOD_NAMES).sort()).toEqual([...PAYMENT_METHODS].sort());
});

test('When the product names a status in English, then the table keeps DOMAIN.md\'s words', () => {
  expect(ORDER_STATUSES.map((s) => statusName(s, 'en'))).toEqual(['Unpaid', 'Awaiting payment', 'Dealing', 'Paid', 'Payment Failure', 'Closed', 'Deleted', 'Paid late']);
});
