import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier, NOTIFIER_MAPPING } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../shared/store/keys';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { markPresentInTeams, presentMembers } from '../../shared/store/items/live-connection';

/**
 * A team of 500 shares one business number (issue #42): one notification in the team's feed tells every member; each
 * member's bell counts, lists and reads it as their own (contract, "Notifications").
 */
const TEAM_NUMBER = '+14255583001';
const CUSTOMERS = ['+14255583101', '+14255583102', '+14255583103'];
const MEMBERS = Array.from({ length: 500 }, (_, i) => `rep-${String(i).padStart(3, '0')}`);
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let poller: StreamPoller;
const sns = mockClient(SNSClient);
const as = (sub: string): Identity => ({ sub });

interface Shown {
  id: string;
  kind: string;
  read: boolean;
  preview?: string;
  conversationId?: string;
  withheld?: boolean;
}
const bell = async (seller: string, query = '') => (await call(api, 'GET', `/me/notifications?limit=100${query}`, { as: as(seller) })).body.items as Shown[];
const unread = async (seller: string) => (await call(api, 'GET', '/me/unread', { as: as(seller) })).body as { conversations: number; messages: number; notifications: number };

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('desk');
  for (const member of MEMBERS) await org.seller(member, { teamIds: ['desk'], roles: member === 'rep-499' ? [] : ['salesperson'] });
  await org.number(TEAM_NUMBER, { type: 'team', id: 'desk' });
  api = createSellerApi(t);
  sns.on(PublishCommand).resolves({ MessageId: 'x' });
  const notifier = testNotifier(t, 'arn:aws:sns:us-east-1:123456789012:seller-notifications');
  poller = new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING);
  await poller.drain(500);
  sns.resetHistory();
  for (const [i, customer] of CUSTOMERS.entries()) {
    t.clock.advance(1_000);
    await inboundSender(t)({ from: customer, to: TEAM_NUMBER, body: `Question ${i + 1}` });
  }
  await poller.drain(500);
}, 600_000);

afterAll(() => sns.restore());

