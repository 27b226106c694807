import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { inboundSender } from '../helpers/inbound';
import { keys } from '../../shared/store/keys';
import { isOptedOut } from '../../shared/store/items/opt-out';
import { ConversationStore, toConversationState } from '../../shared/store/items/conversation';

let t: TestTable;
let org: OrgBuilder;
let receive: ReturnType<typeof inboundSender>;

const ALICE_NUMBER = '+14255551000';
const TEAM_NUMBER = '+14255551001';
const BOB_NUMBER = '+14255551002';

beforeAll(async () => {
  t = await freshTable();
  org = new OrgBuilder(t);
  receive = inboundSender(t);
  await org.team('east');
  await org.seller('alice');
  await org.seller('bob');
  await org.seller('carol', { teamIds: ['east'] });
  await org.seller('dave', { teamIds: ['east'] });
  await org.number(ALICE_NUMBER, { type: 'seller', id: 'alice' });
  await org.number(TEAM_NUMBER, { type: 'team', id: 'east' });
  await org.number(BOB_NUMBER, { type: 'seller', id: 'bob' });
});

/** Conversations of a customer: the record each one is on, with its message count. */
async function conversationsOf(customer: string) {
  const out = await t.db.send(
    new QueryCommand({
      TableName: t.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :conv)',
      ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':conv': keys.conversationPrefix },
    }),
  );
  return (out.Items ?? []).map((item) => ({ ...toConversationState(item), messageCount: item.messageCount as number }));
}

async function landedOn(customer: string, business: string) {
  const latest = (await conversationsOf(customer)).filter((c) => c.businessNumber === business).sort((a, b) => b.lastMessageAt.localeCompare(a.lastMessageAt))[0];
  return latest && `${latest.record.type}/${latest.record.id}`;
}

describe('inbound routing onto CRM records (contract rules, DynamoDB Local)', () => {
  it('rule 1: the record holding the most recent conversation with B\'s seller wins, on any of their numbers', async () => {
    const customer = '+14255552001';
    await org.record('contact', 'r1-contact', { mobile: customer, ownerId: 'bob' });
    await org.record('lead', 'r1-lead', { mobile: customer, ownerId: 'alice' });
    t.clock.set('2026-11-01T10:00:00Z');
    await receive({ from: customer, to: ALICE_NUMBER, body: 'hi alice' });
    expect(await landedOn(customer, ALICE_NUMBER)).toBe('lead/r1-lead'); // rule 2 at first
    // Now both records belong to bob: rules 2-3 tie and rule 4 would pick the contact; rule 1 keeps the lead.
    await org.record('lead', 'r1-lead', { mobile: customer, ownerId: 'bob' });
    t.clock.set('2026-11-01T11:00:00Z');
    await receive({ from: customer, to: ALICE_NUMBER, body: 'me again' });
    expect(await landedOn(customer, ALICE_NUMBER)).toBe('lead/r1-lead');
  });

  it('rule 2: owned by the seller B is assigned to', async () => {
    const customer = '+14255552002';
    await org.record('contact', 'r2-contact', { phone: customer, ownerId: 'bob' });
    await org.record('lead', 'r2-lead', { mobile: customer, ownerId: 'alice' });
    await receive({ from: customer, to: ALICE_NUMBER, body: 'hello' });
    expect(await landedOn(customer, ALICE_NUMBER)).toBe('lead/r2-lead');
  });

  it('rule 3: owned by a member of B\'s team, or by the team', async () => {
    const customer = '+14255552003';
    await org.record('contact', 'r3-contact', { phone: customer, ownerId: 'bob' });
    await org.record('opportunity', 'r3-opp', { mobile: customer, ownerId: 'carol' });
    await receive({ from: customer, to: TEAM_NUMBER, body: 'hello team' });
    expect(await landedOn(customer, TEAM_NUMBER)).toBe('opportunity/r3-opp');

    const other = '+14255552013';
    await org.record('contact', 'r3b-contact', { phone: other, ownerId: 'bob' });
    await org.record('lead', 'r3b-lead', { mobile: other, owningTeamId: 'east' });
    await receive({ from: other, to: TEAM_NUMBER, body: 'hello team' });
    expect(await landedOn(other, TEAM_NUMBER)).toBe('lead/r3b-lead');
  });

  it('rule 4: contact before account before opportunity before lead', async () => {
    const customer = '+14255552004';
    await org.record('lead', 'r4-lead', { mobile: customer });
    await org.record('opportunity', 'r4-opp', { mobile: customer });
    await org.record('account', 'r4-account', { business: customer });
    await receive({ from: customer, to: ALICE_NUMBER, body: 'which one?' });
    expect(await landedOn(customer, ALICE_NUMBER)).toBe('account/r4-account');
  });

  it('rule 5: active before inactive', async () => {
    const customer = '+14255552005';
    await org.record('contact', 'r5-a-inactive', { phone: customer, state: 'inactive', modifiedAt: '2026-10-05T00:00:00Z' });
    await org.record('contact', 'r5-b-active', { phone: customer, state: 'active', modifiedAt: '2026-10-01T00:00:00Z' });
    await receive({ from: customer, to: ALICE_NUMBER, body: 'hi' });
    expect(await landedOn(customer, ALICE_NUMBER)).toBe('contact/r5-b-active');
  });

  it('rule 6: most recently modified first', async () => {
    const customer = '+14255552006';
    await org.record('contact', 'r6-a-old', { phone: customer, modifiedAt: '2026-10-01T00:00:00Z' });
    await org.record('contact', 'r6-b-new', { phone: customer, modifiedAt: '2026-10-03T00:00:00Z' });
    await receive({ from: customer, to: ALICE_NUMBER, body: 'hi' });
    expect(await landedOn(customer, ALICE_NUMBER)).toBe('contact/r6-b-new');
  });

  it('rule 7: record id ascending', async () => {
    const customer = '+14255552007';
    await org.record('contact', 'r7-b', { phone: customer, modifiedAt: '2026-10-01T00:00:00Z' });
    await org.record('contact', 'r7-a', { phone: customer, modifiedAt: '2026-10-01T00:00:00Z' });
    await receive({ from: customer, to: ALICE_NUMBER, body: 'hi' });
    expect(await landedOn(customer, ALICE_NUMBER)).toBe('contact/r7-a');
  });
});

