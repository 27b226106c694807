import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demo } from '../../scripts/local/seed';
import { makeI18n } from '../../web/src/i18n';
import { accessible, callApi, consolePage, noHorizontalScroll, row, shot, startConsoleStack, type ConsoleStack } from './harness';
import { aDayOnOneSignIn, revokedMidDraft, TOKEN_SECONDS } from './whole-day';

/**
 * A seller's whole working day in the console on `npm start` with access tokens of 20 seconds: a session that
 * lasts, replies noticed from another tab, and a phone screen given to the thread.
 */
let stack: ConsoleStack;

beforeAll(async () => {
  stack = await startConsoleStack({ LOCAL_TOKEN_SECONDS: String(TOKEN_SECONDS) });
}, 120_000);

afterAll(() => stack?.stop(), 30_000);

const customerSays = (from: string, to: string, body: string) => callApi(stack, 'POST', '/local/provider/inbound', { from, to, body });

describe('a session that lasts the working day (LOCAL_TOKEN_SECONDS=20)', () => {
  it('signed in at the start, the console still sends, receives live replies and reads notifications a minute later', () => aDayOnOneSignIn(stack, '+14255550171', 'npm-start'), 150_000);

  it('a revoked session asks to sign in again, in English, and the draft survives', () => revokedMidDraft(stack, 'en', '+14255550172', 'session-ended-en'), 90_000);

  it('a revoked session asks to sign in again, in Swedish, and the draft survives', () => revokedMidDraft(stack, 'sv', '+14255550173', 'session-ended-sv'), 90_000);
});

