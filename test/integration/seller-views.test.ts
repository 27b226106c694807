import { beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { racedBefore } from '../helpers/interleave';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier, NOTIFIER_MAPPING } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';

/**
 * Three sellers, two teams, personal and team numbers, records owned by sellers, by a team and by
 * nobody. Each conversation below is visible exactly to the sellers listed by the contract's rule.
 */
const N = { s1: '+14255561001', teamA: '+14255561002', s3: '+14255561003', teamB: '+14255561004' };
const conversationsPlan = [
  { name: 'c1', record: ['contact', 'r1'], customer: '+14255562001', via: N.s3, visibleTo: ['s1', 's3'] }, // r1 owned by s1; number of s3
  { name: 'c2', record: ['lead', 'r5'], customer: '+14255562005', via: N.teamA, visibleTo: ['s1', 's2'] }, // unowned record; team A number
  { name: 'c3', record: ['account', 'r3'], customer: '+14255562003', via: N.s1, visibleTo: ['s1', 's3'] }, // r3 owned by team B; number of s1
  { name: 'c4', record: ['opportunity', 'r2'], customer: '+14255562002', via: N.teamB, visibleTo: ['s2', 's3'] }, // r2 owned by s2; team B number
  { name: 'c5', record: ['lead', 'r5'], customer: '+14255562005', via: N.s3, visibleTo: ['s3'] },
] as const;
const sellers = ['s1', 's2', 's3'] as const;
/** Who may read each record (owner or owning team's members). */
const readableBy: Record<string, string[]> = { r1: ['s1'], r2: ['s2'], r3: ['s3'], r4: ['s3'], r5: [] };

let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let move: ReturnType<typeof createReassignment>;
let receive: ReturnType<typeof inboundSender>;
const ids: Record<string, string> = {};
const as = (sub: string): Identity => ({ sub });

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('teamA');
  await org.team('teamB');
  await org.seller('s1', { teamIds: ['teamA'] });
  await org.seller('s2', { teamIds: ['teamA'] });
  await org.seller('s3', { teamIds: ['teamB'] });
  await org.number(N.s1, { type: 'seller', id: 's1' });
  await org.number(N.teamA, { type: 'team', id: 'teamA' });
  await org.number(N.s3, { type: 'seller', id: 's3' });
  await org.number(N.teamB, { type: 'team', id: 'teamB' });
  await org.record('contact', 'r1', { mobile: '+14255562001', ownerId: 's1' });
  await org.record('opportunity', 'r2', { mobile: '+14255562002', ownerId: 's2' });
  await org.record('account', 'r3', { business: '+14255562003', owningTeamId: 'teamB' });
  await org.record('contact', 'r4', { mobile: '+14255562004', ownerId: 's3' });
  await org.record('lead', 'r5', { mobile: '+14255562005' });
  api = createSellerApi(t);
  move = createReassignment(t);
  receive = inboundSender(t);
  for (const [i, c] of conversationsPlan.entries()) {
    t.clock.set(`2026-11-02T10:0${i}:00.000Z`);
    await receive({ from: c.customer, to: c.via, body: `hello ${c.name}` });
  }
  const all = await call(api, 'GET', '/me/conversations', { as: admin });
  for (const c of conversationsPlan) ids[c.name] = all.body.items.find((x: { businessNumber: string; customerNumber: string }) => x.businessNumber === c.via && x.customerNumber === c.customer).id;
});

