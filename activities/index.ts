/**
 * All activities, built from their dependencies so tests pass real instances (a real pool, a real mailer).
 */
import type { Pool } from 'pg';
import { createOrderReadModelActivities } from './order-read-model';

/** What activities need from the outside world. */
export interface ActivityDeps {
  pool: Pool;
}

/** Builds the activity implementations the worker registers. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...createOrderReadModelActivities(deps.pool),
  };
}

/** The activity interface the workflows proxy (types only cross into workflow code). */
export type Activities = ReturnType<typeof createActivities>;
