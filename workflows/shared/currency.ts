/**
 * The currencies the service handles: an account's currency is stored with it and every order takes it. IDR only
 * for now (amounts are whole rupiah); adding one means its minor unit, its rules and its names.
 */
export const CURRENCIES = ['IDR'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** True when `code` is a currency the service handles. */
export function isSupportedCurrency(code: string): code is Currency {
  return (CURRENCIES as readonly string[]).includes(code);
}