describe('visibility, route by route (table-driven)', () => {
  const expected = (seller: string) => conversationsPlan.filter((c) => (c.visibleTo as readonly string[]).includes(seller)).map((c) => c.name).sort();
  const names = (items: { id: string }[]) => items.map((i) => Object.keys(ids).find((k) => ids[k] === i.id)).sort();

  it.each(sellers)('GET /me/conversations: %s sees exactly what the rule allows', async (seller) => {
    expect(names((await call(api, 'GET', '/me/conversations', { as: as(seller) })).body.items)).toEqual(expected(seller));
  });

  it('an admin sees every conversation', async () => {
    expect(names((await call(api, 'GET', '/me/conversations', { as: admin })).body.items)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
  });

  it.each(sellers)('GET /records/{type}/{id}/conversations: %s sees only visible ones', async (seller) => {
    for (const [type, id] of [['contact', 'r1'], ['opportunity', 'r2'], ['account', 'r3'], ['lead', 'r5']]) {
      const response = await call(api, 'GET', `/records/${type}/${id}/conversations`, { as: as(seller) });
      const onRecord = conversationsPlan.filter((c) => c.record[1] === id && (c.visibleTo as readonly string[]).includes(seller)).map((c) => c.name).sort();
      // A record the seller can neither read nor see a conversation of answers as if it did not exist.
      if (onRecord.length === 0 && !readableBy[id!]?.includes(seller)) {
        expect(response.status, `${seller} ${type}/${id}`).toBe(404);
        continue;
      }
      expect(names(response.body.items), `${seller} ${type}/${id}`).toEqual(onRecord);
    }
  });

  it.each(sellers)('GET /conversations/{id} and its messages: %s gets 200 or 404 by the rule', async (seller) => {
    for (const c of conversationsPlan) {
      const visible = (c.visibleTo as readonly string[]).includes(seller);
      const one = await call(api, 'GET', `/conversations/${ids[c.name]}`, { as: as(seller) });
      expect(one.status, `${seller} ${c.name}`).toBe(visible ? 200 : 404);
      const messages = await call(api, 'GET', `/conversations/${ids[c.name]}/messages`, { as: as(seller) });
      expect(messages.status).toBe(visible ? 200 : 404);
      if (visible) expect(messages.body.items.map((m: { body: string }) => m.body)).toEqual([`hello ${c.name}`]);
      else expect(messages.body).toEqual({ error: { code: 'NotFound', message: expect.any(String) } });
    }
  });

  it('POST /conversations/{id}/move: an invisible conversation or target answers 404', async () => {
    expect((await call(move, 'POST', `/conversations/${ids.c4}/move`, { as: as('s1'), body: { record: { type: 'contact', id: 'r1' } } })).status).toBe(404);
    expect((await call(move, 'POST', `/conversations/${ids.c1}/move`, { as: as('s1'), body: { record: { type: 'contact', id: 'r4' } } })).status).toBe(404);
  });

  it('the phoneField filter keeps the conversations with that field\'s number', async () => {
    expect(names((await call(api, 'GET', '/records/lead/r5/conversations?phoneField=mobile', { as: admin })).body.items)).toEqual(['c2', 'c5']);
    expect((await call(api, 'GET', '/records/lead/r5/conversations?phoneField=phone', { as: admin })).body.items).toEqual([]);
  });

  it('GET /records/contact/{id}/related lists the opportunities naming the contact', async () => {
    const org = new OrgBuilder(t);
    await org.record('opportunity', 'r2', { mobile: '+14255562002', ownerId: 's2', contactIds: ['r1'] });
    // s3 sees c1 on r1 (through s3's number) and c4 on r2 (team B's number) but owns neither record.
    const related = await call(api, 'GET', '/records/contact/r1/related', { as: as('s3') });
    expect(related.body.items).toHaveLength(1);
    expect(related.body.items[0].record).toEqual({ type: 'opportunity', id: 'r2' });
    expect(names(related.body.items[0].conversations)).toEqual(['c4']);
    // An admin reads r2 in full.
    expect((await call(api, 'GET', '/records/contact/r1/related', { as: admin })).body.items[0].record).toMatchObject({ type: 'opportunity', id: 'r2', contactIds: ['r1'] });
    // s1 owns r1 but neither owns r2 nor sees a conversation of it.
    expect((await call(api, 'GET', '/records/contact/r1/related', { as: as('s1') })).body.items).toEqual([]);
    // s2 can neither read r1 nor see a conversation on it: 404, as for a missing contact.
    expect((await call(api, 'GET', '/records/contact/r1/related', { as: as('s2') })).status).toBe(404);
  });
});

describe('moving a conversation', () => {
  it('moves 150 messages from a contact to an opportunity; none lost or doubled; the next reply lands on the opportunity', async () => {
    const org = new OrgBuilder(t);
    const customer = '+14255563001';
    await org.record('contact', 'mv-contact', { mobile: customer, ownerId: 's1' });
    await org.record('opportunity', 'mv-opp', { name: 'Big deal', ownerId: 's1' });
    for (let i = 0; i < 150; i++) {
      t.clock.set(new Date(Date.UTC(2026, 10, 3, 9, 0, i)).toISOString());
      await receive({ from: customer, to: N.s1, body: `m${i}`, id: `mv-${i}` });
    }
    const [conversation] = (await call(api, 'GET', '/records/contact/mv-contact/conversations', { as: as('s1') })).body.items;
    const moved = await call(move, 'POST', `/conversations/${conversation.id}/move`, { as: as('s1'), body: { record: { type: 'opportunity', id: 'mv-opp' } } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ id: conversation.id, record: { type: 'opportunity', id: 'mv-opp' } });

    const bodies: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(api, 'GET', `/conversations/${conversation.id}/messages?limit=40${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: as('s1') });
      bodies.push(...page.body.items.map((m: { body: string }) => m.body));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(bodies).toHaveLength(150);
    expect(new Set(bodies).size).toBe(150);
    expect(bodies[0]).toBe('m149');
    expect((await call(api, 'GET', '/records/contact/mv-contact/conversations', { as: as('s1') })).body.items).toEqual([]);
    expect((await call(api, 'GET', '/records/opportunity/mv-opp/conversations', { as: as('s1') })).body.items.map((c: { id: string }) => c.id)).toEqual([conversation.id]);

    t.clock.set('2026-11-03T10:00:00.000Z');
    await receive({ from: customer, to: N.s1, body: 'reply after the move' });
    const after = await call(api, 'GET', '/records/opportunity/mv-opp/conversations', { as: as('s1') });
    expect(after.body.items[0]).toMatchObject({ id: conversation.id, lastMessagePreview: 'reply after the move' });
  });

  it('merges into the target\'s existing conversation with the customer on that number', async () => {
    const org = new OrgBuilder(t);
    const customer = '+14255563002';
    await org.record('contact', 'mg-a', { mobile: customer, ownerId: 's1' });
    await org.record('lead', 'mg-b', { mobile: customer, ownerId: 's1' });
    for (let i = 0; i < 35; i++) {
      t.clock.set(new Date(Date.UTC(2026, 10, 4, 9, 0, i)).toISOString());
      await receive({ from: customer, to: N.s1, body: `a${i}`, id: `mg-a-${i}` });
    }
    const [onContact] = (await call(api, 'GET', '/records/contact/mg-a/conversations', { as: as('s1') })).body.items;
    await call(move, 'POST', `/conversations/${onContact.id}/move`, { as: as('s1'), body: { record: { type: 'lead', id: 'mg-b' } } });
    // A new conversation with the same customer on the same number, on the contact again.
    t.clock.set('2026-11-04T10:00:00.000Z');
    const outbound = createOutbound(t, () => new SandboxProvider());
    const sent = await call(outbound, 'POST', '/messages', { as: as('s1'), body: { record: { type: 'contact', id: 'mg-a' }, from: N.s1, body: 'new thread on the contact' } });
    expect(sent.body.conversationId).not.toBe(onContact.id);

    const merged = await call(move, 'POST', `/conversations/${sent.body.conversationId}/move`, { as: as('s1'), body: { record: { type: 'lead', id: 'mg-b' } } });
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ id: onContact.id, record: { type: 'lead', id: 'mg-b' }, lastMessagePreview: 'new thread on the contact' });
    const messages = await call(api, 'GET', `/conversations/${onContact.id}/messages?limit=100`, { as: as('s1') });
    expect(messages.body.items).toHaveLength(36);
    expect(messages.body.items[0]).toMatchObject({ body: 'new thread on the contact', conversationId: onContact.id });
    expect((await call(api, 'GET', '/records/lead/mg-b/conversations', { as: as('s1') })).body.items.map((c: { id: string }) => c.id)).toEqual([onContact.id]);
    expect((await call(api, 'GET', '/records/contact/mg-a/conversations', { as: as('s1') })).body.items).toEqual([]);
    // The merged-away id still resolves, to the conversation it became part of.
    expect((await call(api, 'GET', `/conversations/${sent.body.conversationId}`, { as: as('s1') })).body.id).toBe(onContact.id);
  });

  it('finishes a merge when a message reaches the target half-way', async () => {
    const org = new OrgBuilder(t);
    const customer = '+14255563003';
    await org.record('contact', 'mh-a', { mobile: customer, ownerId: 's1' });
    await org.record('lead', 'mh-b', { mobile: customer, ownerId: 's1' });
    const outbound = createOutbound(t, () => new SandboxProvider());
    const sendTo = (record: { type: string; id: string }, body: string) => call(outbound, 'POST', '/messages', { as: as('s1'), body: { record, from: N.s1, body } });
    t.clock.set('2026-11-05T09:00:00.000Z');
    const target = (await sendTo({ type: 'lead', id: 'mh-b' }, 'on the lead')).body.conversationId as string;
    t.clock.set('2026-11-05T09:01:00.000Z');
    const source = (await sendTo({ type: 'contact', id: 'mh-a' }, 'on the contact')).body.conversationId as string;
    const race = racedBefore(t.db, (command) => command instanceof TransactWriteCommand, () => {
      t.clock.set('2026-11-05T09:02:00.000Z');
      return sendTo({ type: 'lead', id: 'mh-b' }, 'on the lead, during the merge');
    });
    const merged = await call(createReassignment({ ...t, db: race.db }), 'POST', `/conversations/${source}/move`, { as: as('s1'), body: { record: { type: 'lead', id: 'mh-b' } } });
    expect(race.happened()).toBe(true);
    expect(merged.status).toBe(200);
    expect(merged.body).toMatchObject({ id: target, lastMessageAt: '2026-11-05T09:02:00.000Z', lastMessagePreview: 'on the lead, during the merge' });
    const messages = await call(api, 'GET', `/conversations/${target}/messages?limit=100`, { as: as('s1') });
    expect(messages.body.items.map((m: { body: string }) => m.body)).toEqual(['on the lead, during the merge', 'on the contact', 'on the lead']);
  });
});

describe('pagination', () => {
  it('pages through 120 conversations exactly once, newest first; a tampered cursor answers 400', async () => {
    const org = new OrgBuilder(t);
    await org.seller('pager');
    await org.number('+14255564000', { type: 'seller', id: 'pager' });
    for (let i = 0; i < 120; i++) {
      t.clock.set(new Date(Date.UTC(2026, 10, 5, 8, 0, i)).toISOString());
      await receive({ from: `+1425556${String(5000 + i)}`, to: '+14255564000', body: `conv ${i}` });
    }
    const seen: { id: string; lastMessageAt: string }[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await call(api, 'GET', `/me/conversations?limit=25${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: as('pager') });
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(5);
    expect(seen).toHaveLength(120);
    expect(new Set(seen.map((c) => c.id)).size).toBe(120);
    expect(seen.map((c) => c.lastMessageAt)).toEqual([...seen.map((c) => c.lastMessageAt)].sort().reverse());

    const first = await call(api, 'GET', '/me/conversations?limit=25', { as: as('pager') });
    const [payload, signature] = first.body.nextCursor.split('.');
    const forged = Buffer.from(JSON.stringify('9999-12-31T00:00:00.000Z#ZZZ')).toString('base64url');
    for (const bad of [`${forged}.${signature}`, `${payload}.${signature.slice(0, -2)}AA`, 'garbage', `${payload}`]) {
      const response = await call(api, 'GET', `/me/conversations?cursor=${encodeURIComponent(bad)}`, { as: as('pager') });
      expect(response.status, bad).toBe(400);
      expect(response.body.error.code).toBe('ValidationError');
    }
    // A cursor issued to one seller is refused for another.
    expect((await call(api, 'GET', `/me/conversations?cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: as('s1') })).status).toBe(400);
    expect((await call(api, 'GET', '/me/conversations?limit=0', { as: as('pager') })).status).toBe(400);
  }, 120_000);
});

describe('notification center', () => {
  it('filters unread, marks read, and answers 404 for another seller\'s notification', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'x' });
    const notifier = testNotifier(t);
    await new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING).drain(500);
    const all = await call(api, 'GET', '/me/notifications?limit=100', { as: as('s3') });
    expect(all.body.items.length).toBeGreaterThanOrEqual(4);
    expect(all.body.items[0]).toEqual({
      id: expect.any(String), kind: 'inbound_message', conversationId: expect.any(String), messageId: expect.any(String), createdAt: expect.any(String), read: false,
      preview: expect.any(String), customerNumber: expect.stringMatching(/^\+1/), record: { type: expect.any(String), id: expect.any(String), name: expect.any(String) },
    });
    const target = all.body.items[0];
    const read = await call(api, 'POST', `/me/notifications/${target.id}/read`, { as: as('s3') });
    expect(read.body).toMatchObject({ id: target.id, read: true });
    const unread = await call(api, 'GET', '/me/notifications?unread=true&limit=100', { as: as('s3') });
    expect(unread.body.items.map((n: { id: string }) => n.id)).not.toContain(target.id);
    expect(unread.body.items).toHaveLength(all.body.items.length - 1);
    const other = await call(api, 'POST', `/me/notifications/${target.id}/read`, { as: as('s2') });
    expect(other.status).toBe(404);
    expect(other.body.error.code).toBe('NotFound');
    // The SNS message carries what a push notification shows.
    const published = sns.commandCalls(PublishCommand).map((c) => JSON.parse(c.args[0].input.Message!));
    const pushed = published.find((m) => m.id === target.id);
    expect(pushed).toMatchObject({ kind: 'inbound_message', preview: target.preview, customerNumber: target.customerNumber, record: target.record });
    // Read-all marks the rest, answers how many, and leaves nothing unread.
    const readAll = await call(api, 'POST', '/me/notifications/read-all', { as: as('s3') });
    expect(readAll.body).toEqual({ updated: all.body.items.length - 1 });
    expect((await call(api, 'GET', '/me/notifications?unread=true', { as: as('s3') })).body.items).toEqual([]);
    expect((await call(api, 'POST', '/me/notifications/read-all', { as: as('s3') })).body).toEqual({ updated: 0 });
    sns.restore();
    // It drains the whole file's stream first (hundreds of changes): seconds alone, more on a loaded machine.
  }, 120_000);
});

describe('reassigning a business number', () => {
  it('moves its conversations to the new assignee: the old one stops seeing them, the new one starts', async () => {
    const org = new OrgBuilder(t);
    await org.seller('leaver');
    await org.seller('joiner');
    await org.number('+14255566000', { type: 'seller', id: 'leaver' });
    // A record nobody owns: the number alone decides who sees the conversation.
    await org.record('contact', 'unowned', { mobile: '+14255566100' });
    await receive({ from: '+14255566100', to: '+14255566000', body: 'hello leaver' });
    const before = await call(api, 'GET', '/me/conversations', { as: as('leaver') });
    expect(before.body.items).toHaveLength(1);
    await org.number('+14255566000', { type: 'seller', id: 'joiner' });
    expect((await call(api, 'GET', '/me/conversations', { as: as('leaver') })).body.items).toEqual([]);
    const after = await call(api, 'GET', '/me/conversations', { as: as('joiner') });
    expect(after.body.items).toEqual([{ ...before.body.items[0], assignedTo: { type: 'seller', id: 'joiner' }, assigneeName: 'joiner' }]);
    expect((await call(api, 'GET', `/conversations/${before.body.items[0].id}`, { as: as('leaver') })).status).toBe(404);
  });
});
