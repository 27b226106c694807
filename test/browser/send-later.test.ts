import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessible, noHorizontalScroll, shot, signedIn, startConsoleStack, type ConsoleStack } from './harness';

/**
 * Send later in the console (Debian's Chromium, the browser in UTC): the composer's time with the customer's local
 * time then and the deployment's quiet hours, the scheduled message in the thread with its controls, the Scheduled
 * list; in English on a laptop and in Swedish on a phone, axe on each screen.
 */
let stack: ConsoleStack;

beforeAll(async () => {
  stack = await startConsoleStack({ QUIET_HOURS: '21:00-08:00' });
}, 120_000);

afterAll(() => stack?.stop(), 30_000);

/** Tomorrow at `hour`:00 UTC, as a datetime-local value (the page runs in UTC). */
function tomorrowAt(hour: number): string {
  const at = new Date(Date.now() + 24 * 3600_000);
  at.setUTCHours(hour, 0, 0, 0);
  return at.toISOString().slice(0, 16);
}

describe('send later (and the availability switch)', () => {
  it('a laptop, in English: the customer\'s time then, a quiet-hours warning, scheduled in the thread and the list, edited', async () => {
    const { context, page } = await signedIn(stack, { locale: 'en-US', viewport: { width: 1366, height: 768 } }, 'Sign in as Alice Andersson');
    await page.getByRole('heading', { name: 'My SMS' }).waitFor();
    // The availability switch in the header (auto-assignment): off, then on again.
    const available = page.getByRole('switch', { name: 'Available' });
    expect(await available.getAttribute('aria-checked')).toBe('true');
    await available.click();
    await expect.poll(() => available.getAttribute('aria-checked')).toBe('false');
    await accessible(page, 'availability-off');
    await available.click();
    await expect.poll(() => available.getAttribute('aria-checked')).toBe('true');
    // A new message to Acme's business line (+1 425, no conversation yet: no reply window applies).
    await page.goto(`${stack.base}/#/r/account/acme`);
    await page.getByRole('heading', { name: /Acme Corp/ }).waitFor();
    await page.getByRole('textbox', { name: 'Message' }).fill('Good morning, here is the offer');
    await page.getByRole('checkbox', { name: 'Send later' }).check();
    const when = page.getByLabel('Send at (your time)');
    // 07:00 UTC is 23:00 in Los Angeles (+1 425): inside quiet hours there, allowed from 08:00 there.
    await when.fill(tomorrowAt(7));
    await expect.poll(() => page.locator('.send-later .banner.quiet').textContent()).toMatch(/The customer’s local time then: 23:00 \(America\/Los Angeles\)\. That is inside quiet hours there/);
    await accessible(page, 'send-later-quiet');
    await shot(page, 'send-later-quiet');
    // The backend refuses it too, and the console offers the first allowed time.
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await page.getByRole('button', { name: /Schedule for .* instead/ }).click();
    expect(await when.inputValue()).toBe(tomorrowAt(16));

    await when.fill(tomorrowAt(18)); // 10:00 in Los Angeles
    await expect.poll(() => page.locator('.send-later .customer-time').textContent()).toContain('10:00 (America/Los Angeles)');
    await page.getByRole('button', { name: 'Schedule', exact: true }).click();
    await page.locator('ul.conversations li a').first().click();
    const scheduled = page.locator('li.message.outbound', { hasText: 'Good morning, here is the offer' });
    await scheduled.locator('.scheduled-for').waitFor();
    expect(await scheduled.locator('.status').textContent()).toBe('Scheduled');
    await accessible(page, 'thread-scheduled');
    await shot(page, 'send-later-thread');

    // Edited in the thread: new text, same time.
    await scheduled.getByRole('button', { name: 'Edit' }).click();
    await scheduled.getByRole('textbox', { name: 'Message' }).fill('Good morning Acme, here is the offer');
    await scheduled.getByRole('button', { name: 'Save changes' }).click();
    await page.locator('li.message.outbound', { hasText: 'Good morning Acme, here is the offer' }).locator('.scheduled-for').waitFor();

    await page.getByRole('link', { name: 'Scheduled' }).click();
    await page.getByRole('heading', { name: 'Scheduled' }).waitFor();
    await page.locator('.scheduled-list li', { hasText: 'Good morning Acme, here is the offer' }).waitFor();
    await accessible(page, 'scheduled-list');
    await shot(page, 'scheduled-list');
    expect(stack.undeclared).toEqual([]);
    await context.close();
  }, 90_000);

  it('a phone, in Swedish: the Scheduled list from the menu, canceled there, no sideways scrolling', async () => {
    const { context, page } = await signedIn(stack, { locale: 'sv-SE', viewport: { width: 390, height: 844 }, phone: true }, 'Logga in som Alice Andersson');
    await page.getByRole('button', { name: 'Meny' }).click();
    await page.getByRole('link', { name: 'Schemalagda' }).click();
    const item = page.locator('.scheduled-list li', { hasText: 'Good morning Acme, here is the offer' });
    await item.waitFor();
    expect(await item.textContent()).toContain('Schemalagt till');
    expect(await noHorizontalScroll(page)).toBe(true);
    await accessible(page, 'phone-scheduled-sv');
    await shot(page, 'phone-scheduled-sv');
    await item.getByRole('button', { name: 'Avbryt utskick' }).click();
    await page.getByText('Inga schemalagda meddelanden.').waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await accessible(page, 'phone-scheduled-sv-empty');
    expect(stack.undeclared).toEqual([]);
    await context.close();
  }, 60_000);
});
