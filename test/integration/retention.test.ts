import { beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier, NOTIFIER_MAPPING } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { SandboxProvider } from '../../shared/providers/sandbox';
import type { Item } from '../../shared/store/dynamo-helpers';

/** Retention (contract: "Retention"): TTL attributes on what a message leaves, and reads that ignore expired items. */
const N = '+14255585001';
const C = { old: '+14255585101', both: '+14255585102' };
const DAYS = 30;
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let retained: TestTable;
const as = (sub: string): Identity => ({ sub });
const sns = mockClient(SNSClient);

beforeAll(async () => {
  t = await freshTable();
  retained = { ...t, retentionDays: DAYS };
  sns.on(PublishCommand).resolves({ MessageId: 'x' });
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.number(N, { type: 'seller', id: 'alice' });
  await org.record('contact', 'old', { mobile: C.old, ownerId: 'alice' });
  await org.record('contact', 'both', { mobile: C.both, ownerId: 'alice' });
  api = createSellerApi(retained);
});

const scanKinds = async (): Promise<Item[]> => (await t.db.send(new ScanCommand({ TableName: t.table }))).Items ?? [];

describe('with retentionDays', () => {
  it('messages, their pointers, conversations and notifications carry expiresAt = created + retention', async () => {
    const send = inboundSender(retained);
    t.clock.set('2026-01-01T10:00:00.000Z');
    await send({ from: C.old, to: N, body: 'old news' });
    await send({ from: C.both, to: N, body: 'old part' });
    const outbound = createOutbound(retained, () => new SandboxProvider());
    expect((await call(outbound, 'POST', '/messages', { as: as('alice'), body: { record: { type: 'contact', id: 'both' }, from: N, body: 'our old reply' } })).status).toBe(202);
    const notifier = testNotifier(retained);
    const poller = new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING);
    await poller.drain(500);
    await poller.stop();

    const expected = Date.parse('2026-01-01T10:00:00.000Z') / 1000 + DAYS * 86_400;
    const items = await scanKinds();
    for (const kind of ['message', 'providerMessage', 'conversation', 'notification']) {
      const ofKind = items.filter((item) => item.kind === kind);
      expect(ofKind.length, kind).toBeGreaterThan(0);
      for (const item of ofKind) expect(item.expiresAt, kind).toBe(expected);
    }
  });

  it('a newer message extends its conversation; lists, histories and notifications leave out what expired', async () => {
    t.clock.set('2026-01-25T10:00:00.000Z');
    await inboundSender(retained)({ from: C.both, to: N, body: 'new part' });
    // 31 days after the first messages: TTL has not run (DynamoDB Local, and DynamoDB, delete lazily).
    t.clock.set('2026-02-01T10:00:01.000Z');
    const items = await scanKinds();
    expect(items.filter((i) => i.kind === 'message')).toHaveLength(4);

    const list = (await call(api, 'GET', '/me/conversations', { as: as('alice') })).body.items as { id: string; customerNumber: string; lastMessagePreview: string }[];
    expect(list.map((c) => c.customerNumber)).toEqual([C.both]);
    expect(list[0]!.lastMessagePreview).toBe('new part');
    const bodies = (await call(api, 'GET', `/conversations/${list[0]!.id}/messages`, { as: as('alice') })).body.items.map((m: { body: string }) => m.body);
    expect(bodies).toEqual(['new part']);
    expect((await call(api, 'GET', '/records/contact/old/conversations', { as: admin })).body.items).toEqual([]);
    const oldId = (items.find((i) => i.kind === 'conversation' && i.customerNumber === C.old) as Item).id as string;
    expect((await call(api, 'GET', `/conversations/${oldId}`, { as: as('alice') })).status).toBe(404);
    expect((await call(api, 'GET', '/me/notifications', { as: as('alice') })).body.items).toEqual([]);
    // Her reply read the old message; the new one is unread.
    expect((list[0] as unknown as { unreadCount: number }).unreadCount).toBe(1);
  });

  it('when TTL removes a conversation, the stream takes its head, timeline and read marks along', async () => {
    const items = await scanKinds();
    const conversation = items.find((i) => i.kind === 'conversation' && i.customerNumber === C.old)!;
    await call(api, 'POST', `/conversations/${conversation.id as string}/read`, { as: as('alice') }).catch(() => undefined);
    const notifier = testNotifier(retained);
    // The record DynamoDB streams for a TTL deletion (DynamoDB Local does not run TTL).
    const ttlRemoval: DynamoDBRecord = {
      eventName: 'REMOVE',
      userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' },
      dynamodb: { Keys: marshall({ pk: conversation.pk, sk: conversation.sk }) as never, OldImage: marshall(conversation, { removeUndefinedValues: true }) as never, SequenceNumber: '1' },
    };
    expect(await notifier({ Records: [ttlRemoval] } as never, lambdaContext)).toEqual({ batchItemFailures: [] });
    const left = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `CONV#${conversation.id as string}` } }));
    expect((left.Items ?? []).map((i) => i.kind)).toEqual(['message']);
  });

  it('a conversation that expired but TTL has not deleted yet no longer lets a seller send to a record they see only through it', async () => {
    const org = new OrgBuilder(t);
    await org.seller('carl');
    await org.record('contact', 'carls', { mobile: '+14255585103', ownerId: 'carl' });
    t.clock.set('2026-03-01T10:00:00.000Z');
    expect(await inboundSender(retained)({ from: '+14255585103', to: N, body: 'hello alice' })).toBe('stored');
    const outbound = createOutbound(retained, () => new SandboxProvider());
    const send = () => call(outbound, 'POST', '/messages', { as: as('alice'), body: { record: { type: 'contact', id: 'carls' }, from: N, body: 'following up' } });
    t.clock.advance(1000);
    expect((await send()).status).toBe(202);
    t.clock.advance((DAYS + 1) * 86_400_000);
    const refused = await send();
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('NotFound');
  });
});
