/** Who the provider is on receipts and emails, and where customers transfer money. From settings. */
import type { Settings } from './settings';

/** The provider's identity and bank account. */
export interface ProviderInfo {
  name: string;
  address: string;
  email: string;
  bank: { bankName: string; accountName: string; accountNumber: string };
}

/** The provider info of a deployment. */
export function providerFromSettings(s: Settings): ProviderInfo {
  return {
    name: s.PROVIDER_NAME,
    address: s.PROVIDER_ADDRESS,
    email: s.PROVIDER_EMAIL,
    bank: { bankName: s.PROVIDER_BANK_NAME, accountName: s.PROVIDER_BANK_ACCOUNT_NAME, accountNumber: s.PROVIDER_BANK_ACCOUNT_NUMBER },
  };
}
