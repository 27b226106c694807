import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { demo } from '../../scripts/local/seed';
import { SAMPLE_PHOTO } from '../../scripts/local/server';
import { accessible, callApi, consolePage as openPage, noHorizontalScroll, row, shot, signedIn as signIn, startConsoleStack, type ConsoleStack } from './harness';

/**
 * The seller console in Debian's Chromium against `npm start -- --seed`: the seller's whole day on
 * screen, every API answer the browser sees checked against docs/openapi.json, axe-core on each
 * screen, screenshots of each step in reports/console/.
 */
// What the live path brings (stream → notifier → socket) can take seconds while DynamoDB Local serves another test file.
const POLL_WAIT = 30_000;
let stack: ConsoleStack;
let base: string;
let adminToken: string;
let undeclared: string[];

beforeAll(async () => {
  stack = await startConsoleStack();
  ({ base, adminToken, undeclared } = stack);
}, 120_000);

afterAll(() => stack?.stop(), 30_000);

const consolePage = (locale: string) => openPage(stack, { locale });
const signedIn = (locale: string, label: string) => signIn(stack, { locale }, label);
const api = (method: string, path: string, body?: unknown, token?: string) => callApi(stack, method, path, body, token);
const customerSays = (from: string, to: string, body: string) => api('POST', '/local/provider/inbound', { from, to, body });

/** Presses Tab until the focused element reads `text` (at most 10 times). */
async function tabTo(page: Page, text: string) {
  for (let i = 0; i < 10; i++) {
    await page.keyboard.press('Tab');
    if ((await page.evaluate('document.activeElement?.textContent?.trim()')) === text) return;
  }
  throw new Error(`Tab never reached "${text}"`);
}


