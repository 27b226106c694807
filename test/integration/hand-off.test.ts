import { beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
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

/** Hand-off (contract, "POST /conversations/{id}/assign"). */
const N = { alice: '+14255579901' };
const CUSTOMER = '+14255579950';
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let reassignment: ReturnType<typeof createReassignment>;
let conversationId: string;
const as = (sub: string): Identity => ({ sub });
const ids = async (seller: string) => (await call(api, 'GET', '/me/conversations?limit=100', { as: as(seller) })).body.items.map((c: { id: string }) => c.id);

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('east');
  await org.seller('alice');
  await org.seller('bob');
  await org.seller('carol', { teamIds: ['east'] });
  await org.seller('dave', { teamIds: ['east'] });
  await org.seller('viewer', { roles: [] });
  await org.seller('mallory');
  await org.number(N.alice, { type: 'seller', id: 'alice' });
  // Nobody owns the record: the assignment alone decides who sees the conversation.
  await org.record('contact', 'c1', { mobile: CUSTOMER });
  api = createSellerApi(t);
  reassignment = createReassignment(t);
  await inboundSender(t)({ from: CUSTOMER, to: N.alice, body: 'first' });
  [conversationId] = await ids('alice');
});

const assign = (by: string, assignedTo: unknown) => call(reassignment, 'POST', `/conversations/${conversationId}/assign`, { as: as(by), body: { assignedTo } });

describe('refused hand-offs change nothing', () => {
  it('answers 404 to a seller who cannot see it, 403 for a target without the salesperson role, 404 for an unknown target', async () => {
    expect((await assign('mallory', { type: 'seller', id: 'mallory' })).status).toBe(404);
    const roleless = await assign('alice', { type: 'seller', id: 'viewer' });
    expect(roleless.status).toBe(403);
    expect(roleless.body.error.code).toBe('InsufficientPrivileges');
    expect((await assign('alice', { type: 'seller', id: 'nobody' })).status).toBe(404);
    expect((await assign('alice', { type: 'team', id: 'no-team' })).status).toBe(404);
    expect((await assign('alice', { type: 'planet', id: 'x' })).status).toBe(400);
    expect(await ids('alice')).toEqual([conversationId]);
    expect((await call(api, 'GET', '/me/notifications', { as: as('viewer') })).body.items).toEqual([]);
  });
});

describe('a hand-off', () => {
  it('moves the conversation to the new assignee, who is notified with who handed it off', async () => {
    const handed = await assign('alice', { type: 'seller', id: 'bob' });
    expect(handed.status).toBe(200);
    expect(handed.body.assignedTo).toEqual({ type: 'seller', id: 'bob' });
    expect(await ids('bob')).toEqual([conversationId]);
    expect(await ids('alice')).toEqual([]);
    const [notification] = (await call(api, 'GET', '/me/notifications', { as: as('bob') })).body.items;
    expect(notification).toMatchObject({ kind: 'conversation_assigned', conversationId, by: 'alice', read: false });
    // alice no longer sees it, so she cannot take it back.
    expect((await assign('alice', { type: 'seller', id: 'alice' })).status).toBe(404);
  });

  it('to a team: every member is notified; later inbound messages notify the new assignee, not the number\'s', async () => {
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'x' });
    const notifier = testNotifier(t);
    const poller = new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING);
    await poller.drain(500);
    t.clock.advance(1_000);
    expect((await assign('bob', { type: 'team', id: 'east' })).status).toBe(200);
    await poller.drain(500);
    for (const member of ['carol', 'dave']) {
      expect((await call(api, 'GET', '/me/notifications', { as: as(member) })).body.items.map((n: { kind: string }) => n.kind)).toContain('conversation_assigned');
    }
    await inboundSender(t)({ from: CUSTOMER, to: N.alice, body: 'are you still there?' });
    await poller.drain(500);
    const inboundFor = async (seller: string) => (await call(api, 'GET', '/me/notifications?limit=100', { as: as(seller) })).body.items.filter((n: { kind: string }) => n.kind === 'inbound_message');
    expect(await inboundFor('carol')).toHaveLength(1);
    expect(await inboundFor('dave')).toHaveLength(1);
    expect(await inboundFor('alice')).toHaveLength(1); // only the first message, before the hand-off
    sns.restore();
  });

  it('to a team of 150: every member is told, through one notification in the team feed published once', async () => {
    const org = new OrgBuilder(t);
    await org.team('support');
    const members = Array.from({ length: 150 }, (_, i) => `agent-${String(i).padStart(3, '0')}`);
    for (const member of members) await org.seller(member, { teamIds: ['support'] });
    const sns = mockClient(SNSClient);
    sns.on(PublishCommand).resolves({ MessageId: 'x' });
    const notifier = testNotifier(t, 'arn:aws:sns:us-east-1:1:n');
    const poller = new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING);
    await poller.drain(500);
    sns.resetHistory();
    // A hand-off is told by its time (the notifier tells a hand-off from a number's reassignment by it).
    t.clock.advance(60_000);
    expect((await call(reassignment, 'POST', `/conversations/${conversationId}/assign`, { as: admin, body: { assignedTo: { type: 'team', id: 'support' } } })).status).toBe(200);
    await poller.drain(500);
    await poller.drain(500);
    const told = async (member: string) => (await call(api, 'GET', '/me/notifications?limit=100', { as: as(member) })).body.items.filter((n: { kind: string; conversationId: string }) => n.kind === 'conversation_assigned' && n.conversationId === conversationId) as { id: string; read: boolean }[];
    for (const member of members) expect(await told(member), member).toEqual([expect.objectContaining({ by: admin.sub, read: false })]);
    // One publish names every member (`sellerIds`, a String.Array for subscription filter policies).
    const published = sns.commandCalls(PublishCommand).map((c) => c.args[0].input).filter((input) => input.MessageAttributes?.kind?.StringValue === 'conversation_assigned');
    expect(published).toHaveLength(1);
    expect(published[0]!.MessageAttributes!.sellerIds!.DataType).toBe('String.Array');
    expect((JSON.parse(published[0]!.MessageAttributes!.sellerIds!.StringValue!) as string[]).sort()).toEqual(members);
    expect(JSON.parse(published[0]!.Message!)).toMatchObject({ kind: 'conversation_assigned', teamId: 'support', conversationId, by: admin.sub });
    // Read by one member: theirs only.
    const first = (await told(members[0]!))[0]!;
    expect((await call(api, 'POST', `/me/notifications/${first.id}/read`, { as: as(members[0]!) })).status).toBe(200);
    expect(await told(members[0]!)).toEqual([expect.objectContaining({ read: true })]);
    expect(await told(members[1]!)).toEqual([expect.objectContaining({ read: false })]);
    sns.restore();
    // Back to alice for the tests below.
    expect((await call(reassignment, 'POST', `/conversations/${conversationId}/assign`, { as: admin, body: { assignedTo: { type: 'seller', id: 'alice' } } })).status).toBe(200);
  }, 120_000);

  it('an admin hands off any conversation', async () => {
    expect((await call(reassignment, 'POST', `/conversations/${conversationId}/assign`, { as: admin, body: { assignedTo: { type: 'seller', id: 'alice' } } })).status).toBe(200);
  });
});

