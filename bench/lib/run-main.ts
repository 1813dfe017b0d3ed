/**
 * A benchmark's entry point: runs `main`, then exits 0 (the stack's clients may hold handles open), or prints the
 * failure with its stack and exits 1.
 */
export function runMain(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exit(1);
    },
  );
}
