import { readFile } from 'node:fs/promises';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { consoleContentSecurityPolicy } from '../../infra/console-csp';

/** Where `npm run build:web` puts the seller console. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.map': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png' };

/** The same security headers CloudFront adds in AWS (infra/constructs/seller-console.ts). */
export const CONSOLE_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': consoleContentSecurityPolicy(["'self'"]),
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** What the console is built from: its sources and the shared code it imports. */
const CONSOLE_SOURCES = ['web/src', 'web/index.html', 'web/vite.config.ts', 'shared'];

/** The newest change to what the console is built from (ms). */
function newestSource(): number {
  let newest = 0;
  for (const source of CONSOLE_SOURCES) {
    const path = join(ROOT, source);
    if (!existsSync(path)) continue;
    const files = statSync(path).isDirectory() ? readdirSync(path, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)) : [path];
    for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

/** A build older than any of its sources (or none at all): the browser tests and `npm start` would serve a console that is not the code. */
export function consoleBuildIsStale(): boolean {
  const index = join(CONSOLE_DIST, 'index.html');
  return !existsSync(index) || statSync(index).mtimeMs < newestSource();
}

/** Builds the console with Vite when there is no build yet (a fresh clone running `npm start`) or it is older than its sources. */
export async function ensureConsoleBuilt(): Promise<void> {
  if (!consoleBuildIsStale()) return;
  console.log('Building the seller console (web/): npm run build:web');
  // In its own process with NODE_ENV=production: a parent's NODE_ENV (vitest sets `test`) would make a development build.
  const vite = join(dirname(createRequire(import.meta.url).resolve('vite/package.json')), 'bin', 'vite.js');
  const run = spawnSync(process.execPath, [vite, 'build', '--config', fileURLToPath(new URL('../../web/vite.config.ts', import.meta.url)), '--logLevel', 'warn'], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } });
  if (run.status !== 0) throw new Error('the console build failed (npm run build:web shows why)');
}

/** `/` and the built files under `/assets/`; nothing else, and never outside web/dist. */
export async function consoleFile(path: string, dist = CONSOLE_DIST): Promise<{ body: Buffer; type: string } | undefined> {
  const relative = path === '/' || path === '/index.html' ? 'index.html' : /^\/assets\/[\w.-]+$/.test(path) ? path.slice(1) : undefined;
  if (!relative) return undefined;
  const file = resolve(dist, relative);
  if (!file.startsWith(resolve(dist) + sep)) return undefined;
  try {
    return { body: await readFile(file), type: TYPES[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream' };
  } catch {
    return undefined;
  }
}
