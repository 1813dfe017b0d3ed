/** Money, wallet units, times and durations as the customer reads them, in the console's language. */
import { currentLang, t } from './i18n';
import type { Wallet } from './types';

function numberLocale(): string {
  return currentLang() === 'id' ? 'id-ID' : 'en-US';
}

/** Whole rupiah: "IDR 250,000" in English, "Rp 250.000" in Bahasa Indonesia. */
export function money(amount: number): string {
  return `${currentLang() === 'id' ? 'Rp' : 'IDR'} ${amount.toLocaleString(numberLocale())}`;
}

/** A wallet's amount in its unit: rupiah, or visitors for `muv`. */
export function walletAmount(wallet: Wallet, amount: number): string {
  return wallet === 'muv' ? `${amount.toLocaleString(numberLocale())} ${t('unit.visitors')}` : money(amount);
}

/** "2026-11-24 09:08:38" in the account's time zone, as the seed portal shows times. */
export function dateTime(iso: string, timeZone = 'Asia/Jakarta'): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' })
    .format(new Date(iso))
    .replace(',', '');
}

/** Today's date (YYYY-MM-DD) in a time zone, for date filters. */
export function isoDate(date: Date, timeZone = 'Asia/Jakarta'): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/** A duration such as "23 h 59 min" or "1 d 2 h" (at minute precision, rounded down). */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const hrs = Math.floor((s % 86_400) / 3600);
  const min = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d} d ${hrs} h`;
  if (hrs > 0) return `${hrs} h ${min} min`;
  return `${min} min ${s % 60} s`;
}

/** A live countdown "1 d 07:05:09" (or "07:05:09" under a day). */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const clock = [Math.floor((s % 86_400) / 3600), Math.floor((s % 3600) / 60), s % 60].map((n) => String(n).padStart(2, '0')).join(':');
  return d > 0 ? `${d} d ${clock}` : clock;
}

/** A policy duration ("24h", "120h", "90 days") as the reader says it. */
export function policyDuration(text: string): string {
  const m = /^(\d+(?:\.\d+)?)\s*(h|hours?|d|days?|m|min|minutes?|s|seconds?)$/.exec(text.trim());
  if (!m) return text;
  const unit = m[2]!.startsWith('h') ? (currentLang() === 'id' ? 'jam' : 'hours') : m[2]!.startsWith('d') ? (currentLang() === 'id' ? 'hari' : 'days') : m[2]!.startsWith('m') ? (currentLang() === 'id' ? 'menit' : 'minutes') : currentLang() === 'id' ? 'detik' : 'seconds';
  return `${m[1]} ${unit}`;
}
