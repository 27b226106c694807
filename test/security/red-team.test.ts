import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { createHandler as createRecordSync } from '../../functions/record-sync/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { logger } from '../../shared/observability';

/**
 * The red team's attacks, each sent as the attacker would send it, asserting the refusal and that
 * nothing leaked or changed. Cast: alice (salesperson, team A) owns the records; mallory
 * (salesperson, alone) owns nothing of theirs; bob (salesperson, alone) has a number that texted
 * alice's customers; rolf (team A, no salesperson role) sees team A's conversations.
 */
const N = { alice: '+14255571001', mallory: '+14255571002', bob: '+14255571003', teamA: '+14255571004' };
const C = { victim: '+14255572001', victimDesk: '+14255572002', shared: '+14255572003', teamCustomer: '+14255572004' };
const as = (sub: string, groups?: string[]): Identity => ({ sub, ...(groups ? { groups } : {}) });

let t: TestTable;
let sellerApi: ReturnType<typeof createSellerApi>;
let outbound: ReturnType<typeof createOutbound>;
let reassignment: ReturnType<typeof createReassignment>;
let directory: ReturnType<typeof createDirectory>;
let sandbox: SandboxProvider;
let receive: ReturnType<typeof inboundSender>;
const conversationIds: Record<string, string> = {};

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('teamA');
  await org.seller('alice', { teamIds: ['teamA'], name: 'Alice' });
  await org.seller('mallory', { name: 'Mallory' });
  await org.seller('bob', { name: 'Bob' });
  await org.seller('rolf', { teamIds: ['teamA'], roles: [], name: 'Rolf' });
  await org.number(N.alice, { type: 'seller', id: 'alice' });
  await org.number(N.mallory, { type: 'seller', id: 'mallory' });
  await org.number(N.bob, { type: 'seller', id: 'bob' });
  await org.number(N.teamA, { type: 'team', id: 'teamA' });
  await org.record('contact', 'victim', { name: 'Victoria Secretson', mobile: C.victim, phone: C.victimDesk, ownerId: 'alice' });
  await org.record('contact', 'bobs-contact', { name: 'Bob Contact', mobile: '+14255572009', ownerId: 'bob', });
  await org.record('opportunity', 'deal', { name: 'Secret deal', mobile: C.shared, ownerId: 'alice', contactIds: ['bobs-contact'] });
  await org.record('contact', 'team-contact', { name: 'Team Contact', mobile: C.teamCustomer, owningTeamId: 'teamA' });
  sandbox = new SandboxProvider();
  sellerApi = createSellerApi(t);
  outbound = createOutbound(t, () => sandbox);
  reassignment = createReassignment(t);
  directory = createDirectory(t);
  receive = inboundSender(t);
  // The deal's customer texted bob's number: bob sees that conversation, not the deal itself.
  await receive({ from: C.shared, to: N.bob, body: 'About the deal, call me' });
  await receive({ from: C.teamCustomer, to: N.teamA, body: 'Private question for the team' });
  const all = (await call(sellerApi, 'GET', '/me/conversations', { as: admin })).body.items as { id: string; customerNumber: string }[];
  for (const c of all) conversationIds[c.customerNumber] = c.id;
});

const outboxSize = () => sandbox.outbox.length;
const conversationsOf = async (type: string, id: string) => (await call(sellerApi, 'GET', `/records/${type}/${id}/conversations`, { as: admin })).body.items as unknown[];