describe('replies follow the hand-off', () => {
  const CUSTOMER2 = '+14255579951';
  let handed: string;
  const outbound = () => createOutbound(t, () => new SandboxProvider());
  const reply = (who: string, body: string) => call(outbound(), 'POST', `/conversations/${handed}/messages`, { as: as(who), body: { body } });

  beforeAll(async () => {
    // Alice owns the record, so she still sees the conversation after handing it off.
    await new OrgBuilder(t).record('contact', 'c2', { mobile: CUSTOMER2, ownerId: 'alice' });
    await inboundSender(t)({ from: CUSTOMER2, to: N.alice, body: 'hello alice' });
    handed = ((await call(api, 'GET', '/records/contact/c2/conversations', { as: admin })).body.items as { id: string }[])[0]!.id;
  });

  it('the seller a conversation is handed to replies from its business number, which is not theirs', async () => {
    expect((await reply('alice', 'before the hand-off')).status).toBe(202);
    expect((await call(reassignment, 'POST', `/conversations/${handed}/assign`, { as: as('alice'), body: { assignedTo: { type: 'seller', id: 'bob' } } })).status).toBe(200);
    const answer = await reply('bob', 'Bob here, I will take it from now');
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ from: N.alice, to: CUSTOMER2, sentBy: 'bob' });
    // Bob still cannot start a new conversation from Alice's number.
    const fresh = await call(outbound(), 'POST', '/messages', { as: as('bob'), body: { record: { type: 'contact', id: 'c1' }, from: N.alice, body: 'new' } });
    expect(fresh.status).toBe(403);
    expect(fresh.body.error.code).toBe('NumberNotAssigned');
  });

  it('the previous assignee, who still sees it as the record\'s owner, loses the right to reply', async () => {
    const refused = await reply('alice', 'may I still answer?');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('NumberNotAssigned');
  });

  it('handed to a team: every member replies; the previous assignee no longer can', async () => {
    expect((await call(reassignment, 'POST', `/conversations/${handed}/assign`, { as: as('bob'), body: { assignedTo: { type: 'team', id: 'east' } } })).status).toBe(200);
    expect((await reply('carol', 'Carol from East')).status).toBe(202);
    expect((await reply('dave', 'Dave from East')).status).toBe(202);
    expect((await reply('bob', 'and Bob?')).status).toBe(404);
  });
});
