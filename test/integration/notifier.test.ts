import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier, NOTIFIER_MAPPING } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { inboundSender } from '../helpers/inbound';
import { lambdaContext } from '../helpers/api';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { keys } from '../../shared/store/keys';
import { RecordStore } from '../../shared/store/items/record';
import { racedBefore } from '../helpers/interleave';
import { marshall } from '@aws-sdk/util-dynamodb';
import { messageItem, newMessage } from '../../shared/store/items/message';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:seller-notifications';
const TEAM_NUMBER = '+14255557001';
const snsMock = mockClient(SNSClient);
let t: TestTable;
let poller: StreamPoller;
let receive: ReturnType<typeof inboundSender>;

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('east');
  await org.seller('bob');
  await org.seller('carol', { teamIds: ['east'] });
  await org.seller('dave', { teamIds: ['east'], roles: [] });
  await org.number(TEAM_NUMBER, { type: 'team', id: 'east' });
  await org.record('contact', 'bobs-contact', { mobile: '+14255557100', ownerId: 'bob' });
  receive = inboundSender(t);
  const notifier = testNotifier(t, TOPIC);
  poller = new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING);
  await poller.drain();
});

beforeEach(() => snsMock.reset());

async function notificationsOf(sellerId: string) {
  const out = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)', ExpressionAttributeValues: { ':pk': keys.seller(sellerId).pk, ':n': keys.notificationPrefix } }));
  return out.Items ?? [];
}

/** The stored conversation item of a customer (each test here has one). */
const conversationItemOf = async (customer: string) =>
  (await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)', ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':c': keys.conversationPrefix } }))).Items![0]!;

const published = () => snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);

/** The team feed's notifications (one item for every member of the team). */
async function teamFeedOf(teamId: string) {
  const out = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :n)', ExpressionAttributeValues: { ':pk': keys.teamFeedHead(teamId).pk, ':n': keys.notificationPrefix } }));
  return out.Items ?? [];
}

/** Who each publish names, with its kind: `sellerId` for one seller, `sellerIds` for a team. */
const recipientsOf = (input: ReturnType<typeof published>[number]) => (input.MessageAttributes?.sellerIds ? (JSON.parse(input.MessageAttributes.sellerIds.StringValue!) as string[]) : [input.MessageAttributes!.sellerId!.StringValue!]);

describe('notifications of an inbound message', () => {
  it('reach every member of the team number (one feed item, one publish per privilege) and the record owner, with attributes for filter policies', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'sns-1' });
    await receive({ from: '+14255557100', to: TEAM_NUMBER, body: 'Can we meet Tuesday?' });
    await poller.drain();

    const calls = published();
    expect(calls.flatMap((c) => recipientsOf(c).map((seller) => [seller, c.MessageAttributes?.kind?.StringValue])).sort()).toEqual([
      ['bob', 'inbound_message'],
      ['carol', 'inbound_message'],
      ['dave', 'insufficient_privileges'],
    ]);
    // The owner (not in the team) by their own notification; the team's two members by one publish per privilege.
    expect(calls).toHaveLength(3);
    for (const call of calls) expect(call.TopicArn).toBe(TOPIC);
    const teamCalls = calls.filter((c) => c.MessageAttributes?.sellerIds);
    expect(teamCalls.every((c) => c.MessageAttributes!.sellerIds!.DataType === 'String.Array')).toBe(true);
    const byseller = Object.fromEntries(calls.flatMap((c) => recipientsOf(c).map((seller) => [seller, JSON.parse(c.Message!)])));
    expect(byseller.carol).toMatchObject({ kind: 'inbound_message', teamId: 'east', preview: 'Can we meet Tuesday?' });
    expect(byseller.bob).toMatchObject({ kind: 'inbound_message', sellerId: 'bob', preview: 'Can we meet Tuesday?' });
    // Without the salesperson role: told a message arrived, never its text.
    expect(byseller.dave.kind).toBe('insufficient_privileges');
    expect(JSON.stringify(byseller.dave)).not.toContain('Tuesday');

    const [feed] = await teamFeedOf('east');
    expect(feed).toMatchObject({ notificationKind: 'inbound_message', seq: 1, publishedAt: expect.any(String) });
    expect(await notificationsOf('carol')).toEqual([]);
  });

  it('a failing publish is retried by the stream: the notification is delivered later, once', async () => {
    snsMock.on(PublishCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' })).resolves({ MessageId: 'sns-2' });
    await receive({ from: '+14255557100', to: TEAM_NUMBER, body: 'second message' });
    await poller.drain();
    const calls = published();
    // One failed attempt, then each recipient told exactly once.
    const told = calls.slice(1).flatMap(recipientsOf).sort();
    expect(told).toEqual(['bob', 'carol', 'dave']);
    expect(await notificationsOf('bob')).toHaveLength(2);
    const feed = await teamFeedOf('east');
    expect(feed.map((n) => n.seq).sort()).toEqual([1, 2]);
    expect(feed.every((n) => n.publishedAt)).toBe(true);
  });

  it('the same stream batch handled twice writes and publishes nothing twice', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'sns-3' });
    const seen: unknown[] = [];
    const notifier = testNotifier(t, TOPIC);
    const recording = new StreamPoller(t.endpoint, t.table, async (event) => {
      seen.push(event);
      return notifier(event, lambdaContext);
    }, NOTIFIER_MAPPING);
    await recording.drain(); // replays the whole stream from the start: everything already handled
    await receive({ from: '+14255557100', to: TEAM_NUMBER, body: 'third message' });
    await poller.drain();
    const before = published().length;
    for (const event of seen) await notifier(event as never, lambdaContext);
    expect(published().length).toBe(before);
    expect(await teamFeedOf('east')).toHaveLength(3);
    // Numbered without gaps: the feed's head counted each once.
    const head = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.teamFeedHead('east') }))).Item!;
    expect(head.seq).toBe(3);
    await recording.stop();
  });
});

