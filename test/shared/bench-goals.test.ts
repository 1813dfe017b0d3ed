/**
 * The verdicts `npm run bench` prints for issue 22's goals (bench/lib/goals.ts), and the change it prints against an
 * earlier run: pure functions over recorded figures, so a wrong comparison never reads as a goal met.
 */
import type { Figure } from '../../bench/lib/figures';
import { GOALS, judgeGoals } from '../../bench/lib/goals';
import { changeCell } from '../../bench/lib/results';

function figure(id: string, value: number, conditions: Figure['conditions'] = {}): Figure {
  return { id, label: id, value, unit: 'x', conditions, loadAverage: [1, 1, 1], script: 'test' };
}

function verdictOf(goal: string, figures: Figure[]): string {
  return judgeGoals(figures).find((r) => r.goal.id === goal)!.verdict;
}

describe('bench goals', () => {
  test('When no benchmark measured a goal, then it is "not run", never met', () => {
    for (const r of judgeGoals([])) expect(r.verdict).toBe('not run');
  });

  test('When every condition holds, then the goal is met; when one misses, it is not met', () => {
    const fast = [figure('ledger.hot.movementsPerSecond', 5000), figure('ledger.hot.p99Ms', 49.9)];
    expect(verdictOf('ledger-hot', fast)).toBe('met');
    expect(verdictOf('ledger-hot', [figure('ledger.hot.movementsPerSecond', 6000), figure('ledger.hot.p99Ms', 50)])).toBe('not met');
    expect(verdictOf('ledger-hot', [figure('ledger.hot.movementsPerSecond', 4999), figure('ledger.hot.p99Ms', 10)])).toBe('not met');
  });

  test('When one of two conditions was not measured, then the goal is "not run"', () => {
    expect(verdictOf('ledger-hot', [figure('ledger.hot.movementsPerSecond', 9000)])).toBe('not run');
  });

  test('When a goal names a size and the figure was measured smaller, then it is not judged met', () => {
    expect(verdictOf('orders-deep-page', [figure('api.orders.financeDeepestP99Ms', 3, { orders: 100_000 })])).toBe("below the goal's size");
    expect(verdictOf('orders-deep-page', [figure('api.orders.financeDeepestP99Ms', 3, { orders: 1_000_000 })])).toBe('met');
    expect(verdictOf('orders-deep-page', [figure('api.orders.financeDeepestP99Ms', 12, { orders: 1_000_000 })])).toBe('not met');
  });

  test('When the same figure was recorded twice in a run, then the last one is judged', () => {
    expect(verdictOf('healthz', [figure('api.healthz.shareOfBareExpress', 90), figure('api.healthz.shareOfBareExpress', 70)])).toBe('not met');
  });

  test('Every goal of issue 22 is in the table, each with at least one condition', () => {
    expect(GOALS.map((g) => g.id)).toEqual(['e2e-share', 'ledger-hot', 'ledger-spread', 'healthz', 'balance', 'orders-deep-page', 'upload', 'open-orders']);
    for (const g of GOALS) expect(g.conditions.length).toBeGreaterThan(0);
  });

  test('When a figure changed between two runs, then the change names both values and the percentage', () => {
    expect(changeCell(figure('a', 2000), figure('a', 5000))).toBe('2,000 x → 5,000 x (+150 %)');
    expect(changeCell(figure('a', 80), figure('a', 40))).toBe('80 x → 40 x (-50 %)');
    expect(changeCell(undefined, figure('a', 1))).toBe('new');
    expect(changeCell(figure('a', 1), undefined)).toBe('1 x → not run');
    expect(changeCell(figure('a', 20, { orders: 100_000 }), figure('a', 10, { orders: 1_000_000 }))).toBe('20 x → 10 x (-50 %; not comparable: orders 100000 → 1000000)');
  });
});
