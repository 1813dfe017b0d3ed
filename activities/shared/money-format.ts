/**
 * How values are shown to a customer in their locale: IDR amounts, wallet units, rates and times in the
 * account's time zone (the names of statuses, wallets and methods: workflows/shared/names.ts). Pure and
 * deterministic given its inputs (no clock, no host locale).
 */
import type { Locale } from '../../workflows/definitions';

/** The time zone of an account that names none. */
export const DEFAULT_TIME_ZONE = 'Asia/Jakarta';

const NUMBER_FORMATS: Record<Locale, Intl.NumberFormat> = {
  en: new Intl.NumberFormat('en-US', { maximumFractionDigits: 0, useGrouping: true }),
  id: new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0, useGrouping: true }),
};

const CURRENCY_PREFIX: Record<Locale, string> = { en: 'IDR', id: 'Rp' };

const VISITORS: Record<Locale, string> = { en: 'visitors', id: 'pengunjung' };

const PERCENT_FORMATS: Record<Locale, Intl.NumberFormat> = {
  en: new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 }),
  id: new Intl.NumberFormat('id-ID', { maximumFractionDigits: 2 }),
};

/**
 * An IDR amount (whole rupiah): `en` → "IDR 1,000,000", `id` → "Rp 1.000.000"; a negative amount (an
 * outstanding balance) → "-IDR 5,000" / "-Rp 5.000".
 */
export function formatIdr(amount: number, locale: Locale): string {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount must be a whole number of rupiah, got ${amount}`);
  const sign = amount < 0 ? '-' : '';
  return `${sign}${CURRENCY_PREFIX[locale]} ${NUMBER_FORMATS[locale].format(Math.abs(amount))}`;
}

/**
 * An amount in the wallet's own unit (DOMAIN.md): `muv` counts visitors ("1,000 visitors" / "1.000 pengunjung"),
 * every other wallet is IDR as `formatIdr` writes it.
 */
export function formatWalletAmount(wallet: string, amount: number, locale: Locale): string {
  if (wallet !== 'muv') return formatIdr(amount, locale);
  if (!Number.isSafeInteger(amount)) throw new RangeError(`visitors must be a whole number, got ${amount}`);
  return `${NUMBER_FORMATS[locale].format(amount)} ${VISITORS[locale]}`;
}

/** A count of `muv` packs: "2 packs" / "2 paket". */
export function formatPacks(packs: number, locale: Locale): string {
  if (!Number.isSafeInteger(packs)) throw new RangeError(`packs must be a whole number, got ${packs}`);
  const word = locale === 'id' ? 'paket' : packs === 1 ? 'pack' : 'packs';
  return `${NUMBER_FORMATS[locale].format(packs)} ${word}`;
}

/** A rate in basis points as a percentage: 350 → "3.5%" (`en`) / "3,5%" (`id`). */
export function formatBasisPoints(basisPoints: number, locale: Locale): string {
  return `${PERCENT_FORMATS[locale].format(basisPoints / 100)}%`;
}

// Month abbreviations are spelled out rather than taken from ICU, whose data changes between Node releases
// (en-GB's September became "Sept"): a receipt rendered twice must read the same.
const MONTHS: Record<Locale, readonly string[]> = {
  en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
  id: ['Jan', 'Feb', 'Mar', 'Apr', 'Mei', 'Jun', 'Jul', 'Agu', 'Sep', 'Okt', 'Nov', 'Des'],
};

// Indonesian convention separates hours and minutes with a dot.
const TIME_SEPARATOR: Record<Locale, string> = { en: ':', id: '.' };

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

function zonedFormat(timeZone: string): Intl.DateTimeFormat {
  let format = dateTimeFormats.get(timeZone);
  if (!format) {
    // id-ID names Indonesia's zones as people there say them (WIB, WITA, WIT) and others as "GMT+8".
    format = new Intl.DateTimeFormat('id-ID', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    dateTimeFormats.set(timeZone, format);
  }
  return format;
}

/**
 * An instant as a customer reads it in their time zone: `en` → "24 Nov 2026 10:15 WIB",
 * `id` → "24 Nov 2026 10.15 WIB". Throws on a time that is not a valid date or an unknown time zone.
 */
export function formatDateTime(iso: string, locale: Locale, timeZone: string = DEFAULT_TIME_ZONE): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a valid time: "${iso}"`);
  const parts = new Map(zonedFormat(timeZone).formatToParts(date).map((p) => [p.type, p.value]));
  const month = MONTHS[locale][Number(parts.get('month')) - 1];
  const time = `${parts.get('hour')}${TIME_SEPARATOR[locale]}${parts.get('minute')}`;
  return `${parts.get('day')} ${month} ${parts.get('year')} ${time} ${parts.get('timeZoneName')}`;
}
