/** How many queries a piece of code sends through a pool: each `pool.query` checks a client out once. */
import type { Pool } from 'pg';

/** Runs `run` and answers its result with the number of queries it sent through `pool` meanwhile. */
export async function countingQueries<T>(pool: Pool, run: () => Promise<T>): Promise<{ result: T; queries: number }> {
  let queries = 0;
  const count = () => {
    queries += 1;
  };
  pool.on('acquire', count);
  try {
    const result = await run();
    return { result, queries };
  } finally {
    pool.off('acquire', count);
  }
}
