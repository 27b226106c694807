import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { esbuildOptionsFor } from '../../infra/constructs/lambda-function';

/** Every function's bundle, built with the options CDK uses, stays within the 1 MB budget (init time is what users feel). */
const BUDGET_BYTES = 1024 * 1024;

describe('function bundles', () => {
  it.each(readdirSync('functions').sort())('%s is at most 1 MB', async (fn) => {
    const result = await build({ ...esbuildOptionsFor(fn), write: false, outfile: `${fn}.mjs` });
    const bytes = result.outputFiles.reduce((sum, file) => sum + (file.path.endsWith('.mjs') ? file.contents.length : 0), 0);
    expect(bytes).toBeGreaterThan(10_000);
    expect(bytes).toBeLessThanOrEqual(BUDGET_BYTES);
  });
});