describe('High: send to any record', () => {
  it('mallory cannot text alice\'s customer: 404, nothing sent, nothing stored, no field in the answer', async () => {
    const before = outboxSize();
    const attempts = [
      { record: { type: 'contact', id: 'victim' }, from: N.mallory, body: 'Your parcel is held, pay here' },
      { record: { type: 'contact', id: 'victim' }, from: N.mallory, to: C.victim, body: 'x' },
      { record: { type: 'contact', id: 'victim' }, from: N.mallory, to: '+14255579999', body: 'x' },
      { record: { type: 'contact', id: 'victim' }, from: N.mallory, phoneField: 'business', body: 'x' },
    ];
    for (const body of attempts) {
      const response = await call(outbound, 'POST', '/messages', { as: as('mallory'), body });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NotFound');
      expect(JSON.stringify(response.body)).not.toMatch(/Victoria|2572001|2572002/);
    }
    // Exactly as for a record that does not exist.
    const missing = await call(outbound, 'POST', '/messages', { as: as('mallory'), body: { record: { type: 'contact', id: 'no-such' }, from: N.mallory, body: 'x' } });
    expect(missing.body.error.code).toBe('NotFound');
    expect(outboxSize()).toBe(before);
    expect(await conversationsOf('contact', 'victim')).toEqual([]);
  });

  it('a seller who sees a conversation on a record texts only that conversation\'s number, and learns no other field', async () => {
    const sent = await call(outbound, 'POST', '/messages', { as: as('bob'), body: { record: { type: 'opportunity', id: 'deal' }, from: N.bob, body: 'Calling you at 3' } });
    expect(sent.status).toBe(202);
    expect(sent.body.to).toBe(C.shared);
    // A template that would print the record's fields is refused for a record bob may not read.
    const template = await call(sellerApi, 'POST', '/templates', { as: as('alice'), body: { name: 'Deal name', body: 'About {{record.name}}' } });
    const templated = await call(outbound, 'POST', '/messages', { as: as('bob'), body: { record: { type: 'opportunity', id: 'deal' }, from: N.bob, templateId: template.body.id } });
    expect(templated.status).toBe(403);
    expect(JSON.stringify(templated.body)).not.toContain('Secret deal');
  });
});

describe('Admin by group name', () => {
  it.each([['sales,admin'], ['admins'], ['Admin']])('a member of group %s is not an administrator', async (group) => {
    const response = await call(directory, 'PUT', '/directory/sellers/mallory', { as: as('mallory', [group]), body: { name: 'Mallory', teamIds: ['teamA'], roles: ['salesperson'] } });
    expect(response.status).toBe(403);
    const seller = await call(directory, 'PUT', '/directory/sellers/probe', { as: as('mallory', [group]), body: { name: 'x', teamIds: [], roles: [] } });
    expect(seller.status).toBe(403);
  });

  it('an exact "admin" group among others still is', async () => {
    const response = await call(directory, 'PUT', '/directory/teams/teamB', { as: as('ops', ['sales', 'admin']), body: { name: 'Team B' } });
    expect(response.status).toBe(200);
  });
});

describe('Record leaks and oracles', () => {
  it('an existing record mallory may not read answers exactly like a missing one on every record route', async () => {
    for (const path of ['/records/contact/victim', '/records/contact/victim/conversations', '/records/contact/victim/related']) {
      const handler = path.endsWith('/victim') ? directory : sellerApi;
      const existing = await call(handler, 'GET', path, { as: as('mallory') });
      const missing = await call(handler, 'GET', path.replace('victim', 'nobody-here'), { as: as('mallory') });
      expect(existing.status, path).toBe(404);
      expect(missing.status, path).toBe(404);
      expect(existing.body.error.code).toBe(missing.body.error.code);
    }
  });

  it('related opportunities seen only through a conversation show as {type, id}, never their fields', async () => {
    const response = await call(sellerApi, 'GET', '/records/contact/bobs-contact/related', { as: as('bob') });
    expect(response.status).toBe(200);
    expect(response.body.items).toHaveLength(1);
    expect(response.body.items[0].record).toEqual({ type: 'opportunity', id: 'deal' });
    expect(response.body.items[0].conversations.map((c: { id: string }) => c.id)).toContain(conversationIds[C.shared]);
    // The conversation names its record (contract: whoever sees a conversation sees whom it is with); nothing else of the record.
    expect(response.body.items[0].conversations.every((c: { recordName: string }) => c.recordName === 'Secret deal')).toBe(true);
    expect(JSON.stringify({ ...response.body, items: response.body.items.map((i: { record: unknown }) => i.record) })).not.toMatch(/Secret deal|ownerId|alice/);
    expect(JSON.stringify(response.body)).not.toMatch(/ownerId|"alice"/);
  });

  it('filtering a record bob may not read by phone field answers 404 instead of revealing which field holds the number', async () => {
    const response = await call(sellerApi, 'GET', '/records/opportunity/deal/conversations?phoneField=mobile', { as: as('bob') });
    expect(response.status).toBe(404);
  });
});

