import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call } from '../helpers/api';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';

let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
const alice = { sub: 'alice' };

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.seller('alice', { name: 'Alice' });
  await org.seller('reader', { roles: [] });
  await org.number('+14255559001', { type: 'seller', id: 'alice' });
  await org.record('contact', 'ada', { name: 'Ada Lovelace', mobile: '+14255559100', ownerId: 'alice' });
  api = createSellerApi(t);
});

let named = 0;
// Template names are unique (case-insensitive): each test template gets its own.
const create = (body: string, name = `Greeting ${++named}`) => call(api, 'POST', '/templates', { as: alice, body: { name, body } });
const render = (id: string) => call(api, 'POST', `/templates/${id}/render`, { as: alice, body: { record: { type: 'contact', id: 'ada' } } });

describe('templates', () => {
  it('renders {{record.name}} with the record\'s name', async () => {
    const created = await create('Hej {{record.name}}!');
    expect(created.status).toBe(201);
    expect(await render(created.body.id).then((r) => r.body)).toEqual({
      body: 'Hej Ada Lovelace!', encoding: 'GSM-7', segments: 1, missing: [],
      // The customer's time by the record's mobile (quiet hours are off here: never quiet).
      customerTime: { localTime: '01:00', timeZone: 'America/Los_Angeles', quiet: false },
    });
  });

  it('renders seller and record fields', async () => {
    const created = await create('{{seller.name}} here, reaching you on {{ record.mobile }}');
    expect((await render(created.body.id)).body.body).toBe('Alice here, reaching you on +14255559100');
  });

  it('reports UCS-2 and the right segment count for a body with an emoji', async () => {
    const created = await create(`Hej {{record.name}} 👋 ${'x'.repeat(60)}`);
    expect((await render(created.body.id)).body).toMatchObject({ encoding: 'UCS-2', segments: 2 });
  });

  it('counts 160 GSM-7 characters as 1 segment and 161 as 2', async () => {
    expect((await render((await create('a'.repeat(160))).body.id)).body).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect((await render((await create('a'.repeat(161))).body.id)).body).toMatchObject({ encoding: 'GSM-7', segments: 2 });
  });

  it('refuses an unknown placeholder with 400 UnknownPlaceholder, on create and update', async () => {
    const refused = await create('Hi {{record.favouriteColour}} and {{customer.name}}');
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'UnknownPlaceholder', details: { unknown: ['record.favouriteColour', 'customer.name'] } });
    const created = await create('fine');
    const update = await call(api, 'PUT', `/templates/${created.body.id}`, { as: alice, body: { name: 'x', body: '{{nope}}' } });
    expect(update.status).toBe(400);
    expect(update.body.error.code).toBe('UnknownPlaceholder');
  });

  it('lists, updates and deletes; a seller without the role cannot write', async () => {
    const created = await create('Before', 'zz-last');
    expect((await call(api, 'PUT', `/templates/${created.body.id}`, { as: alice, body: { name: 'zz-last', body: 'After' } })).body.body).toBe('After');
    const listed = await call(api, 'GET', '/templates', { as: { sub: 'reader' } });
    expect(listed.body.items.some((tpl: { id: string; body: string }) => tpl.id === created.body.id && tpl.body === 'After')).toBe(true);
    expect((await call(api, 'POST', '/templates', { as: { sub: 'reader' }, body: { name: 'n', body: 'b' } })).status).toBe(403);
    expect((await call(api, 'DELETE', `/templates/${created.body.id}`, { as: admin })).status).toBe(204);
    expect((await call(api, 'DELETE', `/templates/${created.body.id}`, { as: admin })).status).toBe(404);
  });

  it('sends a message from a template', async () => {
    const created = await create('Hej {{record.name}}, {{seller.name}} here.');
    const outbound = createOutbound(t, () => new SandboxProvider());
    const sent = await call(outbound, 'POST', '/messages', { as: alice, body: { record: { type: 'contact', id: 'ada' }, from: '+14255559001', templateId: created.body.id } });
    expect(sent.status).toBe(202);
    expect(sent.body).toMatchObject({ body: 'Hej Ada Lovelace, Alice here.', templateId: created.body.id, status: 'sent' });
  });
});

