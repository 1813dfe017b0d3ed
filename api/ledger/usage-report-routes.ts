/**
 * The dashboard's usage report (seed 000): usage per wallet and day for a period, each wallet's change against
 * the period of the same length just before, the breakdown by service, and "download details" as CSV (every charge
 * of the period, streamed). Customers read their account's; finance and ops name the account.
 */
import { Router, type Request } from 'express';
import type { Pool } from 'pg';
import { z } from 'zod';
import { streamUsageCharges, usageByService, usagePerDay, usageTotals, type UsageChargeRow, type UsagePeriod } from '../../db/ledger/usage-report';
import { WALLETS, type Wallet } from '../../workflows/definitions';
import { requireRole } from '../accounts/auth';
import { requireScopedAccount } from '../accounts/scoped-account';
import { sendCsv, type CsvColumn } from '../shared/csv-response';
import { ZDay, ZDayRange } from '../shared/day-range';
import { HttpError } from '../shared/errors';

/** The longest period one report covers. */
export const USAGE_REPORT_MAX_DAYS = 366;
/** The period when none is asked: the last 7 days, today included (the seed's dashboard). */
const DEFAULT_DAYS = 7;

/** `GET /v1/usage/report` and `GET /v1/usage/report.csv`. */
export const ZUsageReportQuery = ZDayRange(z.strictObject({ from: ZDay.optional(), to: ZDay.optional(), accountId: z.string().min(1).max(100).optional() }));

/** One wallet's usage over the period, beside the period before it. */
export interface UsageReportWallet {
  wallet: Wallet;
  amount: number;
  charges: number;
  previousAmount: number;
  previousCharges: number;
  /** The change of `amount` against the previous period, in percent with one decimal; null when that period had none. */
  changePercent: number | null;
}

/** The report. */
export interface UsageReport {
  accountId: string;
  timeZone: string;
  from: string;
  to: string;
  previousFrom: string;
  previousTo: string;
  wallets: UsageReportWallet[];
  /** Every day of the period for every wallet with usage in it, zero where there was none. */
  days: { date: string; wallet: Wallet; amount: number; charges: number }[];
  services: { wallet: Wallet; service: string | null; amount: number; charges: number }[];
}

const DAY_MS = 86_400_000;
const addDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;
const today = (timeZone: string, now: Date) => new Intl.DateTimeFormat('sv-SE', { timeZone }).format(now);

/** The period asked for (or the last 7 days), within {@link USAGE_REPORT_MAX_DAYS}. */
function periodOf(query: z.infer<typeof ZUsageReportQuery>, timeZone: string, now: Date): { from: string; to: string } {
  const to = query.to ?? (query.from ? addDays(query.from, DEFAULT_DAYS - 1) : today(timeZone, now));
  const from = query.from ?? addDays(to, -(DEFAULT_DAYS - 1));
  if (daysBetween(from, to) > USAGE_REPORT_MAX_DAYS) {
    const rule = `must be at most ${USAGE_REPORT_MAX_DAYS} days after from`;
    throw new HttpError(400, 'invalid_input', `to: ${rule}`, [{ path: 'to', rule }]);
  }
  return { from, to };
}

/** The change from `previous` to `current` in percent, one decimal; null when there was nothing before. */
export function changePercent(current: number, previous: number): number | null {
  return previous === 0 ? null : Math.round(((current - previous) / previous) * 1000) / 10;
}

const CSV_COLUMNS: CsvColumn<UsageChargeRow>[] = [
  { header: 'time', value: (r) => r.localTime },
  { header: 'entry_id', value: (r) => r.entryId },
  { header: 'wallet', value: (r) => r.wallet },
  { header: 'service', value: (r) => r.service },
  { header: 'memo', value: (r) => r.memo },
  { header: 'amount', value: (r) => r.amount },
];

/** Builds the report routes (mounted at `/v1/usage`, beside the charges). */
export function usageReportRouter(deps: { pool: Pool; now: () => Date }): Router {
  const router = Router();
  const readers = requireRole('owner', 'pic', 'finance', 'ops');

  const periodFor = async (req: Request): Promise<UsagePeriod> => {
    const query = ZUsageReportQuery.parse(req.query);
    const account = await requireScopedAccount(deps.pool, req, query.accountId);
    return { accountId: account.id, timeZone: account.timeZone, ...periodOf(query, account.timeZone, deps.now()) };
  };

  router.get('/report', readers, async (req, res) => {
    const period = await periodFor(req);
    const length = daysBetween(period.from, period.to);
    const previous = { ...period, from: addDays(period.from, -length), to: addDays(period.from, -1) };
    const [days, totals, before, services] = await Promise.all([
      usagePerDay(deps.pool, period),
      usageTotals(deps.pool, period),
      usageTotals(deps.pool, previous),
      usageByService(deps.pool, period),
    ]);
    const used = WALLETS.filter((w) => totals.some((t) => t.wallet === w) || before.some((t) => t.wallet === w));
    const report: UsageReport = {
      accountId: period.accountId,
      timeZone: period.timeZone,
      from: period.from,
      to: period.to,
      previousFrom: previous.from,
      previousTo: previous.to,
      wallets: used.map((wallet) => {
        const now = totals.find((t) => t.wallet === wallet) ?? { amount: 0, charges: 0 };
        const then = before.find((t) => t.wallet === wallet) ?? { amount: 0, charges: 0 };
        return { wallet, amount: now.amount, charges: now.charges, previousAmount: then.amount, previousCharges: then.charges, changePercent: changePercent(now.amount, then.amount) };
      }),
      days: Array.from({ length }, (_, i) => addDays(period.from, i)).flatMap((date) =>
        used
          .filter((w) => totals.some((t) => t.wallet === w))
          .map((wallet) => {
            const day = days.find((d) => d.date === date && d.wallet === wallet);
            return { date, wallet, amount: day?.amount ?? 0, charges: day?.charges ?? 0 };
          }),
      ),
      services,
    };
    res.json(report);
  });

  router.get('/report.csv', readers, async (req, res) => {
    const period = await periodFor(req);
    await sendCsv(req, res, `usage-${period.accountId}-${period.from}-${period.to}.csv`, await streamUsageCharges(deps.pool, period), CSV_COLUMNS);
  });

  return router;
}
