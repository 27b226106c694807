import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { consoleFile } from '../../scripts/local/console-files';

const dist = mkdtempSync(join(tmpdir(), 'console-dist-'));
mkdirSync(join(dist, 'assets'));
writeFileSync(join(dist, 'index.html'), '<!doctype html>');
writeFileSync(join(dist, 'assets', 'index-abc.js'), 'export {}');
writeFileSync(join(dist, 'secret.txt'), 'not served');

describe('the local stack serves the console files and nothing else', () => {
  it('serves / and /assets/<file> with their types', async () => {
    expect(await consoleFile('/', dist)).toMatchObject({ type: 'text/html; charset=utf-8' });
    expect((await consoleFile('/assets/index-abc.js', dist))?.body.toString()).toBe('export {}');
    expect(await consoleFile('/assets/missing.js', dist)).toBeUndefined();
  });

  it('refuses paths outside web/dist and anything but / and /assets/<file>', async () => {
    for (const path of ['/assets/..', '/assets/../../package.json', '/../package.json', '/secret.txt', '/assets/a/b.js', '/assets/%2e%2e', '/assets/../secret.txt']) {
      expect(await consoleFile(path, dist), path).toBeUndefined();
    }
  });
});

describe('the console build the browser tests and npm start serve', () => {
  it('is stale when missing or older than a source it is built from', async () => {
    const { consoleBuildIsStale, CONSOLE_DIST } = await import('../../scripts/local/console-files');
    const { existsSync, statSync, utimesSync } = await import('node:fs');
    const index = join(CONSOLE_DIST, 'index.html');
    if (!existsSync(index)) return expect(consoleBuildIsStale()).toBe(true);
    const built = statSync(index).mtime;
    const source = new URL('../../web/src/live.ts', import.meta.url);
    const before = statSync(source).mtime;
    try {
      utimesSync(source, before, new Date(built.getTime() + 60_000));
      expect(consoleBuildIsStale()).toBe(true);
    } finally {
      utimesSync(source, before, before);
    }
  });
});