describe('templates that never send "Hi ,"', () => {
  it('a default after | fills an empty or missing field', async () => {
    const created = await create('Hi {{record.phone|there}}, {{ record.name | friend }}!');
    expect((await render(created.body.id)).body).toMatchObject({ body: 'Hi there, Ada Lovelace!', missing: [] });
  });

  it('render lists the placeholders with no value and no default', async () => {
    const created = await create('Hi {{record.phone}} {{record.business}} {{record.phone}}');
    expect((await render(created.body.id)).body).toMatchObject({ missing: ['record.phone', 'record.business'] });
  });

  it('a send that would go out with an empty placeholder is refused: 400 MissingPlaceholderValue naming it, nothing stored, nothing sent', async () => {
    const created = await create('Hi {{record.phone}}, about your order');
    const sandbox = new SandboxProvider();
    const outbound = createOutbound(t, () => sandbox);
    const before = (await call(api, 'GET', '/records/contact/ada/conversations', { as: alice })).body.items;
    const refused = await call(outbound, 'POST', '/messages', { as: alice, body: { record: { type: 'contact', id: 'ada' }, from: '+14255559001', templateId: created.body.id } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'MissingPlaceholderValue', details: { placeholders: ['record.phone'] } });
    expect(sandbox.outbox).toEqual([]);
    expect((await call(api, 'GET', '/records/contact/ada/conversations', { as: alice })).body.items).toEqual(before);
  });

  it('recordTypes: ?recordType= lists the templates meant for that type and those meant for any', async () => {
    const forLeads = await call(api, 'POST', '/templates', { as: alice, body: { name: 'Lead intro', body: 'Hi', recordTypes: ['lead'] } });
    const forContacts = await call(api, 'POST', '/templates', { as: alice, body: { name: 'Contact intro', body: 'Hi', recordTypes: ['contact', 'account'] } });
    const forAny = await call(api, 'POST', '/templates', { as: alice, body: { name: 'Any intro', body: 'Hi' } });
    expect(forLeads.body.recordTypes).toEqual(['lead']);
    const ids = async (type: string) => (await call(api, 'GET', `/templates?limit=100&recordType=${type}`, { as: alice })).body.items.map((x: { id: string }) => x.id);
    const contacts = await ids('contact');
    expect(contacts).toContain(forContacts.body.id);
    expect(contacts).toContain(forAny.body.id);
    expect(contacts).not.toContain(forLeads.body.id);
    expect(await ids('lead')).not.toContain(forContacts.body.id);
    expect((await call(api, 'GET', '/templates?recordType=planet', { as: alice })).status).toBe(400);
  });
});

describe('body or template', () => {
  it('refuses both at once, and neither', async () => {
    const created = await create('Hej {{record.name}}');
    const outbound = createOutbound(t, () => new SandboxProvider());
    const both = await call(outbound, 'POST', '/messages', { as: alice, body: { record: { type: 'contact', id: 'ada' }, from: '+14255559001', templateId: created.body.id, body: 'and text' } });
    expect(both.status).toBe(400);
    expect(both.body.error.code).toBe('ValidationError');
    const neither = await call(outbound, 'POST', '/messages', { as: alice, body: { record: { type: 'contact', id: 'ada' }, from: '+14255559001' } });
    expect(neither.status).toBe(400);
    expect(neither.body.error.code).toBe('ValidationError');
  });
});

describe('look-alike template names', () => {
  it('stores a name cleaned of invisible characters, and refuses one that looks like an existing name (409)', async () => {
    const create = (name: string) => call(api, 'POST', '/templates', { as: alice, body: { name, body: 'Hello {{record.name}}' } });
    const original = await create('Look-alike Offer');
    expect(original.status).toBe(201);
    for (const lookalike of ['Look-alike Offer\u200b', 'Look-alike \u041effer', 'LOOK-ALIKE OFFER', 'Look\u2011alike Offer'.replace('\u2011', '-'), 'Look-a1ike Offer', '\u202eLook-alike Offer']) {
      const refused = await create(lookalike);
      expect(refused.status, JSON.stringify(lookalike)).toBe(409);
      expect(refused.body.error.code).toBe('Conflict');
    }
    const cleaned = await create('Spring\u200b\u200d  sale\u2066');
    expect(cleaned.status).toBe(201);
    expect(cleaned.body.name).toBe('Spring sale');
    expect((await create('\u200b\u200b')).status).toBe(400);
  });
});