describe('Role-less sellers read bodies', () => {
  it('rolf sees team A\'s conversations without text, and may not send, reply or move', async () => {
    const id = conversationIds[C.teamCustomer]!;
    const list = await call(sellerApi, 'GET', '/me/conversations', { as: as('rolf') });
    const listed = list.body.items.find((c: { id: string }) => c.id === id);
    expect(listed.withheld).toBe(true);
    expect(listed).not.toHaveProperty('lastMessagePreview');
    const one = await call(sellerApi, 'GET', `/conversations/${id}`, { as: as('rolf') });
    expect(one.body.withheld).toBe(true);
    expect(one.body).not.toHaveProperty('lastMessagePreview');
    const messages = await call(sellerApi, 'GET', `/conversations/${id}/messages`, { as: as('rolf') });
    expect(messages.body.items.length).toBeGreaterThan(0);
    for (const m of messages.body.items) {
      expect(m.withheld).toBe(true);
      expect(m).not.toHaveProperty('body');
    }
    const onRecord = await call(sellerApi, 'GET', '/records/contact/team-contact/conversations', { as: as('rolf') });
    expect(JSON.stringify(onRecord.body)).not.toContain('Private question');
    expect(JSON.stringify([list.body, one.body, messages.body])).not.toContain('Private question');

    const before = outboxSize();
    const reply = await call(outbound, 'POST', `/conversations/${id}/messages`, { as: as('rolf'), body: { body: 'hi' } });
    expect(reply.status).toBe(403);
    expect(reply.body.error.code).toBe('InsufficientPrivileges');
    const move = await call(reassignment, 'POST', `/conversations/${id}/move`, { as: as('rolf'), body: { record: { type: 'contact', id: 'team-contact' } } });
    expect(move.status).toBe(403);
    expect(outboxSize()).toBe(before);
  });

  it('alice, a salesperson of the same team, reads the text', async () => {
    const messages = await call(sellerApi, 'GET', `/conversations/${conversationIds[C.teamCustomer]}/messages`, { as: as('alice') });
    expect(messages.body.items[0].body).toBe('Private question for the team');
    expect(messages.body.items[0]).not.toHaveProperty('withheld');
  });
});

describe('Templates have an owner', () => {
  it('mallory cannot rewrite or delete alice\'s template into a phishing text', async () => {
    const created = await call(sellerApi, 'POST', '/templates', { as: as('alice'), body: { name: 'Welcome', body: 'Hi {{record.name}}, Alice here.' } });
    expect(created.status).toBe(201);
    expect(created.body.createdBy).toBe('alice');
    const id = created.body.id as string;
    const edit = await call(sellerApi, 'PUT', `/templates/${id}`, { as: as('mallory'), body: { name: 'Welcome', body: 'Your account is locked: evil.example/login' } });
    expect(edit.status).toBe(403);
    const remove = await call(sellerApi, 'DELETE', `/templates/${id}`, { as: as('mallory') });
    expect(remove.status).toBe(403);
    const list = await call(sellerApi, 'GET', '/templates?limit=100', { as: as('alice') });
    expect(list.body.items.find((x: { id: string }) => x.id === id).body).toBe('Hi {{record.name}}, Alice here.');
    // Its creator and an admin may.
    expect((await call(sellerApi, 'PUT', `/templates/${id}`, { as: as('alice'), body: { name: 'Welcome', body: 'Hello {{record.name}}' } })).status).toBe(200);
    expect((await call(sellerApi, 'PUT', `/templates/${id}`, { as: admin, body: { name: 'Welcome', body: 'Hello again {{record.name}}' } })).status).toBe(200);
  });

  it('a look-alike name is refused, case-insensitively (409), and a freed name can be taken again', async () => {
    const first = await call(sellerApi, 'POST', '/templates', { as: as('alice'), body: { name: 'Pricing', body: 'Our prices' } });
    const clash = await call(sellerApi, 'POST', '/templates', { as: as('mallory'), body: { name: 'PRICING', body: 'Pay here: evil.example' } });
    expect(clash.status).toBe(409);
    expect(clash.body.error.code).toBe('Conflict');
    const other = await call(sellerApi, 'POST', '/templates', { as: as('mallory'), body: { name: 'Mine', body: 'x' } });
    const rename = await call(sellerApi, 'PUT', `/templates/${other.body.id}`, { as: as('mallory'), body: { name: 'pricing', body: 'x' } });
    expect(rename.status).toBe(409);
    expect((await call(sellerApi, 'DELETE', `/templates/${first.body.id}`, { as: as('alice') })).status).toBe(204);
    expect((await call(sellerApi, 'PUT', `/templates/${other.body.id}`, { as: as('mallory'), body: { name: 'pricing', body: 'x' } })).status).toBe(200);
  });
});