describe('record ownership reaches its conversations through the stream', () => {
  it('repairs conversations when the upsert stopped after the record was written', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'sns-4' });
    const org = new OrgBuilder(t);
    await org.seller('erin');
    await org.record('contact', 'owned-by-bob', { mobile: '+14255557200', ownerId: 'bob' });
    await receive({ from: '+14255557200', to: TEAM_NUMBER, body: 'hello' });
    await poller.drain();
    // The record changes owner, and the process dies before updating the conversations.
    const current = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.record('contact', 'owned-by-bob') }))).Item!;
    await t.db.send(new PutCommand({ TableName: t.table, Item: { ...current, ownerId: 'erin', version: (current.version as number) + 1 } }));
    const conversationOwner = () => conversationItemOf('+14255557200');
    expect((await conversationOwner()).recordOwnerId).toBe('bob');
    await poller.drain();
    expect(await conversationOwner()).toMatchObject({ recordOwnerId: 'erin', gsi3pk: keys.conversationsOfOwnerSeller('erin') });
  });

  it('keeps the owner index at the conversation\'s latest position when a message lands while the owner is written', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'sns-5' });
    const customer = '+14255557300';
    await new OrgBuilder(t).record('contact', 'changing-hands', { mobile: customer, ownerId: 'bob' });
    await receive({ from: customer, to: TEAM_NUMBER, body: 'first' });
    const race = racedBefore(t.db, (command) => command instanceof UpdateCommand, () => {
      t.clock.advance(60_000);
      return receive({ from: customer, to: TEAM_NUMBER, body: 'second' });
    });
    const records = new RecordStore(t.db, t.table);
    const record = (await records.get('contact', 'changing-hands'))!;
    await new RecordStore(race.db, t.table).propagateOwnership({ ...record, ownerId: 'erin' });
    expect(race.happened()).toBe(true);
    const conversation = await conversationItemOf(customer);
    expect(conversation.lastMessagePreview).toBe('second');
    expect(conversation).toMatchObject({ recordOwnerId: 'erin', gsi3pk: keys.conversationsOfOwnerSeller('erin'), gsi3sk: conversation.gsi2sk });
  });

  it('keeps it there too when the owner is written while a message that read no owner is being stored', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'sns-6' });
    const customer = '+14255557400';
    await new OrgBuilder(t).record('contact', 'ownerless', { mobile: customer });
    await receive({ from: customer, to: TEAM_NUMBER, body: 'first' });
    const records = new RecordStore(t.db, t.table);
    const race = racedBefore(t.db, (command) => command instanceof TransactWriteCommand, async () => records.propagateOwnership({ ...(await records.get('contact', 'ownerless'))!, ownerId: 'erin' }));
    t.clock.advance(60_000);
    await inboundSender({ ...t, db: race.db })({ from: customer, to: TEAM_NUMBER, body: 'second' });
    expect(race.happened()).toBe(true);
    const conversation = await conversationItemOf(customer);
    expect(conversation.lastMessagePreview).toBe('second');
    expect(conversation).toMatchObject({ recordOwnerId: 'erin', gsi3pk: keys.conversationsOfOwnerSeller('erin'), gsi3sk: conversation.gsi2sk });
  });
});

describe('a seller\'s send marks read only the notifications that came before it', () => {
  it('handling the send\'s stream record again after the customer replied leaves the reply unread', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'sns-send' });
    await new OrgBuilder(t).record('contact', 'bobs-second', { mobile: '+14255557101', ownerId: 'bob' });
    t.clock.set('2026-11-02T09:00:00.000Z');
    await receive({ from: '+14255557101', to: TEAM_NUMBER, body: 'Before your answer' });
    await poller.drain();
    const conversation = await conversationItemOf('+14255557101');
    const unreadOf = async () => (await notificationsOf('bob')).filter((n) => n.conversationId === conversation.id && n.read === false).map((n) => n.preview);
    expect(await unreadOf()).toEqual(['Before your answer']);

    // Bob answers: the notifier handles the send's stream record and marks what Bob had read.
    const send = messageItem(newMessage({ id: conversation.id as string, record: conversation.record as never, assignedTo: conversation.assignedTo as never }, { id: 'bob-answer', direction: 'outbound', from: TEAM_NUMBER, to: '+14255557101', body: 'Here it is', createdAt: t.clock.advance(60_000).toISOString(), status: 'sent', provider: 'sandbox', sentBy: 'bob' }));
    const sendRecord = { Records: [{ eventID: 'send-1', eventName: 'INSERT' as const, eventSource: 'aws:dynamodb', dynamodb: { Keys: marshall({ pk: send.pk, sk: send.sk }) as never, NewImage: marshall(send, { removeUndefinedValues: true }) as never, SequenceNumber: '1', StreamViewType: 'NEW_AND_OLD_IMAGES' as const } }] };
    const notifier = testNotifier(t, TOPIC);
    await notifier(sendRecord, lambdaContext);
    expect(await unreadOf()).toEqual([]);

    // The customer replies; then the send's record is handled again (a retried batch, a replayed stream).
    t.clock.advance(60_000);
    await receive({ from: '+14255557101', to: TEAM_NUMBER, body: 'After your answer' });
    await poller.drain();
    await notifier(sendRecord, lambdaContext);
    expect(await unreadOf()).toEqual(['After your answer']);
  });
});
