import type { Plugin } from 'vite';
import { join } from 'node:path';

const SCOPE_MODULE = join(import.meta.dirname, '..', '..', 'scripts', 'local', 'function-scope.ts');

/**
 * In tests, each function's `createHandler` returns a handler that runs as that function, so the IAM
 * recorder knows whose role a call is made with, whichever test or local server built the handler.
 */
export function functionScopePlugin(): Plugin {
  return {
    name: 'function-scope',
    enforce: 'pre',
    transform(code, id) {
      const fn = /[\\/]functions[\\/]([\w-]+)[\\/]handler\.ts$/.exec(id)?.[1];
      if (!fn || !code.includes('export function createHandler(')) return undefined;
      return {
        code: `${code.replace('export function createHandler(', 'function createUnscopedHandler(')}
import { scopedToFunction as __scopedToFunction } from ${JSON.stringify(SCOPE_MODULE)};
export const createHandler = (...args) => __scopedToFunction(${JSON.stringify(fn)}, createUnscopedHandler(...args));
`,
        map: null,
      };
    },
  };
}