describe('500s from input', () => {
  it('a 3,000-character conversation id answers 404 on every conversation route', async () => {
    const id = 'A'.repeat(3000);
    expect((await call(sellerApi, 'GET', `/conversations/${id}`, { as: admin })).status).toBe(404);
    expect((await call(sellerApi, 'GET', `/conversations/${id}/messages`, { as: admin })).status).toBe(404);
    expect((await call(outbound, 'POST', `/conversations/${id}/messages`, { as: admin, body: { body: 'x' } })).status).toBe(404);
    expect((await call(reassignment, 'POST', `/conversations/${id}/move`, { as: admin, body: { record: { type: 'contact', id: 'victim' } } })).status).toBe(404);
  });

  it('PUT /directory/numbers/%25 answers 400 InvalidPhoneNumber', async () => {
    const response = await call(directory, 'PUT', '/directory/numbers/%25', { as: admin, body: { assignedTo: { type: 'seller', id: 'alice' }, provider: 'sandbox' } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('InvalidPhoneNumber');
  });
});

describe('Record sync trusts any event', () => {
  it('a RecordUpserted event from another source changes nothing', async () => {
    const sync = createRecordSync(t);
    const event = {
      version: '0', id: 'evt-evil', 'detail-type': 'RecordUpserted', source: 'attacker.app', account: '123456789012', time: '2026-11-01T00:00:00Z', region: 'us-east-1', resources: [],
      detail: { type: 'contact', id: 'victim', name: 'Victoria', mobile: C.victim, ownerId: 'mallory', state: 'active', modifiedAt: '2030-01-01T00:00:00Z' },
    };
    const outcome = await sync(event as never, lambdaContext);
    expect(outcome).toMatchObject({ applied: false });
    const record = await call(directory, 'GET', '/records/contact/victim', { as: admin });
    expect(record.body.ownerId).toBe('alice');
    expect((await call(directory, 'GET', '/records/contact/victim', { as: as('mallory') })).status).toBe(404);
  });
});

describe('PII in logs', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    logger.setLogLevel('CRITICAL');
  });

  it('no phone number or message body reaches a log line', async () => {
    logger.setLogLevel('DEBUG');
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const sync = createRecordSync(t);
    await sync({ version: '0', id: 'evt-bad-phone', 'detail-type': 'RecordUpserted', source: 'crm', account: '1', time: '2026-11-01T00:00:00Z', region: 'us-east-1', resources: [], detail: { type: 'contact', id: 'p1', name: 'P', mobile: '(425) 555-01999', state: 'active' } } as never, lambdaContext);
    // Inbound to a number missing from the directory is logged (with the number masked).
    await receive({ from: '+14255573001', to: '+14255573999', body: 'my card number is in this text' });
    logger.error('an error quoting a number', { error: new Error('send to +14255573001 failed'), detail: 'from 425-555-3001' });
    const output = lines.join('');
    expect(output.length).toBeGreaterThan(0);
    expect(output).toContain('RecordUpserted event rejected');
    expect(output).toContain('…3999');
    for (const secret of ['555-01999', '55501999', '4255573001', '4255573999', '425-555-3001', 'my card number']) expect(output).not.toContain(secret);
  });
});
