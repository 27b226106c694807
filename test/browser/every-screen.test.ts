import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator } from 'playwright-core';
import { demo } from '../../scripts/local/seed';
import { SAMPLE_PHOTO } from '../../scripts/local/server';
import { makeI18n, type Language } from '../../web/src/i18n';
import { accessible, callApi, consolePage, noHorizontalScroll, row, shot, startConsoleStack, type ConsoleStack } from './harness';

/**
 * Every screen of the seller's day on a phone (390×844) and a laptop (1366×768), in English and in Swedish:
 * names instead of ids, the related-records selector, per-number actions, hand-off by name, templates written
 * and removed, quiet hours in the composer, the likely opt-out banner, a read-only thread, photos attached and
 * removed, every error in the page's language. axe-core finds no violation of any impact on any of them, and
 * nothing scrolls sideways. The words come from the console's own dictionaries.
 */
const NEW_YORK = 'America/New_York';
let stack: ConsoleStack;

/** Quiet hours that hold now in New York for the next 2.5 hours, and not on the US west coast (3 hours behind). */
function quietHoursAroundNowInNewYork(): string {
  const [hour, minute] = new Intl.DateTimeFormat('en-US', { timeZone: NEW_YORK, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' }).format(new Date()).split(':').map(Number) as [number, number];
  const at = (minutes: number) => {
    const m = (((hour * 60 + minute + minutes) % 1440) + 1440) % 1440;
    return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  };
  return `${at(-5)}-${at(150)}`;
}

beforeAll(async () => {
  stack = await startConsoleStack({ QUIET_HOURS: quietHoursAroundNowInNewYork() });
}, 120_000);

afterAll(() => stack?.stop(), 30_000);

const runs = [
  { size: 'phone', viewport: { width: 390, height: 844 }, phone: true, language: 'en', locale: 'en-US', person: 'Hedy Lamarr' },
  { size: 'phone', viewport: { width: 390, height: 844 }, phone: true, language: 'sv', locale: 'sv-SE', person: 'Katherine Johnson' },
  { size: 'laptop', viewport: { width: 1366, height: 768 }, phone: false, language: 'en', locale: 'en-US', person: 'Dorothy Vaughan' },
  { size: 'laptop', viewport: { width: 1366, height: 768 }, phone: false, language: 'sv', locale: 'sv-SE', person: 'Mary Jackson' },
] as const;
const senderIds = ['PARCELS', 'NEWSDESK', 'ALERTBOT', 'SHIPPING'];

describe('every screen on a phone and a laptop, in English and Swedish', () => {
  runs.forEach((run, k) => {
    it(`${run.size} (${run.viewport.width}×${run.viewport.height}), ${run.language}: names, related records, numbers, hand-off, templates, quiet hours, banners, photos`, async () => {
      const { t } = makeI18n(run.language as Language);
      const number = (i: number) => `+1425555${String(300 + k * 20 + i).padStart(4, '0')}`;
      const office = `+1212555${String(300 + k).padStart(4, '0')}`;
      const first = run.person.split(' ')[0]!;
      const [contactId, dealName, pilotName] = [`person-${k}`, `${first} expansion`, `${first} pilot`];
      const [mobile, phone, pilotMobile, dismissed, confirmed] = [number(0), number(1), number(2), number(3), number(4)];
      const admin = (method: string, path: string, body?: unknown) => callApi(stack, method, path, body, stack.adminToken);
      const customerSays = (from: string, to: string, body: string) => callApi(stack, 'POST', '/local/provider/inbound', { from, to, body });
      // A contact of Alice's with all three numbers (the office in New York), an opportunity of hers naming the
      // contact, and one of Bob's that Alice sees only through a conversation on her team's number.
      await admin('PUT', `/records/contact/${contactId}`, { name: run.person, mobile, phone, business: office, ownerId: 'alice', state: 'active' });
      await admin('PUT', `/records/opportunity/deal-${k}`, { name: dealName, contactIds: [contactId], ownerId: 'alice', state: 'active' });
      await admin('PUT', `/records/opportunity/pilot-${k}`, { name: pilotName, contactIds: [contactId], mobile: pilotMobile, ownerId: 'bob', state: 'active' });
      const adminTemplate = `Office note ${k}`;
      await admin('POST', '/templates', { name: adminTemplate, body: 'Our office is closed on Friday.' });
      await customerSays(pilotMobile, demo.teamNumber, 'About the pilot');
      for (const text of [`Hello from ${first}`, 'Second question', 'Third question']) await customerSays(mobile, demo.aliceNumber, text);

      const { context, page } = await consolePage(stack, { locale: run.locale, viewport: run.viewport, phone: run.phone });
      // On a phone, search and templates are in the header's menu.
      const openMenu = async () => {
        if (run.phone) await page.getByRole('button', { name: t('menu') }).click();
      };
      const name = `${run.size}-${run.language}`;
      const fitsViewport = async (element: Locator, label: string) => {
        const box = (await element.boundingBox())!;
        expect(box.x, `${label} starts on screen`).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, `${label} ends on screen`).toBeLessThanOrEqual(run.viewport.width);
      };
      const screen = async (label: string) => {
        expect(await noHorizontalScroll(page), `${label} scrolls sideways`).toBe(true);
        expect(await page.locator('h1').count(), `${label}: one h1`).toBe(1);
        await accessible(page, `${name} ${label}`);
      };
      /**
       * Opens a row of My SMS: on a phone, back to the list first. A row a customer's message has just made appears
       * with its live frame, or at the latest with the safety poll (10 s locally) when a loaded machine delays the frame.
       */
      const openRow = async (text: string) => {
        if (run.phone && !(await page.locator('nav.inbox').isVisible())) await page.locator('.back').click();
        await row(page, text).first().getByRole('link').click({ timeout: 15_000 });
      };

      // Signing in (locally: a seeded seller's button).
      await page.goto(stack.base);
      const signIn = page.getByRole('button', { name: t('signInAs', { name: 'Alice Andersson' }) });
      await signIn.waitFor();
      await screen('sign-in');
      await signIn.click();

      // My SMS: rows titled by the record's name, the business number by its label; the seller by name.
      await page.getByRole('heading', { name: t('mySms') }).waitFor();
      expect(await page.locator('.who').textContent()).toBe('Alice Andersson');
      const contactRow = row(page, run.person).filter({ hasText: 'Alice direct' });
      await contactRow.waitFor({ timeout: 5_000 });
      expect(await contactRow.locator('.customer').textContent()).toBe(run.person);
      await row(page, pilotName).filter({ hasText: 'Sales East' }).waitFor();
      await screen('my-sms');
      await shot(page, `${name}-01-my-sms`, run.phone);
      // The notifications pop-over fits the screen.
      await page.locator('.bell > button').click();
      await page.locator('.popover').waitFor();
      await fitsViewport(page.locator('.popover'), 'notifications');
      await screen('notifications');
      await page.locator('.popover').getByRole('button', { name: t('close') }).click();

      // The thread: titled by name, the routing explained once, on a phone instead of the list with a back control.
      await openRow(run.person);
      await page.locator('li.message.inbound', { hasText: 'Third question' }).waitFor();
      expect(await page.locator('#conversation-title').textContent()).toBe(run.person);
      expect(await page.locator('.routing').count()).toBe(1);
      expect(await page.locator('nav.inbox').isVisible()).toBe(!run.phone);
      expect(await page.locator('.back').isVisible()).toBe(run.phone);

      // The related-records selector: Alice's opportunity opens as a record; Bob's shows only its conversation.
      const related = page.getByLabel(t('relatedRecords'), { exact: true });
      const option = (opportunity: string, count: number) => t('relatedOption', { name: opportunity, type: t('type.opportunity'), count });
      await expect.poll(() => related.locator("option").allTextContents()).toEqual([t('relatedThis', { name: run.person }), option(dealName, 0), option(pilotName, 1)]);
      await related.selectOption({ label: option(dealName, 0) });
      await page.getByRole('link', { name: t('openRecord', { name: dealName }) }).waitFor();
      await related.selectOption({ label: option(pilotName, 1) });
      await page.getByText(t('relatedOnlyConversations')).waitFor();
      await screen('related-records');
      await shot(page, `${name}-02-conversation-related`, run.phone);

      // The customer's local time in the composer, by their number (Seattle).
      await page.locator('.composer .customer-time', { hasText: 'America/Los Angeles' }).waitFor();

      // Photos: attached (uploaded with progress), previewed, removed before sending.
      await page.getByLabel(t('attachImage')).setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: SAMPLE_PHOTO });
      const remove = page.getByRole('button', { name: t('removeAttachment', { name: 'plan.png' }) });
      await remove.waitFor();
      await page.locator('.attachments img[alt="plan.png"]').waitFor();
      await screen('photo-attached');
      await remove.click();
      expect(await page.locator('.attachments').count()).toBe(0);

      // "Change" (move): the dialog fits the screen; left without moving.
      await page.getByRole('button', { name: t('change'), exact: true }).click();
      await fitsViewport(page.getByRole('dialog'), 'move dialog');
      await screen('move-dialog');
      await page.getByRole('dialog').getByRole('button', { name: t('cancel'), exact: true }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });

      // Bob's opportunity, through its conversation: the team by a labelled icon (no emoji), handed to Alice by name.
      await page.locator('.related-detail a', { hasText: pilotName }).click();
      await page.locator('#conversation-title', { hasText: pilotName }).waitFor();
      const teamIcon = page.locator('.conversation-head svg[role="img"]');
      expect(await teamIcon.getAttribute('aria-label')).toBe(t('team'));
      expect(await page.locator('.conversation-head').textContent()).not.toMatch(/\p{Extended_Pictographic}|team\/|seller\//u);
      await page.getByRole('button', { name: t('handOff'), exact: true }).click();
      const dialog = page.getByRole('dialog');
      // Only those who can take it: Carl has no SMS role.
      await dialog.getByLabel(t('searchAssignee')).fill('Carl');
      await dialog.getByText(t('noAssigneeMatches', { q: 'Carl' })).waitFor();
      await dialog.getByLabel(t('searchAssignee')).fill('Al');
      await dialog.getByRole('radio', { name: 'Alice Andersson' }).check();
      await fitsViewport(dialog, 'hand-off dialog');
      await screen('hand-off');
      await shot(page, `${name}-03-hand-off`, run.phone);
      await dialog.getByRole('button', { name: t('handOff'), exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.locator('.conversation-head', { hasText: `${t('assignedToLabel')} Alice Andersson` }).waitFor();
      // The timeline by name: the opportunity, the team, the seller, "by you".
      await page.getByRole('tab', { name: t('timeline') }).click();
      const assigned = page.locator('.timeline li').filter({ hasText: 'Alice Andersson' }).first();
      await assigned.waitFor();
      expect(await assigned.textContent()).toContain(t('by', { who: t('youObject') }));
      expect(await assigned.textContent()).toContain('Sales East');
      expect(await page.locator('.timeline').textContent()).toContain(pilotName);
      expect(await page.locator('.timeline').textContent()).not.toMatch(/(team|seller|opportunity|contact)\//);
      await screen('timeline');
      await page.getByRole('tab', { name: t('history') }).click();
      // Bob's opportunity as a record: Alice cannot read it, and it still goes by its name.
      await page.locator('.conversation-head a', { hasText: pilotName }).click();
      await page.getByRole('heading', { level: 2, name: new RegExp(pilotName) }).waitFor();
      expect(await page.locator('.record-numbers').count()).toBe(0);

      // The record: each number with its own action; "To" says which field a number comes from.
      await openMenu();
      await page.getByLabel(t('findRecord')).first().fill(run.person);
      await page.getByRole('button', { name: `${t('record')}: ${run.person}` }).click();
      await page.getByRole('heading', { level: 2, name: new RegExp(run.person) }).waitFor();
      const numbers = page.locator('.record-numbers li');
      expect(await numbers.allTextContents()).toEqual([`${t('fieldLabel.mobile')} ${mobile}`, `${t('fieldLabel.phone')} ${phone}`, `${t('fieldLabel.business')} ${office}`]);
      const to = page.getByLabel(t('to'), { exact: true });
      const chosenTo = () => to.evaluate((select) => (select as unknown as { selectedOptions: { textContent: string }[] }).selectedOptions[0]!.textContent);
      expect(await chosenTo()).toBe(t('numberOfField', { field: t('fieldLabel.mobile'), number: mobile }));
      await page.getByRole('button', { name: t('textNumber', { field: t('field.phone'), number: phone }) }).click();
      expect(await chosenTo()).toBe(t('numberOfField', { field: t('fieldLabel.phone'), number: phone }));
      await screen('record');
      await shot(page, `${name}-04-record`, run.phone);

      // Quiet hours in New York: the composer shows the customer's time before sending, and a refused send says when.
      await page.getByRole('button', { name: t('textNumber', { field: t('field.business'), number: office }) }).click();
      await page.locator('.composer .customer-time', { hasText: 'America/New York' }).waitFor();
      await page.getByLabel(t('template'), { exact: true }).selectOption({ label: 'Welcome' });
      const quiet = page.locator('.composer .quiet');
      await quiet.waitFor();
      expect(await quiet.textContent()).toContain('America/New York');
      expect(await quiet.textContent()).toContain(t('quietUntil', { when: '\u0000' }).split('\u0000')[0]);
      await screen('quiet-hours');
      await shot(page, `${name}-05-quiet-hours`, run.phone);
      await page.getByLabel(t('template'), { exact: true }).selectOption({ label: t('noTemplate') });
      await page.getByRole('textbox', { name: t('message'), exact: true }).fill('Are you in the office tomorrow?');
      await page.getByRole('button', { name: t('send'), exact: true }).click();
      const refused = page.locator('.composer [role="alert"]');
      await refused.waitFor();
      expect(await refused.textContent()).toContain('America/New York');
      expect(await refused.textContent()).not.toContain('QuietHours');

      // Templates: the list (an admin's template is not Alice's to change), a new one written with its syntax
      // explained and previewed in words, used in the composer, renamed onto a taken name (said in words), deleted.
      await openMenu();
      await page.getByRole('link', { name: t('templates'), exact: true }).click();
      await page.getByRole('heading', { level: 2, name: t('templates') }).waitFor();
      await page.locator('.template-list li', { hasText: 'Welcome' }).getByText(`${t('meantFor')}: ${t('allRecordTypes')}`).waitFor();
      expect(await page.getByRole('button', { name: t('editTemplate', { name: 'Welcome' }) }).count()).toBe(1);
      expect(await page.getByRole('button', { name: t('editTemplate', { name: adminTemplate }) }).count()).toBe(0);
      await screen('templates');
      await shot(page, `${name}-06-templates`, run.phone);
      await page.getByRole('button', { name: t('newTemplate') }).click();
      const template = `Visit ${k}`;
      await page.getByLabel(t('templateName'), { exact: true }).fill(template);
      await page.getByRole('checkbox', { name: t('type.contact') }).check();
      const text = page.getByLabel(t('templateText'), { exact: true });
      await text.fill('Hi {{record.name|there}}, {{record.nickname}}');
      await page.getByRole('alert').filter({ hasText: t('unknownPlaceholders', { list: '{{record.nickname}}' }) }).waitFor();
      expect(await page.getByRole('button', { name: t('save'), exact: true }).isDisabled()).toBe(true);
      await text.fill('Hi {{record.name|there}}, about account {{record.accountId}}. {{seller.name}}');
      const accountWords = t('placeholder.record', { owner: t('owner.contact'), field: t('field.accountId') });
      await page.locator('.preview-box', { hasText: `[${accountWords}]` }).waitFor();
      expect(await page.locator('.syntax').textContent()).toContain('{{record.name|there}}');
      await page.getByLabel(t('findRecord')).last().fill(run.person);
      await page.getByRole('button', { name: `${t('previewFor')}: ${run.person}` }).click();
      await page.locator('.preview-box', { hasText: `Hi ${run.person}, about account . Alice Andersson` }).waitFor();
      expect(await page.locator('.preview-box .missing').textContent()).toBe(t('missingPlaceholders', { list: accountWords }));
      await screen('template-editor');
      await shot(page, `${name}-07-template-editor`, run.phone);
      await page.getByRole('button', { name: t('save'), exact: true }).click();
      await page.locator('.template-list li', { hasText: template }).getByText(`${t('meantFor')}: ${t('type.contact')}`).waitFor();

      // Used in the composer: the missing value named in words, sending held back.
      await openRow(run.person);
      await page.getByLabel(t('template'), { exact: true }).selectOption({ label: template });
      await expect.poll(() => page.locator('.composer .missing').textContent()).toContain(accountWords);
      expect(await page.getByRole('button', { name: t('send'), exact: true }).isDisabled()).toBe(true);
      await screen('composer-missing-value');

      // A taken name, in the page's language (not the server's English or its code).
      await openMenu();
      await page.getByRole('link', { name: t('templates'), exact: true }).click();
      await page.getByRole('button', { name: t('editTemplate', { name: template }) }).click();
      await page.getByLabel(t('templateName'), { exact: true }).fill('welcome');
      await page.getByRole('button', { name: t('save'), exact: true }).click();
      const taken = page.getByRole('alert').filter({ hasText: t('templateNameTaken') });
      await taken.waitFor();
      expect(await taken.textContent()).toBe(t('templateNameTaken'));
      await screen('template-name-taken');
      await page.getByRole('button', { name: t('cancel'), exact: true }).click();
      await page.getByRole('button', { name: t('deleteTemplate', { name: template }) }).click();
      const confirm = page.getByRole('alertdialog', { name: t('confirmDeleteTemplate', { name: template }) });
      await screen('template-delete');
      await confirm.getByRole('button', { name: t('delete'), exact: true }).click();
      await page.locator('.template-list li', { hasText: template }).waitFor({ state: 'detached' });

      // A reply that reads like "stop": dismissed for one customer, confirmed as an opt-out for another.
      for (const [customer, action] of [
        [dismissed, 'dismissOptOut'],
        [confirmed, 'confirmOptOut'],
      ] as const) {
        await customerSays(customer, demo.aliceNumber, 'please stop texting me');
        await openRow(customer);
        const banner = page.getByRole('region', { name: t('likelyOptOut') });
        await banner.waitFor({ timeout: 5_000 });
        await screen(`likely-opt-out-${action}`);
        if (action === 'confirmOptOut') await shot(page, `${name}-08-likely-opt-out`, run.phone);
        await banner.getByRole('button', { name: t(action) }).click();
        await banner.waitFor({ state: 'detached', timeout: 5_000 });
      }
      await page.getByText(t('optedOut')).waitFor();
      expect(await page.getByRole('button', { name: t('send'), exact: true }).isDisabled()).toBe(true);
      await screen('opted-out');

      // A sender that is not a phone number: a read-only thread.
      const sender = senderIds[k]!;
      await customerSays(sender, demo.aliceNumber, 'Your parcel is on its way');
      await openRow(sender);
      await page.getByText(t('notReplyable')).waitFor();
      expect(await page.getByRole('textbox', { name: t('message'), exact: true }).count()).toBe(0);
      await screen('not-replyable');
      await shot(page, `${name}-09-read-only`, run.phone);
      await page.getByRole('tab', { name: t('timeline') }).click();
      await page.locator('.timeline li', { hasText: t('event.createdWithoutRecord') }).waitFor();

      if (run.phone) {
        await page.locator('.back').click();
        await page.locator('nav.inbox').waitFor();
      }
      expect(stack.undeclared).toEqual([]);
      await context.close();
    }, 120_000);
  });
});