describe('an inbound message to a team of 500', () => {
  it('reaches every member, with the right unread count, through at most two publishes per message', async () => {
    // 20 members at a time: 1,000 requests in all.
    const check = async (member: string) => {
      const shown = await bell(member);
      expect(shown, member).toHaveLength(3);
      expect(shown.every((n) => !n.read)).toBe(true);
      if (member === 'rep-499') {
        // Without the salesperson role: told a message arrived, never its text.
        expect(shown.map((n) => n.kind)).toEqual(['insufficient_privileges', 'insufficient_privileges', 'insufficient_privileges']);
        expect(shown.some((n) => n.preview !== undefined)).toBe(false);
      } else {
        expect(shown.map((n) => n.preview)).toEqual(['Question 3', 'Question 2', 'Question 1']);
      }
      expect((await unread(member)).notifications, member).toBe(3);
    };
    for (let i = 0; i < MEMBERS.length; i += 20) await Promise.all(MEMBERS.slice(i, i + 20).map(check));
    const publishes = sns.commandCalls(PublishCommand).map((c) => c.args[0].input);
    expect(publishes).toHaveLength(CUSTOMERS.length * 2);
    const told = publishes.flatMap((p) => JSON.parse(p.MessageAttributes!.sellerIds!.StringValue!) as string[]);
    for (const member of MEMBERS) expect(told.filter((id) => id === member), member).toHaveLength(CUSTOMERS.length);
  }, 600_000);

  it('read one, read a conversation, read all: each member\'s own, nobody else\'s', async () => {
    const [newest, middle] = await bell('rep-000');
    expect((await call(api, 'POST', `/me/notifications/${newest!.id}/read`, { as: as('rep-000') })).body).toMatchObject({ id: newest!.id, read: true });
    // Reading it again changes nothing.
    expect((await call(api, 'POST', `/me/notifications/${newest!.id}/read`, { as: as('rep-000') })).status).toBe(200);
    expect((await unread('rep-000')).notifications).toBe(2);
    expect((await bell('rep-000', '&unread=true')).map((n) => n.id)).not.toContain(newest!.id);
    expect((await bell('rep-000')).find((n) => n.id === newest!.id)!.read).toBe(true);
    // Reading the conversation reads its notification.
    expect((await call(api, 'POST', `/conversations/${middle!.conversationId}/read`, { as: as('rep-000') })).status).toBe(200);
    expect((await unread('rep-000')).notifications).toBe(1);
    expect((await call(api, 'POST', '/me/notifications/read-all', { as: as('rep-000') })).body).toEqual({ updated: 1 });
    expect((await unread('rep-000')).notifications).toBe(0);
    expect(await bell('rep-000', '&unread=true')).toEqual([]);
    expect((await call(api, 'POST', '/me/notifications/read-all', { as: as('rep-000') })).body).toEqual({ updated: 0 });
    // Everyone else: unchanged.
    expect((await unread('rep-001')).notifications).toBe(3);
    expect((await bell('rep-001', '&unread=true')).map((n) => n.id)).toEqual((await bell('rep-001')).map((n) => n.id));
    // A seller outside the team cannot read the team's notification.
    await new OrgBuilder(t).seller('outsider');
    expect((await call(api, 'POST', `/me/notifications/${newest!.id}/read`, { as: as('outsider') })).status).toBe(404);
    // The next message is unread again, after the read-all.
    t.clock.advance(1_000);
    await inboundSender(t)({ from: CUSTOMERS[0]!, to: TEAM_NUMBER, body: 'One more' });
    await poller.drain(500);
    expect((await unread('rep-000')).notifications).toBe(1);
    expect((await bell('rep-000', '&unread=true')).map((n) => n.preview)).toEqual(['One more']);
    expect((await unread('rep-001')).notifications).toBe(4);
  }, 120_000);

  it('pages through the bell once each, across the seller\'s own notifications and the team\'s', async () => {
    const pages: Shown[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(api, 'GET', `/me/notifications?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { as: as('rep-002') });
      pages.push(...(page.body.items as Shown[]));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    expect(pages.map((n) => n.preview)).toEqual(['One more', 'Question 3', 'Question 2', 'Question 1']);
  });

  it('a member who joins later starts with nothing unread; one who leaves no longer sees the team\'s', async () => {
    const directory = createDirectory(t);
    expect((await call(directory, 'PUT', '/directory/sellers/newcomer', { as: admin, body: { name: 'Newcomer', teamIds: ['desk'], roles: ['salesperson'] } })).status).toBe(200);
    expect(await bell('newcomer')).toEqual([]);
    expect((await unread('newcomer')).notifications).toBe(0);
    t.clock.advance(1_000);
    await inboundSender(t)({ from: CUSTOMERS[1]!, to: TEAM_NUMBER, body: 'After you joined' });
    await poller.drain(500);
    expect((await bell('newcomer')).map((n) => n.preview)).toEqual(['After you joined']);
    expect((await unread('newcomer')).notifications).toBe(1);
    expect((await call(directory, 'PUT', '/directory/sellers/rep-003', { as: admin, body: { name: 'Rep 3', teamIds: [], roles: ['salesperson'] } })).status).toBe(200);
    expect(await bell('rep-003')).toEqual([]);
    expect((await unread('rep-003')).notifications).toBe(0);
    // Live frames go to the team's online members only, and never to one who left since connecting.
    const now = Math.floor(t.clock.now().getTime() / 1000);
    await markPresentInTeams(t.db, t.table, 'rep-003', ['desk'], now);
    await markPresentInTeams(t.db, t.table, 'rep-005', ['desk'], now);
    expect(await presentMembers(t.db, t.table, 'desk', now)).toEqual(['rep-005']);
  });

  it('"My SMS" unread through the team: one pointer for the team, gone once the team no longer sees the conversation', async () => {
    const unreadIds = async (seller: string) => (await call(api, 'GET', '/me/conversations?unread=true&limit=100', { as: as(seller) })).body.items.map((c: { id: string }) => c.id) as string[];
    // A customer whose record a seller owns: the team sees the conversation through its number only.
    const customer = '+14255583199';
    await new OrgBuilder(t).record('contact', 'owned-by-rep-010', { mobile: customer, ownerId: 'rep-010' });
    t.clock.advance(1_000);
    await inboundSender(t)({ from: customer, to: TEAM_NUMBER, body: 'Owned by one of you' });
    await poller.drain(500);
    const conversationId = (await bell('rep-006')).find((n) => n.preview === 'Owned by one of you')!.conversationId!;
    expect(await unreadIds('rep-006')).toContain(conversationId);
    expect((await call(api, 'POST', `/conversations/${conversationId}/read`, { as: as('rep-006') })).status).toBe(200);
    expect(await unreadIds('rep-006')).not.toContain(conversationId);
    expect(await unreadIds('rep-007')).toContain(conversationId);
    const pointer = () => t.db.send(new GetCommand({ TableName: t.table, Key: keys.teamUnreadConversation('desk', conversationId) }));
    expect((await pointer()).Item).toBeDefined();
    t.clock.advance(1_000);
    expect((await call(createReassignment(t), 'POST', `/conversations/${conversationId}/assign`, { as: admin, body: { assignedTo: { type: 'seller', id: 'rep-008' } } })).status).toBe(200);
    await poller.drain(500);
    expect((await pointer()).Item).toBeUndefined();
    expect(await unreadIds('rep-007')).not.toContain(conversationId);
    expect(await unreadIds('rep-008')).toContain(conversationId);
    expect(await unreadIds('rep-010')).toContain(conversationId);
  });

  it('an erasure takes the customer\'s notifications out of every member\'s list and count', async () => {
    const before = (await unread('rep-004')).notifications;
    const aboutFirst = (await bell('rep-004')).filter((n) => n.preview === 'Question 1' || n.preview === 'One more');
    expect(aboutFirst).toHaveLength(2);
    const privacy = createPrivacy(t);
    const erased = await call(privacy, 'DELETE', `/customers/${encodeURIComponent(CUSTOMERS[0]!)}`, { as: admin });
    expect([200, 202]).toContain(erased.status);
    await poller.drain(500);
    // (The conversation handed to rep-008 above stays in the list, its text withheld from rep-004 now.)
    expect((await bell('rep-004')).map((n) => n.preview ?? 'withheld')).toEqual(['withheld', 'After you joined', 'Question 3', 'Question 2']);
    expect((await unread('rep-004')).notifications).toBe(before - 2);
  });
});