/** Records each system notification, and lets the test hide the tab as another tab in front would. */
const HIDDEN_TAB = `
  window.__notifications = [];
  const Real = window.Notification;
  class Recording extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: (options && options.body) || '' });
      window.__lastNotification = this;
    }
  }
  Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
  Recording.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recording;
  window.__hidden = false;
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (window.__hidden ? 'hidden' : 'visible') });
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
`;
const setHidden = (page: Page, hidden: boolean) =>
  page.evaluate((value) => {
    (window as unknown as { __hidden: boolean }).__hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
const notifications = (page: Page) => page.evaluate('window.__notifications') as Promise<{ title: string; body: string }[]>;

async function hiddenTabConsole(signInAs: string) {
  const opened = await consolePage(stack, { locale: 'en-US', permissions: ['notifications'] });
  await opened.context.addInitScript(HIDDEN_TAB);
  await opened.page.goto(stack.base);
  await opened.page.getByRole('button', { name: `Sign in as ${signInAs}` }).click();
  await opened.page.locator('.live-state.live').waitFor();
  return opened;
}

describe('noticed from another tab', () => {
  it('hidden: the title carries the unread count and one system notification shows the record and the preview; its click opens the conversation; visible: nothing of this', async () => {
    const { t } = makeI18n('en');
    const { context, page } = await hiddenTabConsole('Bob Berg');
    const customer = '+14255550174';
    // Visible: the bell counts, the title and the system stay quiet.
    await customerSays(customer, demo.bobNumber, 'Seen in the open tab');
    await row(page, customer).getByText('Seen in the open tab').waitFor();
    await page.waitForTimeout(500);
    expect(await page.title()).toBe(t('appName'));
    expect(await notifications(page)).toEqual([]);

    await setHidden(page, true);
    await customerSays(customer, demo.bobNumber, 'Are you still there?');
    await expect.poll(() => page.title(), { timeout: 5_000 }).toMatch(/^\(\d+\) SMS console$/);
    await expect.poll(() => notifications(page), { timeout: 5_000 }).toHaveLength(1);
    const [shown] = await notifications(page);
    expect(shown!.title).toMatch(/^New SMS from /);
    expect(shown!.body).toBe('Are you still there?');
    const unread = Number(/^\((\d+)\)/.exec(await page.title())![1]);
    expect(unread).toBeGreaterThanOrEqual(2);

    // Clicking it opens that conversation; back in front, the title is the console's own.
    await page.evaluate('window.__lastNotification.onclick()');
    await setHidden(page, false);
    await page.locator('li.message.inbound', { hasText: 'Are you still there?' }).waitFor();
    expect(page.url()).toMatch(/#\/c\//);
    expect(await page.title()).toBe(t('appName'));
    await customerSays(customer, demo.bobNumber, 'Visible again');
    await page.locator('li.message.inbound', { hasText: 'Visible again' }).waitFor();
    await page.waitForTimeout(500);
    expect(await notifications(page)).toHaveLength(1);
    expect(stack.undeclared).toEqual([]);
    await context.close();
  }, 60_000);

  it('a notification withheld from the seller (no SMS role) shows no preview', async () => {
    const { context, page } = await hiddenTabConsole('Carl Coordinator');
    await setHidden(page, true);
    await customerSays('+14255550175', demo.teamNumber, 'Secret pricing details');
    await expect.poll(() => notifications(page), { timeout: 8_000 }).toHaveLength(1);
    const [shown] = await notifications(page);
    expect(shown!.body).toBe('');
    expect(JSON.stringify(shown)).not.toContain('Secret pricing');
    expect(await page.title()).toMatch(/^\(\d+\) SMS console$/);
    await context.close();
  }, 60_000);

  it('system notifications are asked for with a button, never unprompted', async () => {
    const { context, page } = await consolePage(stack, { locale: 'en-US' });
    let asked = 0;
    await page.exposeFunction('__asked', () => asked++);
    await context.addInitScript('const ask = Notification.requestPermission.bind(Notification); Notification.requestPermission = (...a) => { window.__asked(); return ask(...a); };');
    await page.goto(stack.base);
    await page.getByRole('button', { name: 'Sign in as Bob Berg' }).click();
    await page.locator('.live-state.live').waitFor();
    expect(asked).toBe(0);
    await page.locator('.bell > button').click();
    await page.getByRole('button', { name: 'Notify me of replies when this tab is in the background' }).click();
    await expect.poll(() => asked).toBe(1);
    await context.close();
  }, 60_000);
});

describe('the phone layout gives the screen to the work (390×844)', () => {
  for (const language of ['en', 'sv'] as const) {
    it(`one header row of at most 64 px, the thread with the composer, a menu holding the rest (${language})`, async () => {
      const { t } = makeI18n(language);
      const customer = language === 'en' ? '+14255550176' : '+14255550177';
      const { context, page } = await consolePage(stack, { locale: language === 'en' ? 'en-US' : 'sv-SE', viewport: { width: 390, height: 844 }, phone: true });
      await page.goto(stack.base);
      await page.getByRole('button', { name: t('signInAs', { name: 'Alice Andersson' }) }).click();
      await customerSays(customer, demo.aliceNumber, 'Can we talk about the renewal this week?');
      await row(page, customer).getByRole('link').click({ timeout: 10_000 });
      await page.locator('li.message.inbound', { hasText: 'renewal this week' }).waitFor();
      const header = (await page.locator('header.top').boundingBox())!;
      expect(header.height).toBeLessThanOrEqual(64);
      expect(await noHorizontalScroll(page)).toBe(true);
      // The thread and the composer are on the screen together.
      const composer = (await page.locator('form.composer').boundingBox())!;
      const thread = (await page.locator('li.message.inbound', { hasText: 'renewal this week' }).boundingBox())!;
      expect(composer.y + composer.height).toBeLessThanOrEqual(844 + 1);
      expect(thread.y).toBeGreaterThanOrEqual(header.y + header.height);
      expect(thread.y + thread.height).toBeLessThanOrEqual(composer.y);
      await accessible(page, `phone-thread-${language}`);
      await shot(page, `phone-${language}-thread`);

      // Search, templates, language and sign-out are in the menu.
      for (const hidden of [t('templates'), t('signOut')]) expect(await page.getByRole('button', { name: hidden }).or(page.getByRole('link', { name: hidden })).first().isVisible()).toBe(false);
      await page.getByRole('button', { name: t('menu') }).click();
      await page.getByRole('link', { name: t('templates') }).waitFor();
      expect(await page.getByRole('button', { name: t('signOut') }).isVisible()).toBe(true);
      expect(await page.getByLabel(t('language')).isVisible()).toBe(true);
      expect(await page.getByPlaceholder(t('searchPlaceholder')).isVisible()).toBe(true);
      expect(await noHorizontalScroll(page)).toBe(true);
      await accessible(page, `phone-menu-${language}`);
      await shot(page, `phone-${language}-menu`);
      await page.keyboard.press('Escape');
      await expect.poll(() => page.getByRole('button', { name: t('signOut') }).isVisible()).toBe(false);

      // The announcement after a send never covers the composer.
      await page.getByRole('textbox', { name: t('message') }).fill('Yes: Thursday at ten?');
      await page.getByRole('button', { name: t('send'), exact: true }).click();
      await page.locator('.announcer', { hasText: t('sent') }).waitFor();
      const toast = (await page.locator('.announcer').boundingBox())!;
      const composerNow = (await page.locator('form.composer').boundingBox())!;
      expect(toast.y + toast.height <= composerNow.y || toast.y >= composerNow.y + composerNow.height).toBe(true);
      expect(stack.undeclared).toEqual([]);
      await context.close();
    }, 60_000);
  }
});
