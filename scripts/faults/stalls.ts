/**
 * "The longest time no order moved" while a process was down: from the moments orders moved (a request that
 * changes an order answered 2xx), the longest stretch of the outage with none of them, counting from the kill
 * and up to the restart. With two workers or two API processes, killing one should leave the other serving,
 * so this stays near the gap between two steps of the load.
 */

/** The longest gap, in ms, between `from` and `to` without a moment in `moves` (sorted ascending). */
export function longestStall(moves: readonly number[], from: number, to: number): number {
  let last = from;
  let longest = 0;
  for (const t of moves) {
    if (t <= from) continue;
    if (t >= to) break;
    longest = Math.max(longest, t - last);
    last = t;
  }
  return Math.max(longest, to - last);
}
