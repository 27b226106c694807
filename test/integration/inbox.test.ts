import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { aroundSend, racedBefore } from '../helpers/interleave';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier, NOTIFIER_MAPPING } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { SandboxProvider } from '../../shared/providers/sandbox';

/** Read state (contract: unreadCount, lastReadAt, POST /conversations/{id}/read, ?unread=true, GET /me/unread). */
const N = { team: '+14255581001', alice: '+14255581002' };
const C = { one: '+14255581101', two: '+14255581102', race: '+14255581103', own: '+14255581104' };
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let outbound: ReturnType<typeof createOutbound>;
let sendNow: ReturnType<typeof inboundSender>;
/** Each inbound message a second after the one before (the test clock stands still otherwise). */
const send = (sms: Parameters<ReturnType<typeof inboundSender>>[0]) => {
  t.clock.advance(1000);
  return sendNow(sms);
};
let poller: StreamPoller;
const sns = mockClient(SNSClient);
const as = (sub: string): Identity => ({ sub });

const mySms = async (seller: string, query = '') => (await call(api, 'GET', `/me/conversations?limit=100${query}`, { as: as(seller) })).body.items as { id: string; customerNumber: string; unreadCount: number; lastReadAt?: string }[];
const conversationOf = async (seller: string, customer: string) => (await mySms(seller)).find((c) => c.customerNumber === customer)!;
const read = (seller: string, id: string) => call(api, 'POST', `/conversations/${id}/read`, { as: as(seller) });
const drain = () => poller.drain(500);

beforeAll(async () => {
  t = await freshTable();
  sns.on(PublishCommand).resolves({ MessageId: 'x' });
  const org = new OrgBuilder(t);
  await org.team('east');
  await org.seller('carol', { teamIds: ['east'] });
  await org.seller('dave', { teamIds: ['east'] });
  await org.seller('alice');
  await org.seller('mallory');
  await org.number(N.team, { type: 'team', id: 'east' });
  await org.number(N.alice, { type: 'seller', id: 'alice' });
  await org.record('contact', 'one', { mobile: C.one });
  await org.record('contact', 'two', { mobile: C.two });
  await org.record('contact', 'race', { mobile: C.race });
  await org.record('contact', 'own', { mobile: C.own, ownerId: 'alice' });
  api = createSellerApi(t);
  outbound = createOutbound(t, () => new SandboxProvider());
  sendNow = inboundSender(t);
  const notifier = testNotifier(t);
  poller = new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING);
});

afterAll(async () => {
  await poller.stop();
  sns.restore();
});

describe('unread counts are per seller', () => {
  it('3 inbound → 3 unread for each team member; one reads → 0 for them, their notifications read, the other unchanged', async () => {
    for (const body of ['one', 'two', 'three']) await send({ from: C.one, to: N.team, body });
    await drain();
    const carols = await conversationOf('carol', C.one);
    expect(carols.unreadCount).toBe(3);
    expect(carols.lastReadAt).toBeUndefined();
    expect((await conversationOf('dave', C.one)).unreadCount).toBe(3);
    const unreadNotifications = async (seller: string) => (await call(api, 'GET', '/me/notifications?unread=true&limit=100', { as: as(seller) })).body.items.filter((n: { conversationId: string }) => n.conversationId === carols.id);
    expect(await unreadNotifications('carol')).toHaveLength(3);

    const answer = await read('carol', carols.id);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ id: carols.id, unreadCount: 0, optedOut: false });
    expect(answer.body.lastReadAt).toEqual(expect.any(String));
    expect((await conversationOf('carol', C.one)).unreadCount).toBe(0);
    expect(await unreadNotifications('carol')).toEqual([]);
    expect((await conversationOf('dave', C.one)).unreadCount).toBe(3);
    expect(await unreadNotifications('dave')).toHaveLength(3);

    await send({ from: C.one, to: N.team, body: 'four' });
    expect((await conversationOf('carol', C.one)).unreadCount).toBe(1);
    expect((await conversationOf('dave', C.one)).unreadCount).toBe(4);
  });

  it('every answer carries the caller\'s own count: the conversation, a record\'s conversations', async () => {
    const { id } = await conversationOf('dave', C.one);
    expect((await call(api, 'GET', `/conversations/${id}`, { as: as('dave') })).body.unreadCount).toBe(4);
    expect((await call(api, 'GET', `/conversations/${id}`, { as: as('carol') })).body.unreadCount).toBe(1);
    expect((await call(api, 'GET', '/records/contact/one/conversations', { as: admin })).body.items[0].unreadCount).toBe(4);
  });

  it('a seller who cannot see the conversation cannot mark it read (404), and nothing changes', async () => {
    const { id } = await conversationOf('dave', C.one);
    expect((await read('mallory', id)).status).toBe(404);
    expect((await read('alice', id)).status).toBe(404);
    expect((await conversationOf('dave', C.one)).unreadCount).toBe(4);
  });
});

