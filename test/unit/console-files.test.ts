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
