import { expect } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import { freePort } from '../../scripts/local/dynamodb-local';
import { assertDeclaredHttpResponse } from '../helpers/openapi-contract';

/**
 * The seller console in Debian's Chromium against `npm start -- --seed`: the stack, a browser, pages whose
 * every seller-API answer is checked against docs/openapi.json, axe-core, and screenshots in reports/console/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = 'reports/console';

export interface ConsoleStack {
  base: string;
  adminToken: string;
  browser: Browser;
  /** Answers the console received that docs/openapi.json does not declare, and page errors. */
  undeclared: string[];
  stop(): Promise<void>;
}

/**
 * `npm start -- --seed` on a free port (with extra environment, e.g. QUIET_HOURS, LOCAL_TOKEN_SECONDS), and Chromium.
 * `synthOut`: `npm start -- --synth` on the bundles and template `cdk synth` writes there.
 */
export async function startConsoleStack(env: Record<string, string> = {}, { synthOut }: { synthOut?: string } = {}): Promise<ConsoleStack> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const args = ['start', '--', '--seed', '--port', String(port), ...(synthOut ? ['--synth', '--cdk-out', synthOut] : [])];
  const stack: ChildProcess = spawn('npm', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...env } });
  let output = '';
  const adminToken = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not come up:\n${output}`)), synthOut ? 230_000 : 110_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // The seeded tokens are printed last: the organisation is loaded.
      const admin = /export ADMIN=(\S+)/.exec(output)?.[1];
      if (admin) {
        clearTimeout(timer);
        resolve(admin);
      }
    };
    stack.stdout!.on('data', onData);
    stack.stderr!.on('data', onData);
    stack.once('exit', (code) => reject(new Error(`npm start exited ${code}:\n${output}`)));
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
  return {
    base,
    adminToken,
    browser,
    undeclared: [],
    async stop() {
      await browser.close();
      if (stack.exitCode !== null || stack.signalCode !== null) return;
      const exited = new Promise((resolve) => stack.once('exit', resolve));
      process.kill(-stack.pid!, 'SIGTERM');
      await exited;
    },
  };
}

export interface PageOptions {
  locale: string;
  viewport?: { width: number; height: number };
  phone?: boolean;
  /** Granted to the page's origin, e.g. `notifications` (as the seller would, once asked). */
  permissions?: string[];
}

/** A page whose every answer of the seller API is checked against the OpenAPI document. */
export async function consolePage(stack: ConsoleStack, { locale, viewport = { width: 1280, height: 860 }, phone = false, permissions }: PageOptions): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext({ locale, viewport, ...(phone ? { hasTouch: true, isMobile: true } : {}), ...(permissions ? { permissions } : {}) });
  const page = await context.newPage();
  page.on('response', async (response) => {
    const url = new URL(response.url());
    if (url.origin !== stack.base || url.pathname.startsWith('/local/') || url.pathname === '/config.json' || url.pathname === '/' || url.pathname.startsWith('/assets/')) return;
    if (response.request().method() === 'OPTIONS') return;
    try {
      const type = response.headers()['content-type'];
      const body = response.status() === 204 ? undefined : type?.includes('json') ? await response.json() : await response.body().then((b) => b.toString('utf8'));
      assertDeclaredHttpResponse(response.request().method(), url.pathname + url.search, response.status(), type, body);
    } catch (error) {
      // A response still arriving when its test closed the page cannot be read: that says nothing of the document.
      if (page.isClosed() || /has been closed/.test((error as Error).message)) return;
      stack.undeclared.push(`${response.request().method()} ${url.pathname}: ${(error as Error).message}`);
    }
  });
  page.on('pageerror', (error) => stack.undeclared.push(`page error: ${error.message}`));
  return { context, page };
}

/** A console signed in by clicking a seeded seller's button (its label in the page's language). */
export async function signedIn(stack: ConsoleStack, options: PageOptions, signInLabel: string): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await consolePage(stack, options);
  await opened.page.goto(stack.base);
  await opened.page.getByRole('button', { name: signInLabel }).click();
  return opened;
}

/** A call to the local stack outside the browser (the customer's provider, the admin). */
export async function callApi(stack: ConsoleStack, method: string, path: string, body?: unknown, token?: string) {
  const response = await fetch(`${stack.base}${path}`, { method, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  expect(response.status, `${method} ${path}`).toBeLessThan(300);
  return response.status === 204 ? undefined : response.json();
}

/** No axe-core violation of any impact (minor included) on what the page shows now. */
export async function accessible(page: Page, screen: string) {
  const results = await new AxeBuilder({ page }).analyze();
  const violations = results.violations.map((v) => `${screen}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(violations).toEqual([]);
}

/** A screenshot of what the page shows (`fullPage`: all of it, as a phone's seller would scroll through it). */
export const shot = (page: Page, name: string, fullPage = false) => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage });
export const row = (page: Page, text: string) => page.locator('nav.inbox li', { hasText: text });
/** The document is no wider than the viewport: nothing scrolls sideways. */
export const noHorizontalScroll = (page: Page) => page.evaluate('document.scrollingElement.scrollWidth <= window.innerWidth + 1') as Promise<boolean>;
