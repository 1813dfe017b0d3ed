/**
 * The values a test file's `beforeAll` sets (its API harness, browser, users, receivers), read by its hooks and tests
 * through a function that names what is missing when it is read too early (at the file's top level, or before the
 * `beforeAll` ran).
 */
export function setInBeforeAll<T>(current: () => T | undefined, notYet: string): () => T {
  return () => {
    const value = current();
    if (value === undefined) throw new Error(`${notYet} yet: use it inside a test or a hook, after its beforeAll.`);
    return value;
  };
}
