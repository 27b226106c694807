import { expect } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { demo } from '../../scripts/local/seed';
import { makeI18n, type Language } from '../../web/src/i18n';
import { callApi, consolePage, row, shot, type ConsoleStack } from './harness';

/**
 * A seller's working day compressed (access tokens of LOCAL_TOKEN_SECONDS=20): signed in at the start, the console
 * still sends, receives live replies and reads notifications a minute later, without a sign-in screen and with no
 * request answered 401 left unretried; a revoked session asks to sign in again in the seller's language and the
 * draft survives. Run on `npm start` and on `npm start -- --synth` (the template's app client).
 */
export const TOKEN_SECONDS = 20;

/** Tells the test each time the sign-in screen appears, and whether a live sign other than "Live" ever showed. */
const SIGNED_OUT_WATCH = `
  let signInShown = false;
  new MutationObserver(() => {
    const now = !!document.querySelector('main.sign-in');
    if (now && !signInShown) window.__sawSignIn();
    signInShown = now;
    const live = document.querySelector('.live-state');
    if (live && !live.classList.contains('live')) window.__sawConnecting();
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
`;

interface Watched {
  context: BrowserContext;
  page: Page;
  /** Every seller-API answer, in order: method, path, status. */
  answers: { method: string; path: string; status: number }[];
  sockets: number;
  /** How often the sign-in screen appeared (once: before signing in) and a live sign other than "Live" showed. */
  seen: { signIn: number; connecting: number };
}

/** A console page signed in as `seller` (by their button, in `language`), watched: answers, sockets, what it showed. */
export async function watchedSignIn(stack: ConsoleStack, language: Language, seller: string, name: string): Promise<Watched> {
  const { t } = makeI18n(language);
  const { context, page } = await consolePage(stack, { locale: language === 'sv' ? 'sv-SE' : 'en-US' });
  const watched: Watched = { context, page, answers: [], sockets: 0, seen: { signIn: 0, connecting: 0 } };
  await page.exposeFunction('__sawSignIn', () => watched.seen.signIn++);
  await page.exposeFunction('__sawConnecting', () => watched.seen.connecting++);
  await context.addInitScript(SIGNED_OUT_WATCH);
  page.on('response', (response) => {
    const url = new URL(response.url());
    if (url.origin === stack.base && !url.pathname.startsWith('/local/') && !url.pathname.startsWith('/assets/') && url.pathname !== '/' && url.pathname !== '/config.json') {
      watched.answers.push({ method: response.request().method(), path: url.pathname + url.search, status: response.status() });
    }
  });
  page.on('websocket', () => watched.sockets++);
  await page.goto(stack.base);
  await page.getByRole('button', { name: t('signInAs', { name }) }).click();
  await page.getByRole('heading', { name: t('mySms') }).waitFor();
  expect(seller).toBeTruthy();
  return watched;
}

/** Every 401 the page saw was followed by the same request answered without one. */
export function everyUnauthorizedRetried(answers: Watched['answers']): string[] {
  return answers.flatMap((answer, i) => (answer.status === 401 && !answers.slice(i + 1).some((later) => later.method === answer.method && later.path === answer.path && later.status < 400) ? [`${answer.method} ${answer.path}`] : []));
}

const refreshTokenOf = (page: Page) => page.evaluate(() => (JSON.parse(sessionStorage.getItem('sms-console.session') ?? '{}') as { refreshToken?: string }).refreshToken);

/** Cognito's revocation (an admin's global sign-out, a stolen device): the refresh token renews nothing any more. */
async function revoke(stack: ConsoleStack, refreshToken: string, clientId?: string) {
  const response = await fetch(`${stack.base}/local/oauth2/revoke`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token: refreshToken, ...(clientId ? { client_id: clientId } : {}) }) });
  expect(response.status).toBe(200);
}

async function clientIdOf(stack: ConsoleStack): Promise<string | undefined> {
  return ((await (await fetch(`${stack.base}/config.json`)).json()) as { auth: { clientId?: string } }).auth.clientId;
}

const customerSays = (stack: ConsoleStack, from: string, to: string, body: string) => callApi(stack, 'POST', '/local/provider/inbound', { from, to, body });

