/**
 * Turns to the endpoint, first come first served: whoever holds the turn has the one request in flight; giving it
 * back hands it straight to the next in line. A flag checked by `condition` would not do: two waiters woken in the
 * same pass would both see it free and both send.
 */

/** A queue of turns. Deterministic: only promises, no timers. */
export class OneAtATime {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  /** Resolves when it is the caller's turn. */
  async take(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** Gives the turn to the next in line, or frees it. */
  give(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}
