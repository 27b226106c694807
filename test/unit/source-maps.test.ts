import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { spawnSync } from 'node:child_process';
import { mapStackToSources } from '../../shared/source-maps';

describe('stack traces without --enable-source-maps', () => {
  it('maps a minified bundle frame to its TypeScript line when the error is logged', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'source-maps-'));
    writeFileSync(join(dir, 'failing.ts'), ['export function fail(): never {', '  const reason = "mapped";', '  throw new Error(reason);', '}', ''].join('\n'));
    await build({ entryPoints: [join(dir, 'failing.ts')], bundle: true, minify: true, format: 'esm', platform: 'node', sourcemap: true, sourcesContent: false, outfile: join(dir, 'out', 'index.mjs'), logLevel: 'silent' });
    // A plain Node, as in Lambda without --enable-source-maps (this test runner maps stacks itself).
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', `const { fail } = await import(${JSON.stringify(pathToFileURL(join(dir, 'out', 'index.mjs')).href)}); try { fail(); } catch (error) { console.log(error.stack); }`], { encoding: 'utf8' });
    const stack = run.stdout;
    expect(stack).toContain('index.mjs:1:');
    const mapped = mapStackToSources(stack)!;
    expect(mapped).toMatch(/failing\.ts:3:\d+/);
    expect(mapped).not.toContain('index.mjs:1:');
    // Frames without a map stay as they were.
    expect(mapStackToSources('Error: x\n    at f (/nowhere/else.js:1:2)')).toBe('Error: x\n    at f (/nowhere/else.js:1:2)');
  });
});