describe('?unread=true and GET /me/unread', () => {
  it('list only the conversations with unread messages for the caller, latest inbound first', async () => {
    await send({ from: C.two, to: N.team, body: 'hello from two' });
    await drain();
    const unreadIds = async (seller: string) => (await mySms(seller, '&unread=true')).map((c) => c.customerNumber);
    expect(await unreadIds('dave')).toEqual([C.two, C.one]);
    expect(await unreadIds('carol')).toEqual([C.two, C.one]);
    const two = await conversationOf('dave', C.two);
    await read('dave', two.id);
    expect(await unreadIds('dave')).toEqual([C.one]);
    expect(await unreadIds('carol')).toEqual([C.two, C.one]);
    expect(await unreadIds('alice')).toEqual([]);
  });

  it('pages through the unread list with a cursor', async () => {
    const first = await call(api, 'GET', '/me/conversations?unread=true&limit=1', { as: as('carol') });
    expect(first.body.items).toHaveLength(1);
    const second = await call(api, 'GET', `/me/conversations?unread=true&limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: as('carol') });
    expect(second.body.items.map((c: { customerNumber: string }) => c.customerNumber)).toEqual([C.one]);
    expect(second.body.nextCursor).toBeUndefined();
    const reused = await call(api, 'GET', `/me/conversations?limit=1&cursor=${encodeURIComponent(first.body.nextCursor)}`, { as: as('carol') });
    expect(reused.status).toBe(400);
  });

  it('GET /me/unread totals conversations, messages and notifications', async () => {
    const dave = (await call(api, 'GET', '/me/unread', { as: as('dave') })).body;
    expect(dave).toEqual({ conversations: 1, messages: 4, notifications: 4 });
    const carol = (await call(api, 'GET', '/me/unread', { as: as('carol') })).body;
    expect(carol).toEqual({ conversations: 2, messages: 2, notifications: 2 });
  });
});

describe('a seller\'s own send marks the conversation read for them', () => {
  it('a reply clears the sender\'s count and notifications, not the other seller\'s', async () => {
    const { id } = await conversationOf('dave', C.one);
    const reply = await call(outbound, 'POST', `/conversations/${id}/messages`, { as: as('dave'), body: { body: 'On it' } });
    expect(reply.status).toBe(202);
    await drain();
    expect((await conversationOf('dave', C.one)).unreadCount).toBe(0);
    expect((await call(api, 'GET', '/me/unread', { as: as('dave') })).body).toEqual({ conversations: 0, messages: 0, notifications: 0 });
    expect((await conversationOf('carol', C.one)).unreadCount).toBe(1);
  });

  it('a record owner who is not on the number sees and counts its inbound messages too', async () => {
    await send({ from: C.own, to: N.team, body: 'for the owner' });
    await drain();
    const owned = await conversationOf('alice', C.own);
    expect(owned.unreadCount).toBe(1);
    expect((await mySms('alice', '&unread=true')).map((c) => c.id)).toEqual([owned.id]);
  });
});

describe('reads racing inbound messages', () => {
  it('20 inbound messages and 10 reads at once leave every count consistent with the stored messages', async () => {
    await send({ from: C.race, to: N.team, body: 'start' });
    const { id } = await conversationOf('carol', C.race);
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => send({ from: C.race, to: N.team, body: `burst ${i}` })),
      ...Array.from({ length: 10 }, () => read('carol', id)),
    ]);
    const messages = (await call(api, 'GET', `/conversations/${id}/messages?limit=100`, { as: as('dave') })).body.items as { direction: string; createdAt: string }[];
    const stored = messages.filter((m) => m.direction === 'inbound');
    expect(stored).toHaveLength(21);
    // Dave never read: every stored inbound message is unread for him, no more, no fewer.
    expect((await conversationOf('dave', C.race)).unreadCount).toBe(stored.length);
    // Carol's count is exactly the messages after her read position: never negative, never above what is stored.
    const carol = await conversationOf('carol', C.race);
    expect(carol.unreadCount).toBeGreaterThanOrEqual(0);
    expect(carol.unreadCount).toBeLessThanOrEqual(20);
    expect(carol.lastReadAt).toEqual(expect.any(String));
    const finalRead = await read('carol', id);
    expect(finalRead.body.unreadCount).toBe(0);
    await drain();
    expect((await conversationOf('carol', C.race)).unreadCount).toBe(0);
    expect((await mySms('carol', '&unread=true')).map((c) => c.id)).not.toContain(id);
    expect((await mySms('dave', '&unread=true')).map((c) => c.id)).toContain(id);
  });

  it('My SMS lists a conversation once when a message lands between the reads of its index partitions', async () => {
    // Alice sees C.own through her number (gsi2) and as the record's owner (gsi3); the page reads them
    // one after the other here, with an inbound message stored in between.
    await send({ from: C.own, to: N.alice, body: 'before the page' });
    let assigneeRead!: () => void;
    const assigneeDone = new Promise<void>((resolve) => (assigneeRead = resolve));
    const indexOf = (command: unknown) => (command as { input: { IndexName?: string } }).input.IndexName;
    const signalling = aroundSend(t.db, async (command, sendIt) => {
      const out = await sendIt(command);
      if (indexOf(command) === 'gsi2') assigneeRead();
      return out;
    });
    const race = racedBefore(signalling, (command) => indexOf(command) === 'gsi3', async () => {
      await assigneeDone;
      await send({ from: C.own, to: N.alice, body: 'between the reads' });
    });
    const racingApi = createSellerApi({ ...t, db: race.db });
    const page = (await call(racingApi, 'GET', '/me/conversations?limit=100', { as: as('alice') })).body.items as { id: string; customerNumber: string; businessNumber: string; lastMessagePreview: string }[];
    expect(race.happened()).toBe(true);
    const own = page.filter((c) => c.customerNumber === C.own && c.businessNumber === N.alice);
    expect(own).toHaveLength(1);
    expect(own[0]!.lastMessagePreview).toBe('between the reads');
    expect(new Set(page.map((c) => c.id)).size).toBe(page.length);
  });

  it('a message overtaken by a newer one never moves the conversation back to an older position', async () => {
    const race = racedBefore(t.db, (command) => command instanceof TransactWriteCommand, () => send({ from: C.two, to: N.team, body: 'newer, stored first' }));
    t.clock.advance(1000);
    await inboundSender({ ...t, db: race.db })({ from: C.two, to: N.team, body: 'older, stored second' });
    expect(race.happened()).toBe(true);
    const conversation = (await mySms('carol')).find((c) => c.customerNumber === C.two) as unknown as { id: string; lastMessageAt: string; lastMessagePreview: string };
    const messages = (await call(api, 'GET', `/conversations/${conversation.id}/messages?limit=100`, { as: as('carol') })).body.items as { body: string; createdAt: string }[];
    expect(messages.map((m) => m.body)).toEqual(expect.arrayContaining(['newer, stored first', 'older, stored second']));
    // The list position and preview are those of the latest stored message (the overtaken one is
    // stamped again when its write is retried).
    const latest = messages.reduce((a, b) => (b.createdAt > a.createdAt ? b : a)).createdAt;
    expect(conversation.lastMessageAt).toBe(latest);
    expect(messages.filter((m) => m.createdAt === latest).map((m) => m.body)).toContain(conversation.lastMessagePreview);
  });
});