/** A minute and more of work on one sign-in, past three access tokens' lives. */
export async function aDayOnOneSignIn(stack: ConsoleStack, customer: string, tag: string): Promise<void> {
  const { t } = makeI18n('en');
  const started = Date.now();
  const watched = await watchedSignIn(stack, 'en', 'bob', 'Bob Berg');
  const { page } = watched;
  await page.locator('.live-state.live').waitFor();
  // Nothing said while connecting at the start.
  expect(watched.seen.connecting).toBe(0);

  await customerSays(stack, customer, demo.bobNumber, `Morning question ${tag}`);
  await row(page, customer).getByRole('link').click({ timeout: 10_000 });
  await page.locator('li.message.inbound', { hasText: `Morning question ${tag}` }).waitFor();

  // Past the first token's life: a reply arrives live, a send goes.
  await page.waitForTimeout(TOKEN_SECONDS * 1000 + 5_000);
  await customerSays(stack, customer, demo.bobNumber, `Midday question ${tag}`);
  await page.locator('li.message.inbound', { hasText: `Midday question ${tag}` }).waitFor({ timeout: 5_000 });
  await page.getByRole('textbox', { name: t('message') }).fill(`Midday answer ${tag}`);
  await page.getByRole('button', { name: t('send'), exact: true }).click();
  await page.locator('li.message.outbound', { hasText: `Midday answer ${tag}` }).waitFor({ timeout: 10_000 });

  // A minute after signing in: live replies, the bell, a notification read, a send.
  await page.waitForTimeout(Math.max(0, started + 62_000 - Date.now()));
  await page.goto(`${stack.base}/#/`);
  await page.getByRole('heading', { name: t('mySms') }).waitFor();
  await customerSays(stack, customer, demo.bobNumber, `Afternoon question ${tag}`);
  await row(page, customer).getByText(`Afternoon question ${tag}`).waitFor({ timeout: 5_000 });
  const bell = page.locator('.bell > button');
  await expect.poll(() => bell.getAttribute('aria-label'), { timeout: 5_000 }).not.toBe(t('notificationsUnread', { count: '0' }));
  await bell.click();
  await page.locator('#notifications li.unread', { hasText: `Afternoon question ${tag}` }).getByRole('button').click();
  await page.locator('li.message.inbound', { hasText: `Afternoon question ${tag}` }).waitFor();
  await page.getByRole('textbox', { name: t('message') }).fill(`Afternoon answer ${tag}`);
  await page.getByRole('button', { name: t('send'), exact: true }).click();
  await page.locator('li.message.outbound', { hasText: `Afternoon answer ${tag}` }).waitFor({ timeout: 10_000 });

  expect(Date.now() - started).toBeGreaterThan(60_000);
  expect(watched.seen).toEqual({ signIn: 1, connecting: 0 });
  expect(everyUnauthorizedRetried(watched.answers)).toEqual([]);
  // The live channel moved to each fresh token (make before break): more than one socket, never a visible drop.
  expect(watched.sockets).toBeGreaterThan(1);
  expect(stack.undeclared).toEqual([]);

  // Sign-out revokes the refresh token: it renews nothing afterwards.
  const refreshToken = (await refreshTokenOf(page))!;
  expect(refreshToken).toBeTruthy();
  await page.getByRole('button', { name: t('signOut') }).click({ force: true });
  await page.locator('main.sign-in').waitFor();
  const renewal = await fetch(`${stack.base}/local/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, ...((await clientIdOf(stack)) ? { client_id: (await clientIdOf(stack))! } : {}) }) });
  expect(renewal.status).toBe(400);
  expect(await page.evaluate(() => sessionStorage.getItem('sms-console.session'))).toBeNull();
  await watched.context.close();
}

/** The refresh token revoked mid-draft: the console says so in the seller's language; signed in again, the draft is there. */
export async function revokedMidDraft(stack: ConsoleStack, language: Language, customer: string, screenshot?: string): Promise<void> {
  const { t } = makeI18n(language);
  const watched = await watchedSignIn(stack, language, 'bob', 'Bob Berg');
  const { page } = watched;
  await customerSays(stack, customer, demo.bobNumber, `A question in ${language}`);
  await row(page, customer).getByRole('link').click({ timeout: 10_000 });
  const draft = `Half-written answer (${language})`;
  await page.getByRole('textbox', { name: t('message') }).fill(draft);
  // Another conversation and back: each keeps its own draft.
  await page.goto(`${stack.base}/#/`);
  await row(page, customer).getByRole('link').click();
  await expect.poll(() => page.getByRole('textbox', { name: t('message') }).inputValue()).toBe(draft);

  await revoke(stack, (await refreshTokenOf(page))!, await clientIdOf(stack));
  // The next renewal (within a quarter of the token's life, or at the next request) is refused.
  await page.getByText(t('sessionEnded')).waitFor({ timeout: (TOKEN_SECONDS + 10) * 1000 });
  await page.locator('main.sign-in').waitFor();
  if (screenshot) await shot(page, screenshot);
  await page.getByRole('button', { name: t('signInAs', { name: 'Bob Berg' }) }).click();
  // Back where the seller was, with the draft.
  await expect.poll(() => page.getByRole('textbox', { name: t('message') }).inputValue(), { timeout: 10_000 }).toBe(draft);
  expect(stack.undeclared).toEqual([]);
  await watched.context.close();
}
