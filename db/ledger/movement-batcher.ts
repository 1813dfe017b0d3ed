/**
 * Groups movements that arrive within a few milliseconds of each other into one ledger_post_batch call (one
 * transaction, one commit), and answers each caller with its own movement's answer. Used by the usage route, where
 * many charges arrive at once: on a hot wallet each movement otherwise holds the row lock through its own commit.
 *
 * A group is sent `windowMs` after its first movement arrived, or at once when it reaches `maxBatch`. Should the
 * batch fail as a whole (nothing is applied then; e.g. a key claimed at the same moment on another wallet), its
 * movements are applied one by one, in order, so every caller still gets its own answer or its own error.
 */
import type { Pool } from 'pg';
import { applyMovement, type MovementAnswer, type MovementRequest } from './ledger';
import { applyMovements } from './ledger-batch';

/** How movements are grouped. */
export interface BatchingOptions {
  /** How long the first movement of a group waits for others; 0 applies every movement on its own. */
  windowMs: number;
  /**
   * The largest group. Each refusable charge in a batch runs in a subtransaction, and PostgreSQL tracks up to 64 per
   * transaction cheaply (past that, other sessions' snapshots must look them up): keep it at 64 or below.
   */
  maxBatch: number;
  /** Told when a batch failed as a whole and its movements were applied one by one. */
  onBatchFailed?: (err: unknown, size: number) => void;
}

interface Waiting {
  movement: MovementRequest;
  resolve: (answer: MovementAnswer) => void;
  reject: (err: unknown) => void;
}

/** One per process (per pool): every caller's movements join the same groups. */
export class MovementBatcher {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: Pool,
    private readonly options: BatchingOptions,
  ) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1 || options.maxBatch > 64) throw new RangeError('maxBatch: must be a whole number from 1 to 64');
    if (!Number.isFinite(options.windowMs) || options.windowMs < 0) throw new RangeError('windowMs: must be 0 or more');
  }

  /** Applies `movement` with whatever else arrives in the window, and answers it. */
  submit(movement: MovementRequest): Promise<MovementAnswer> {
    if (this.options.windowMs === 0 || this.options.maxBatch === 1) return applyMovement(this.pool, movement);
    return new Promise<MovementAnswer>((resolve, reject) => {
      this.waiting.push({ movement, resolve, reject });
      if (this.waiting.length >= this.options.maxBatch) this.send();
      else this.timer ??= setTimeout(() => this.send(), this.options.windowMs);
    });
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.waiting.splice(0, this.options.maxBatch);
    if (this.waiting.length > 0) this.timer = setTimeout(() => this.send(), this.options.windowMs);
    void this.apply(group);
  }

  private async apply(group: Waiting[]): Promise<void> {
    if (group.length === 1) {
      const [only] = group;
      return applyMovement(this.pool, only!.movement).then(only!.resolve, only!.reject);
    }
    let answers: MovementAnswer[];
    try {
      answers = await applyMovements(
        this.pool,
        group.map((w) => w.movement),
      );
    } catch (err) {
      this.options.onBatchFailed?.(err, group.length);
      for (const w of group) await applyMovement(this.pool, w.movement).then(w.resolve, w.reject);
      return;
    }
    group.forEach((w, i) => w.resolve(answers[i]!));
  }
}
