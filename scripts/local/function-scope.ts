import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Which Lambda function the code running now belongs to. In AWS each function is its own process; the
 * local stack and the tests run them all in one, so the IAM check asks this which role a call is made with.
 */
const scope = new AsyncLocalStorage<string>();

export function currentFunction(): string | undefined {
  return scope.getStore();
}

export function runAsFunction<T>(name: string, work: () => T): T {
  return scope.run(name, work);
}

/** A handler whose every invocation (and all it starts) runs as the named function. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function scopedToFunction<H extends (...args: any[]) => any>(name: string, handler: H): H {
  return ((...args: Parameters<H>) => scope.run(name, () => handler(...args))) as H;
}
