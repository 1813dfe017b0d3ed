/**
 * The speed goals of issue 22 ("performance, round 3"), each as conditions on recorded figures (bench/lib/figures.ts),
 * and the verdict `npm run bench` prints for each: met, not met, not run, or measured below the goal's size.
 */
import type { Figure } from './figures';
import { fmt } from './stats';

/** One condition of a goal: a figure compared with a target. */
export interface GoalCondition {
  figure: string;
  op: '>=' | '<' | '<=';
  target: number;
  unit: string;
}

/** A goal: its conditions (all must hold), what the issue measured before, and the figure whose same-run ratio it shows. */
export interface Goal {
  id: string;
  title: string;
  /** The issue's "now", for the reader. */
  before: string;
  conditions: GoalCondition[];
  /** The figure whose same-run ratio the summary shows. */
  ratioOf?: string;
  /** A size the figure must have been measured at (a condition of the figure), e.g. 1,000,000 orders. */
  size?: { figure: string; condition: string; atLeast: number };
}

export const GOALS: readonly Goal[] = [
  {
    id: 'e2e-share',
    title: 'end to end at concurrency 100, share of the same run\'s no-op ceiling',
    before: '25.9 % (8.3 orders/s vs 32.1)',
    conditions: [{ figure: 'e2e.c100.ceilingShare', op: '>=', target: 45, unit: '%' }],
    ratioOf: 'e2e.c100.ordersPerSecond',
  },
  {
    id: 'ledger-hot',
    title: 'ledger, one hot wallet',
    before: '1,023 movements/s, p99 93 ms',
    conditions: [
      { figure: 'ledger.hot.movementsPerSecond', op: '>=', target: 5000, unit: 'movements/s' },
      { figure: 'ledger.hot.p99Ms', op: '<', target: 50, unit: 'ms' },
    ],
    ratioOf: 'ledger.hot.movementsPerSecond',
  },
  {
    id: 'ledger-spread',
    title: 'ledger, spread over 1,000 wallets',
    before: '2,484 movements/s',
    conditions: [{ figure: 'ledger.spread.movementsPerSecond', op: '>=', target: 8000, unit: 'movements/s' }],
    ratioOf: 'ledger.spread.movementsPerSecond',
  },
  {
    id: 'healthz',
    title: 'GET /healthz vs a bare Express app, same run',
    before: '6,157 vs 16,033 req/s (38 %)',
    conditions: [{ figure: 'api.healthz.shareOfBareExpress', op: '>=', target: 80, unit: '%' }],
    ratioOf: 'api.healthz.requestsPerSecond',
  },
  {
    id: 'balance',
    title: 'GET /v1/balance on one API process',
    before: '3,273 req/s (20 % of bare Express), p99 43 ms',
    conditions: [
      { figure: 'api.balance.requestsPerSecond', op: '>=', target: 8000, unit: 'req/s' },
      { figure: 'api.balance.p99Ms', op: '<', target: 20, unit: 'ms' },
    ],
    ratioOf: 'api.balance.requestsPerSecond',
  },
  {
    id: 'orders-deep-page',
    title: 'GET /v1/orders, finance, any depth (page 500 of 20 and the cursor), at 1,000,000 orders',
    before: 'p50 26 ms at page 500',
    conditions: [{ figure: 'api.orders.financeDeepestP99Ms', op: '<', target: 10, unit: 'ms' }],
    size: { figure: 'api.orders.financeDeepestP99Ms', condition: 'orders', atLeast: 1_000_000 },
  },
  {
    id: 'upload',
    title: '5 MB slip upload, 4 at once; API memory bounded (RSS growth under 100 MiB)',
    before: 'p99 741 ms',
    conditions: [
      { figure: 'upload.p99Ms', op: '<', target: 300, unit: 'ms' },
      { figure: 'upload.apiRssGrowthMiB', op: '<', target: 100, unit: 'MiB' },
    ],
    ratioOf: 'upload.p99Ms',
  },
  {
    id: 'open-orders',
    title: 'worker RSS with 1,000 open orders; live reads p99 as now (≤ 60 ms)',
    before: '358 MiB; reads p99 54 ms',
    conditions: [
      { figure: 'openOrders.workerRssMiB', op: '<=', target: 300, unit: 'MiB' },
      { figure: 'openOrders.liveReadP99Ms', op: '<=', target: 60, unit: 'ms' },
    ],
    size: { figure: 'openOrders.workerRssMiB', condition: 'orders', atLeast: 1000 },
  },
];

/** A goal's verdict. */
export type Verdict = 'met' | 'not met' | 'not run' | 'below the goal\'s size';

/** How one goal came out in a run. */
export interface GoalResult {
  goal: Goal;
  verdict: Verdict;
  /** Each condition's figure as measured (undefined when not run). */
  figures: Array<Figure | undefined>;
}

function holds(value: number, c: GoalCondition): boolean {
  if (c.op === '>=') return value >= c.target;
  if (c.op === '<=') return value <= c.target;
  return value < c.target;
}

/** The last recorded figure of each id (a benchmark run twice in one `npm run bench` keeps its last). */
export function latestById(figures: readonly Figure[]): Map<string, Figure> {
  return new Map(figures.map((f) => [f.id, f]));
}

/** Judges every goal against the figures of one run. */
export function judgeGoals(figures: readonly Figure[]): GoalResult[] {
  const byId = latestById(figures);
  return GOALS.map((goal) => {
    const measured = goal.conditions.map((c) => byId.get(c.figure));
    if (measured.some((f) => f === undefined)) return { goal, verdict: 'not run', figures: measured };
    if (goal.size) {
      const size = byId.get(goal.size.figure)?.conditions[goal.size.condition];
      if (typeof size !== 'number' || size < goal.size.atLeast) return { goal, verdict: 'below the goal\'s size', figures: measured };
    }
    const met = goal.conditions.every((c, k) => holds(measured[k]!.value, c));
    return { goal, verdict: met ? 'met' : 'not met', figures: measured };
  });
}

/** A figure as a table cell: value and unit, e.g. "5,210 movements/s". */
export function figureCell(f: Figure | undefined): string {
  if (!f) return '–';
  const digits = Math.abs(f.value) < 100 && !Number.isInteger(f.value) ? 1 : 0;
  return `${fmt(f.value, digits)}${f.unit === '%' ? ' %' : ` ${f.unit}`}`;
}

/** A goal's conditions as text, e.g. "≥ 5,000 movements/s, < 50 ms". */
export function targetCell(goal: Goal): string {
  const sign = { '>=': '≥', '<': '<', '<=': '≤' } as const;
  return goal.conditions.map((c) => `${sign[c.op]} ${fmt(c.target)} ${c.unit}`).join(', ');
}