describe('the seller console, in English', () => {
  it('carries a seller through the day: inbound, read, template send, failure reason, move, hand-off, bell', async () => {
    const { context, page } = await consolePage('en-US');
    await page.goto(base);
    await accessible(page, 'sign-in');
    await shot(page, '01-sign-in');
    await page.getByRole('button', { name: 'Sign in as Alice Andersson' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'My SMS' }).isVisible()).toBe(true);

    // An inbound reply appears unread within the polling interval.
    await customerSays(demo.adaMobile, demo.aliceNumber, 'Thanks Alice, call me tomorrow');
    await row(page, demo.adaMobile).locator('.badge').waitFor({ timeout: POLL_WAIT });
    expect(await row(page, demo.adaMobile).locator('.badge').getAttribute('aria-label')).toBe('1 unread');
    await accessible(page, 'my-sms');
    await shot(page, '02-my-sms-unread');

    // Opening it clears the badge, shows the history and why it landed on Ada.
    await row(page, demo.adaMobile).getByRole('link').click();
    await page.getByText('Thanks Alice, call me tomorrow').waitFor();
    await row(page, demo.adaMobile).locator('.badge').waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('.routing').first().textContent()).toContain('Routed here');
    await accessible(page, 'conversation');
    await shot(page, '03-conversation-read');

    // A template, rendered live for the record, sent and delivered.
    await page.getByLabel('Template').selectOption({ label: 'Welcome' });
    await expect.poll(() => page.getByRole('textbox', { name: 'Message' }).inputValue()).toContain('Hej Ada Lovelace! Alice Andersson here');
    await expect.poll(() => page.locator('.composer').textContent()).toMatch(/GSM-7, 1 segment/);
    await accessible(page, 'composer');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const sent = page.locator('li.message.outbound', { hasText: 'Hej Ada Lovelace!' }).last();
    await sent.locator('.status', { hasText: 'Delivered' }).waitFor({ timeout: POLL_WAIT });
    await shot(page, '04-template-delivered');

    // The timeline of the conversation.
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.locator('.timeline li', { hasText: 'Conversation started on Ada Lovelace' }).waitFor();
    await accessible(page, 'timeline');
    await page.getByRole('tab', { name: 'History' }).click();

    // A send to the failing test number: the reason shows on hover.
    await page.getByLabel('Find a record').fill('Grace');
    await page.getByRole('button', { name: 'Record: Grace Hopper' }).click();
    await page.getByRole('heading', { name: /Grace Hopper/ }).waitFor();
    await accessible(page, 'record');
    await page.getByRole('textbox', { name: 'Message' }).fill('Hello Grace, are you free on Friday?');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('section.record li', { hasText: demo.failingCustomer }).getByRole('link').click({ timeout: POLL_WAIT });
    const failed = page.locator('li.message.outbound', { hasText: 'Hello Grace' });
    await failed.locator('.status', { hasText: 'Failed' }).waitFor({ timeout: POLL_WAIT });
    await failed.locator('.status').hover();
    await expect.poll(() => failed.getByRole('tooltip').isVisible()).toBe(true);
    expect(await failed.getByRole('tooltip').textContent()).toContain('CarrierUnreachable');
    await shot(page, '05-failure-reason');
    // Focus shows it too, for keyboard users.
    await page.mouse.move(0, 0);
    await failed.locator('.status').focus();
    await expect.poll(() => failed.getByRole('tooltip').isVisible()).toBe(true);

    // "Change": move Ada's conversation to the renewal opportunity with the lookup, find it there.
    await row(page, demo.adaMobile).getByRole('link').click();
    const adaConversation = await row(page, demo.adaMobile).getAttribute('data-conversation');
    await page.getByRole('button', { name: 'Change' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Find a record').fill('Acme');
    await dialog.getByRole('button', { name: 'Move here: Acme renewal 2027' }).waitFor();
    await accessible(page, 'move-dialog');
    await shot(page, '06-move-lookup');
    await dialog.getByRole('button', { name: 'Move here: Acme renewal 2027' }).click();
    await page.locator('.conversation-head a', { hasText: 'Acme renewal 2027' }).click({ timeout: POLL_WAIT });
    await page.locator(`section.record li[data-conversation="${adaConversation}"]`).waitFor({ timeout: POLL_WAIT });
    await shot(page, '07-moved-to-opportunity');

    // Hand-off: a customer of Bob's texts Alice's number; Alice hands it to Bob and it leaves her list.
    await api('PUT', '/records/contact/margaret', { name: 'Margaret Hamilton', mobile: '+14255550133', ownerId: 'bob', state: 'active' }, adminToken);
    await customerSays('+14255550133', demo.aliceNumber, 'Is Bob around?');
    await row(page, '+14255550133').getByRole('link').click({ timeout: POLL_WAIT });
    await page.getByRole('button', { name: 'Hand off' }).click();
    // Picked by name among those who can take it.
    await page.getByRole('dialog').getByLabel('Seller or team name').fill('bo');
    await page.getByRole('dialog').getByRole('radio', { name: 'Bob Berg' }).check();
    await accessible(page, 'hand-off-dialog');
    await page.getByRole('dialog').getByRole('button', { name: 'Hand off' }).click();
    await row(page, '+14255550133').waitFor({ state: 'detached', timeout: POLL_WAIT });
    await page.getByText('Select a conversation.').waitFor();
    await shot(page, '08-handed-off');

    // The bell: a new notification, opening its conversation.
    const bell = page.locator('.bell > button');
    const before = Number(/(\d+) unread/.exec((await bell.getAttribute('aria-label')) ?? '')?.[1] ?? 0);
    await customerSays('+14255550160', demo.teamNumber, 'Linus here, any news?');
    await expect.poll(async () => Number(/(\d+) unread/.exec((await bell.getAttribute('aria-label')) ?? '')?.[1] ?? 0), { timeout: POLL_WAIT }).toBeGreaterThan(before);
    await bell.click();
    const notification = page.locator('.notifications li', { hasText: 'Linus here, any news?' });
    await notification.waitFor();
    await accessible(page, 'notifications');
    await shot(page, '09-bell');
    await notification.getByRole('button').click();
    // The thread is titled by its record's name.
    await page.getByRole('heading', { level: 2, name: /Linus/ }).waitFor();
    await page.getByText('Linus here, any news?').first().waitFor();
    await shot(page, '10-opened-from-bell');

    expect(undeclared).toEqual([]);
    await context.close();
  }, 180_000);

  it('works by keyboard alone: sign in, open a conversation, send', async () => {
    const { context, page } = await consolePage('en-US');
    await page.goto(base);
    // The sign-in screen renders after config.json arrives: tab only once it is there (a loaded machine was slower than the Tabs).
    await page.getByText('Sign in as Alice Andersson', { exact: true }).waitFor();
    await tabTo(page, 'Sign in as Alice Andersson');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'My SMS' }).waitFor();
    const link = row(page, demo.adaMobile).getByRole('link');
    await link.waitFor({ timeout: POLL_WAIT });
    await link.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('textbox', { name: 'Message' }).focus();
    await page.keyboard.type('Typed without a mouse');
    await tabTo(page, 'Send');
    await page.keyboard.press('Enter');
    await page.locator('li.message.outbound', { hasText: 'Typed without a mouse' }).waitFor({ timeout: POLL_WAIT });
    expect(undeclared).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('the conversation pane', () => {
  it('shows an MMS photo as a thumbnail, and an opted-out banner that disables sending', async () => {
    const { context, page } = await signedIn('en-US', 'Sign in as Alice Andersson');
    const customer = '+14255550188';
    await api('POST', '/local/provider/inbound', { from: customer, to: demo.aliceNumber, body: '', media: [{ url: `${base}/local/sample/photo.png`, contentType: 'image/png' }] });
    await row(page, customer).getByRole('link').click({ timeout: POLL_WAIT });
    const photo = page.getByRole('img', { name: 'Photo from the customer' });
    await photo.waitFor({ timeout: POLL_WAIT });
    expect(await photo.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await shot(page, '12-mms-thumbnail');

    await customerSays(customer, demo.aliceNumber, 'STOP');
    await page.getByText('This customer has opted out of this number: sending is disabled.').waitFor({ timeout: POLL_WAIT });
    expect(await page.getByRole('button', { name: 'Send', exact: true }).isDisabled()).toBe(true);
    expect(await page.getByRole('textbox', { name: 'Message' }).isDisabled()).toBe(true);
    await accessible(page, 'opted-out');
    await shot(page, '13-opted-out');
    expect(undeclared).toEqual([]);
    await context.close();
  }, 90_000);
});

describe('what customers write is text', () => {
  it('markup in a message is shown literally in the row and the thread, never as elements', async () => {
    const { context, page } = await signedIn('en-US', 'Sign in as Alice Andersson');
    const customer = '+14255550187';
    const markup = '<b id="injected-b">bold</b><img id="injected-img" src=x onerror="document.title=\'pwned\'">';
    await customerSays(customer, demo.aliceNumber, markup);
    await row(page, customer).getByRole('link').click({ timeout: POLL_WAIT });
    await page.locator('li.message', { hasText: '<b id="injected-b">bold</b>' }).waitFor({ timeout: POLL_WAIT });
    expect(await page.locator('#injected-b, #injected-img, img[src="x"]').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    expect(undeclared).toEqual([]);
    await context.close();
  }, 60_000);
});

describe('the seller console, in Swedish', () => {
  it('chooses Swedish from the browser and shows Swedish labels, dates and statuses', async () => {
    const { context, page } = await signedIn('sv-SE', 'Logga in som Alice Andersson');
    await page.getByRole('heading', { name: 'Mina SMS' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('sv');
    await customerSays(demo.adaMobile, demo.aliceNumber, 'Tack, hörs i morgon');
    await row(page, demo.adaMobile).locator('.badge').waitFor({ timeout: POLL_WAIT });
    expect(await row(page, demo.adaMobile).locator('.badge').getAttribute('aria-label')).toMatch(/^\d+ olästa$/);
    await row(page, demo.adaMobile).getByRole('link').click();
    await page.getByRole('tab', { name: 'Historik' }).waitFor();
    await page.getByRole('button', { name: 'Ändra' }).waitFor();
    await page.getByRole('button', { name: 'Lämna över' }).waitFor();
    // The hand-off picker, in Swedish: nobody matches, said in words.
    await page.getByRole('button', { name: 'Lämna över' }).click();
    await page.getByRole('dialog').getByLabel('Säljarens eller teamets namn').fill('nobody');
    await page.getByRole('dialog').getByText('Ingen som kan ta konversationer har ett namn som börjar med ”nobody”.').waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Avbryt' }).click();
    await page.getByLabel('Mall').selectOption({ label: 'Follow-up' });
    await expect.poll(() => page.locator('.composer').textContent()).toMatch(/UCS-2, 1 segment/);
    await page.getByRole('button', { name: 'Skicka', exact: true }).click();
    await page.locator('li.message.outbound', { hasText: 'just following up' }).last().locator('.status', { hasText: 'Levererat' }).waitFor({ timeout: POLL_WAIT });
    // Dates in the Swedish form (e.g. "25 nov. 2026 21:40").
    expect(await page.locator('li.message time').last().textContent()).toMatch(/^\d{1,2} [a-zåäö]+\.? \d{4} \d{2}:\d{2}$/);
    await accessible(page, 'conversation-sv');
    await shot(page, '11-swedish');
    // Switchable: English on request, remembered.
    await page.getByLabel('Språk').selectOption('en');
    await page.getByRole('heading', { name: 'My SMS' }).waitFor();
    expect(undeclared).toEqual([]);
    await context.close();
  }, 90_000);
});

describe('live updates', () => {
  const cases = [
    { locale: 'en-US', signIn: 'Sign in as Bob Berg', customer: '+14255550186', live: 'Live' },
    { locale: 'sv-SE', signIn: 'Logga in som Bob Berg', customer: '+14255550187', live: 'Live' },
  ];
  for (const { locale, signIn, customer, live } of cases) {
    it(`a reply appears in the open thread without a reload, and an idle console asks nothing (${locale})`, async () => {
      const { context, page } = await signedIn(locale, signIn);
      await page.locator('.live-state.live', { hasText: live }).waitFor();
      await customerSays(customer, demo.bobNumber, `First question ${locale}`);
      // The row arrives through the socket's hint; no reload, no poll.
      await row(page, customer).getByRole('link').click({ timeout: 5_000 });
      // The thread's copy (the row's preview may show the same text).
      await page.locator('li.message.inbound', { hasText: `First question ${locale}` }).waitFor();
      // Reading it causes its own hints (read, the bell): let them settle, then count.
      await page.waitForTimeout(1_500);
      const requests: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).origin === base) requests.push(`${request.method()} ${new URL(request.url()).pathname}`);
      });
      await page.waitForTimeout(3_000);
      expect(requests).toEqual([]);
      await customerSays(customer, demo.bobNumber, `Second question ${locale}`);
      await page.locator('li.message.inbound', { hasText: `Second question ${locale}` }).waitFor({ timeout: 3_000 });
      // Only what changed was fetched: the conversation, its messages, the list (and the read that opening it makes).
      expect(requests.every((r) => /^(GET \/conversations\/[^/]+(\/messages|\/events)?|POST \/conversations\/[^/]+\/read|GET \/me\/(conversations|notifications))$/.test(r))).toBe(true);
      await accessible(page, `live-${locale}`);
      expect(undeclared).toEqual([]);
      await context.close();
    }, 60_000);
  }
});

describe('on a phone (390×844) and a laptop (1366×768)', () => {

  it('a phone: the list, then the thread with a back control, names not ids, answerable, no horizontal scrolling', async () => {
    const context = await stack.browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByRole('button', { name: 'Sign in as Alice Andersson' }).click();
    await page.getByRole('heading', { name: 'My SMS' }).waitFor();
    expect(await page.locator('h1').count()).toBe(1);
    await customerSays(demo.adaMobile, demo.aliceNumber, 'Can you send the quote to my phone?');
    const adaRow = row(page, demo.adaMobile).first();
    await adaRow.waitFor({ timeout: 5_000 });
    // Titled by the record's name, not the number.
    const title = (await adaRow.locator('.customer').first().textContent())!;
    expect(title).not.toMatch(/^\+?\d+$/);
    expect(await noHorizontalScroll(page)).toBe(true);
    await accessible(page, 'phone-my-sms');
    await adaRow.getByRole('link').click();
    await page.getByText('Can you send the quote to my phone?').last().waitFor();
    // The thread replaces the list; a back control returns to it.
    expect(await page.locator('nav.inbox').isVisible()).toBe(false);
    expect(await page.locator('#conversation-title').textContent()).toBe(title);
    expect(await page.locator('.back').isVisible()).toBe(true);
    expect(await noHorizontalScroll(page)).toBe(true);
    await page.getByRole('textbox', { name: 'Message' }).fill('Sending it now');
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await page.locator('li.message.outbound', { hasText: 'Sending it now' }).waitFor({ timeout: 5_000 });
    expect(await noHorizontalScroll(page)).toBe(true);
    await accessible(page, 'phone-conversation');
    await shot(page, '20-phone-conversation');
    await page.getByRole('link', { name: 'My SMS' }).click();
    await page.locator('nav.inbox').waitFor();
    await context.close();
  }, 60_000);

  it('a laptop: rows and the header by name, the team as a labelled icon, routing explained once', async () => {
    const context = await stack.browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 768 } });
    const page = await context.newPage();
    await page.goto(base);
    await page.getByRole('button', { name: 'Sign in as Alice Andersson' }).click();
    await page.getByRole('heading', { name: 'My SMS' }).waitFor();
    expect(await page.locator('.who').textContent()).toBe('Alice Andersson');
    const customer = '+14255550189';
    for (const text of ['Hello, who is this?', 'Second question', 'Third question']) await customerSays(customer, demo.aliceNumber, text);
    const newRow = row(page, customer).first();
    await newRow.waitFor({ timeout: 5_000 });
    await newRow.getByRole('link').click();
    await page.locator('li.message.inbound', { hasText: 'Third question' }).waitFor();
    // The routing explanation: on the first message, and again only where it reads differently.
    expect(await page.locator('li.message.inbound').count()).toBe(3);
    expect(await page.locator('.routing').count()).toBeLessThan(3);
    expect(await noHorizontalScroll(page)).toBe(true);
    await accessible(page, 'laptop-conversation');

    // A photo sent back: attached (uploaded straight to storage), previewed, then sent without text.
    await page.getByLabel('Attach a photo').setInputFiles({ name: 'quote.png', mimeType: 'image/png', buffer: SAMPLE_PHOTO });
    await page.getByRole('button', { name: 'Remove quote.png' }).waitFor();
    await page.getByRole('button', { name: 'Send', exact: true }).click({ timeout: 10_000 });
    await page.locator('li.message.outbound .media img').last().waitFor({ timeout: 10_000 });
    expect(await page.locator('.attachments').count()).toBe(0);

    // A reply that reads like "stop": a banner to confirm or dismiss; nobody is opted out by a guess.
    await customerSays(customer, demo.aliceNumber, 'please stop texting me');
    const banner = page.getByRole('region', { name: /may be asking to stop/ });
    await banner.waitFor({ timeout: 5_000 });
    await accessible(page, 'likely-opt-out');
    await banner.getByRole('button', { name: 'Not an opt-out' }).click();
    await banner.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.getByRole('button', { name: 'Send', exact: true }).count()).toBe(1);
    await context.close();
  }, 60_000);
});
