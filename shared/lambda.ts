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

/**
 * A stream consumer invoked asynchronously (by the stream dispatcher): Lambda retries a failed
 * invocation, not the records a batch response names, so any failed record fails the invocation.
 */
export function failingOnItemFailures<E extends { Records: unknown[] }, C>(handler: (event: E, context: C) => Promise<{ batchItemFailures: unknown[] } | void>) {
  return async (event: E, context: C) => {
    const result = await handler(event, context);
    const failed = result?.batchItemFailures.length ?? 0;
    if (failed > 0) throw new Error(`${failed} of ${event.Records.length} records failed; the invocation is retried`);
    return result;
  };
}
