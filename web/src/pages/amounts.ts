/** Amount input and the wallet rules shown beside it, shared by the wizard, the edit dialog and the online form. */
import { money } from '../format';
import { currentLang, t } from '../i18n';
import { rules } from '../session';
import type { Wallet } from '../types';

/** The rule of a wallet's top-up as the policy in force states it. */
export function walletRule(wallet: Wallet): string {
  const r = rules();
  switch (wallet) {
    case 'credit':
      return t('rule.credit', { min: money(r.creditMinAmount) });
    case 'whatsapp':
      return t('rule.whatsapp', { min: money(r.whatsappMinAmount) });
    case 'muv':
      return t('rule.muv', { pack: r.muvPackVisitors.toLocaleString(currentLang() === 'id' ? 'id-ID' : 'en-US'), price: money(r.muvPackPrice) });
    case 'deposit':
      return t('rule.deposit', { min: money(r.depositMinAmount), max: money(r.depositMaxAmount) });
  }
}

/**
 * A typed amount as a whole number: plain digits, or digits grouped by thousands ("250.000", "250,000",
 * "250 000"); anything else is refused with the rule to show next to the field. The limits are the API's to check.
 */
export function parseAmount(text: string): number | string {
  const typed = text.trim();
  if (typed === '') return t('topUp.amountRequired');
  if (!/^\d{1,15}$/.test(typed) && !/^\d{1,3}([.,\s]\d{3}){1,4}$/.test(typed)) return t('topUp.wholeNumber');
  return Number(typed.replace(/[.,\s]/g, ''));
}
