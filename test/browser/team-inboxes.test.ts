import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessible, callApi, noHorizontalScroll, shot, signedIn, startConsoleStack, type ConsoleStack } from './harness';

/**
 * Team inboxes in the console: the after-hours reply in the thread, the response-times page (chart and table), the
 * availability switch; a laptop in English and a phone in Swedish, axe on each screen.
 */
const TEAM_NUMBER = '+14255550101';
const CUSTOMER = '+14255550188';
let stack: ConsoleStack;
let conversationId: string;

beforeAll(async () => {
  stack = await startConsoleStack();
  // An admin sets the team's line up: closed all week (so the test's time does not matter), an auto-reply, auto-assignment.
  await callApi(stack, 'PUT', `/directory/numbers/${encodeURIComponent(TEAM_NUMBER)}`, { assignedTo: { type: 'team', id: 'sales-east' }, provider: 'sandbox', label: 'Sales East', businessHours: { timeZone: 'Europe/Stockholm', weekly: {} }, autoReply: { body: 'Thanks {{record.name|}}! We are closed; {{seller.name|we}} will answer when we open.' } }, stack.adminToken);
  await callApi(stack, 'PUT', '/directory/teams/sales-east', { name: 'Sales East', autoAssign: { mode: 'round_robin' } }, stack.adminToken);
  await callApi(stack, 'POST', '/local/provider/inbound', { from: CUSTOMER, to: TEAM_NUMBER, body: 'Hi, do you ship to Norway?' });
  // The auto-reply goes from the stream: wait for it in the provider's outbox.
  const outbox = async () => ((await callApi(stack, 'GET', '/local/provider/outbox')) as { items: { to: string }[] }).items.filter((m) => m.to === CUSTOMER).length;
  for (let waited = 0; (await outbox()) < 1; waited += 100) {
    if (waited > 15_000) throw new Error('no after-hours reply in the outbox');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const conversations = (await callApi(stack, 'GET', '/me/conversations', undefined, stack.adminToken)) as { items: { id: string; customerNumber: string; assignedTo: { type: string; id: string } }[] };
  const conversation = conversations.items.find((c) => c.customerNumber === CUSTOMER)!;
  conversationId = conversation.id;
  // The turn starts with the first salesperson of the team by id: Alice.
  expect(conversation.assignedTo).toEqual({ type: 'seller', id: 'alice' });
  const { token } = (await callApi(stack, 'POST', '/local/token', { sub: 'alice' })) as { token: string };
  await callApi(stack, 'POST', `/conversations/${conversationId}/messages`, { body: 'Yes, we do!' }, token);
}, 150_000);

afterAll(() => stack?.stop(), 30_000);

describe('team inboxes', () => {
  it('a laptop, in English: the after-hours reply in the thread, the Response times page, the availability switch', async () => {
    const { context, page } = await signedIn(stack, { locale: 'en-US', viewport: { width: 1366, height: 768 } }, 'Sign in as Alice Andersson');
    await page.goto(`${stack.base}/#/c/${conversationId}`);
    const automatic = page.locator('li.message.outbound', { hasText: 'We are closed' });
    await automatic.waitFor();
    expect(await automatic.locator('.meta').textContent()).toContain('After-hours reply');
    expect(await automatic.locator('.meta').textContent()).toContain('Automatic');
    await page.getByRole('tab', { name: 'Timeline' }).click();
    await page.getByText('Assigned automatically to Alice Andersson').waitFor();
    await accessible(page, 'team-thread-timeline');

    await page.getByRole('link', { name: 'Response times' }).click();
    await page.getByRole('heading', { name: 'Response times' }).waitFor();
    const table = page.getByRole('table', { name: /Response times from/ });
    const alice = table.getByRole('row', { name: /Alice Andersson/ });
    await alice.waitFor();
    // One conversation, one message in, answered once.
    expect((await alice.getByRole('cell').allTextContents()).slice(0, 3)).toEqual(['1', '1', '1']);
    expect(await page.locator('.report-chart .bar-row', { hasText: 'Alice Andersson' }).count()).toBe(1);
    await page.getByLabel('Period').selectOption('7');
    await page.getByLabel('Rows').selectOption('team');
    await table.getByRole('row', { name: /Sales East/ }).waitFor();
    await accessible(page, 'response-times-laptop');
    await shot(page, 'response-times-laptop');

    const available = page.getByRole('switch', { name: 'Available' });
    await available.click();
    await expect.poll(() => available.getAttribute('aria-checked')).toBe('false');
    await available.click();
    await expect.poll(() => available.getAttribute('aria-checked')).toBe('true');
    expect(stack.undeclared).toEqual([]);
    await context.close();
  }, 90_000);

  it('a phone, in Swedish: an admin reads every seller from the menu, with no sideways scrolling', async () => {
    const { context, page } = await signedIn(stack, { locale: 'sv-SE', viewport: { width: 390, height: 844 }, phone: true }, 'Logga in som Admin');
    await page.getByRole('button', { name: 'Meny' }).click();
    await page.getByRole('link', { name: 'Svarstider' }).click();
    await page.getByRole('heading', { name: 'Svarstider' }).waitFor();
    const table = page.getByRole('table', { name: /Svarstider från/ });
    await table.getByRole('row', { name: /Alice Andersson/ }).waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await accessible(page, 'response-times-phone-sv');
    await shot(page, 'response-times-phone-sv', true);
    await page.getByLabel('Rader').selectOption('team');
    await table.getByRole('row', { name: /Sales East/ }).waitFor();
    expect(await noHorizontalScroll(page)).toBe(true);
    await accessible(page, 'response-times-phone-sv-teams');
    expect(stack.undeclared).toEqual([]);
    await context.close();
  }, 60_000);
});