describe('unknown numbers', () => {
  it('creates one lead owned by the seller the number is assigned to', async () => {
    const customer = '+14255553001';
    await receive({ from: customer, to: ALICE_NUMBER, body: 'who is this?' });
    const [conversation] = await conversationsOf(customer);
    expect(conversation!.record.type).toBe('lead');
    const lead = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.record('lead', conversation!.record.id) }))).Item;
    expect(lead).toMatchObject({ name: customer, mobile: customer, state: 'active', ownerId: 'alice' });
  });

  it('a team number\'s lead is owned by the team', async () => {
    const customer = '+14255553002';
    await receive({ from: customer, to: TEAM_NUMBER, body: 'hello?' });
    const [conversation] = await conversationsOf(customer);
    const lead = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.record('lead', conversation!.record.id) }))).Item;
    expect(lead).toMatchObject({ owningTeamId: 'east', mobile: customer });
    expect(lead!.ownerId).toBeUndefined();
  });

  it('20 first messages sent at once from one unknown number make exactly one lead holding 20 messages', async () => {
    const customer = '+14255553003';
    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => receive({ from: customer, to: ALICE_NUMBER, body: `message ${i}`, id: `burst-${i}` })));
    expect(outcomes).toEqual(Array(20).fill('stored'));
    const records = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)', ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':r': keys.phoneRecordPrefix } }));
    expect(records.Items).toHaveLength(1);
    const conversations = await conversationsOf(customer);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.messageCount).toBe(20);
    const messages = await new ConversationStore(t.db, t.table).messages(conversations[0]!.id, { limit: 100 });
    expect(messages.items.map((m) => m.body).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `message ${i}`).sort());
  });
});

describe('exactly once', () => {
  it('stores the same provider message delivered twice once', async () => {
    const customer = '+14255554001';
    expect(await receive({ from: customer, to: BOB_NUMBER, body: 'once', id: 'dup-1' })).toBe('stored');
    expect(await receive({ from: customer, to: BOB_NUMBER, body: 'once', id: 'dup-1' })).toBe('duplicate');
    const conversations = await conversationsOf(customer);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.messageCount).toBe(1);
    const leads = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)', ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':r': keys.phoneRecordPrefix } }));
    expect(leads.Items).toHaveLength(1);
  });
});

describe('rule 3 with candidates of which only some have an owner', () => {
  it('a team number: the record a team member owns beats an ownerless contact (team members are read whenever any candidate has an owner)', async () => {
    const customer = '+14255552301';
    await org.record('account', 'r3-owned', { business: customer, ownerId: 'carol' });
    await org.record('contact', 'r3-nobody', { mobile: customer });
    await receive({ from: customer, to: TEAM_NUMBER, body: 'hello team' });
    // Rule 4 alone would take the contact; rule 3 takes carol's account first.
    expect(await landedOn(customer, TEAM_NUMBER)).toBe('account/r3-owned');
  });
});

describe('opt-out keywords', () => {
  it('STOP opts the customer out of the number and START opts back in; both messages are stored', async () => {
    const customer = '+14255555001';
    const optOut = () => t.db.send(new GetCommand({ TableName: t.table, Key: keys.optOut(customer, ALICE_NUMBER), ConsistentRead: true })).then((r) => r.Item);
    await receive({ from: customer, to: ALICE_NUMBER, body: ' Stop ' });
    expect(await optOut()).toMatchObject({ customerNumber: customer, businessNumber: ALICE_NUMBER });
    // Opting out of one business number leaves the others alone.
    expect((await t.db.send(new GetCommand({ TableName: t.table, Key: keys.optOut(customer, BOB_NUMBER) }))).Item).toBeUndefined();
    await receive({ from: customer, to: ALICE_NUMBER, body: 'start' });
    // The same item holds the state, now opted in (one item decides: GET /consent, conversations and sends read it).
    expect(await optOut()).toMatchObject({ status: 'opted_in', version: 2 });
    expect(await isOptedOut(t.db, t.table, customer, ALICE_NUMBER)).toBe(false);
    expect((await conversationsOf(customer))[0]!.messageCount).toBe(2);
  });
});
