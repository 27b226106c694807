/**
 * A Lambda entry point built on its first invocation: importing a handler module has no side effects
 * (no environment read, no client created), so tests and the local stack import it freely and build
 * their own with `createHandler`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function onFirstUse<H extends (...args: any[]) => any>(build: () => H): (...args: Parameters<H>) => ReturnType<H> {
  let built: H | undefined;
  return (...args) => (built ??= build())(...args);
}
