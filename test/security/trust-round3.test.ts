import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { admin, call, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { signedTwilioForm } from '../helpers/signing';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { createHandler as createTwilio } from '../../functions/twilio-callbacks/handler';
import { applyDeliveryReport } from '../../shared/flows/apply-delivery-report';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { CursorCodec } from '../../shared/http/cursor';
import { tableStreamReaders } from '../../scripts/local/stream-readers';

/** Trust, round 3 (contract: Consent and privacy, Notifications, Conversations and messages, Provider callbacks). */
const N = { alice: '+14255591001', bob: '+14255591002' };
const C = { replayed: '+14255591101', lambda: '+14255591102', keyed: '+14255591103', quoted: '+14255591104', demoted: '+14255591105' };
const TOKEN = 'trust-token';
const HOST = 'api.trust.example';
const hashKey = async () => 'trust-erasure-key';
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let outbound: ReturnType<typeof createOutbound>;
let privacy: ReturnType<typeof createPrivacy>;
let twilio: ReturnType<typeof createTwilio>;
let org: OrgBuilder;
let poller: ReturnType<typeof tableStreamReaders>;
const sandbox = new SandboxProvider();
const sns = mockClient(SNSClient);
const as = (sub: string): Identity => ({ sub });

beforeAll(async () => {
  t = await freshTable();
  sns.on(PublishCommand).resolves({ MessageId: 'x' });
  org = new OrgBuilder(t);
  await org.seller('alice');
  await org.seller('bob');
  await org.number(N.alice, { type: 'seller', id: 'alice' }, 'twilio');
  await org.number(N.bob, { type: 'seller', id: 'bob' });
  api = createSellerApi(t);
  outbound = createOutbound(t, () => sandbox);
  privacy = createPrivacy(t, new CursorCodec(hashKey), { hashKey });
  twilio = createTwilio(t, { credentials: async () => ({ accountSid: 'AC1', authToken: TOKEN }), publicBaseUrl: undefined });
  poller = tableStreamReaders(t.endpoint, t.table, { notifier: testNotifier(t) });
});

afterAll(async () => {
  await poller.stop();
  sns.restore();
});

const twilioInbound = (sid: string, from: string, body: string) => {
  const fields = { MessageSid: sid, AccountSid: 'AC1', From: from, To: N.alice, Body: body, NumMedia: '0' };
  const form = signedTwilioForm(TOKEN, `https://${HOST}/callbacks/twilio/inbound`, fields);
  return call(twilio, 'POST', '/callbacks/twilio/inbound', { body: form.body, headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': form.signature } });
};
const erase = (customer: string) => call(privacy, 'DELETE', `/customers/${encodeURIComponent(customer)}`, { as: admin });
const itemsHolding = async (text: string) => ((await t.db.send(new ScanCommand({ TableName: t.table }))).Items ?? []).filter((item) => JSON.stringify(item).includes(text));

describe('erased stays erased', () => {
  it('a replayed Twilio callback of an erased message answers 200 and stores nothing (repro: SMreplay1)', async () => {
    t.clock.advance(1000);
    expect((await twilioInbound('SMreplay1', C.replayed, 'my secret plans')).status).toBe(200);
    expect((await itemsHolding('my secret plans')).length).toBeGreaterThan(0);
    // Unread pointers (notifier), then a read mark and a second message: everything that can point at the conversation.
    await poller.drain();
    const conversationId = ((await call(api, 'GET', '/me/conversations', { as: as('alice') })).body.items as { id: string; customerNumber: string }[]).find((c) => c.customerNumber === C.replayed)!.id;
    expect((await call(api, 'POST', `/conversations/${conversationId}/read`, { as: as('alice') })).status).toBe(200);
    t.clock.advance(1000);
    expect((await twilioInbound('SMreplay2', C.replayed, 'and one more')).status).toBe(200);
    await poller.drain();
    expect((await itemsHolding(conversationId)).length).toBeGreaterThan(2);
    expect((await erase(C.replayed)).status).toBe(200);
    expect(await itemsHolding('my secret plans')).toEqual([]);
    // Nothing points at the erased conversation: no read mark, unread pointer, provider pointer or notification.
    expect(await itemsHolding(conversationId)).toEqual([]);

    t.clock.advance(60_000);
    const replay = await twilioInbound('SMreplay1', C.replayed, 'my secret plans');
    expect(replay.status).toBe(200);
    expect(await itemsHolding('my secret plans')).toEqual([]);
    expect(await itemsHolding(C.replayed.slice(1))).toEqual([]);
    const mine = (await call(api, 'GET', '/me/conversations', { as: as('alice') })).body.items as { customerNumber: string }[];
    expect(mine.map((c) => c.customerNumber)).not.toContain(C.replayed);
    // What is left to recognise it holds neither the number nor the text.
    const tombstones = await itemsHolding('SMreplay1');
    expect(tombstones).toHaveLength(1);
    expect(tombstones[0]).toEqual({ pk: 'PMSG#twilio#SMreplay1', sk: 'POINTER', kind: 'providerMessage', erased: true });
  });

  it('an SNS re-delivery (two-way SMS topic) of an erased message is not stored again', async () => {
    const send = inboundSender(t);
    t.clock.advance(1000);
    expect(await send({ from: C.lambda, to: N.bob, body: 'redelivered words', id: 'aws-replay-1' })).toBe('stored');
    expect((await erase(C.lambda)).status).toBe(200);
    expect(await send({ from: C.lambda, to: N.bob, body: 'redelivered words', id: 'aws-replay-1' })).toBe('duplicate');
    expect(await itemsHolding('redelivered words')).toEqual([]);
  });
});

describe('repeated Idempotency-Key: answered as the send would be now, never 500', () => {
  it('after the message was erased: 404 (and a late delivery report for it is dropped); after losing the salesperson role: 403', async () => {
    await org.record('contact', 'keyed-2', { mobile: C.keyed, ownerId: 'bob' });
    const body = { record: { type: 'contact', id: 'keyed-2' }, from: N.bob, body: 'about your order' };
    const first = await call(outbound, 'POST', '/messages', { as: as('bob'), body, headers: { 'idempotency-key': 'key-1' } });
    expect(first.status).toBe(202);
    const again = await call(outbound, 'POST', '/messages', { as: as('bob'), body, headers: { 'idempotency-key': 'key-1' } });
    expect(again).toMatchObject({ status: 202, body: { id: first.body.id } });

    // A delivery report for it arriving after the erasure is dropped, not kept waiting.
    const providerMessageId = sandbox.outbox.find((m) => m.messageId === first.body.id)!.providerMessageId;
    expect((await erase(C.keyed)).status).toBe(200);
    const late = await applyDeliveryReport(t, { provider: 'sandbox', providerMessageId, status: 'delivered', occurredAt: t.clock.now().toISOString() });
    expect(late).toBe('ignored');
    expect(await itemsHolding(providerMessageId)).toEqual([{ pk: `PMSG#sandbox#${providerMessageId}`, sk: 'POINTER', kind: 'providerMessage', erased: true }]);

    const afterErasure = await call(outbound, 'POST', '/messages', { as: as('bob'), body, headers: { 'idempotency-key': 'key-1' } });
    expect(afterErasure.status).toBe(404);
    expect(afterErasure.body.error.code).toBe('NotFound');

    // A seller demoted after a send cannot read it back by replaying the key.
    await org.record('contact', 'demoted', { mobile: C.demoted, ownerId: 'bob' });
    const demotedBody = { record: { type: 'contact', id: 'demoted' }, from: N.bob, body: 'private quote' };
    expect((await call(outbound, 'POST', '/messages', { as: as('bob'), body: demotedBody, headers: { 'idempotency-key': 'key-2' } })).status).toBe(202);
    await org.seller('bob', { roles: [] });
    const demoted = await call(outbound, 'POST', '/messages', { as: as('bob'), body: demotedBody, headers: { 'idempotency-key': 'key-2' } });
    expect(demoted.status).toBe(403);
    expect(demoted.body.error.code).toBe('InsufficientPrivileges');
    expect(JSON.stringify(demoted.body)).not.toContain('private quote');
    await org.seller('bob');
  });
});

describe('hand-offs need the salesperson role', () => {
  it('a seller without it who sees the conversation (as the record\'s owner) is refused 403, and nothing changes', async () => {
    await org.seller('carl', { roles: [] });
    await org.record('contact', 'carls', { mobile: '+14255591106', ownerId: 'carl' });
    t.clock.advance(1000);
    expect((await twilioInbound('SMcarl1', '+14255591106', 'hello')).status).toBe(200);
    const conversation = ((await call(api, 'GET', '/me/conversations', { as: as('carl') })).body.items as { id: string; assignedTo: unknown; withheld?: boolean }[])[0]!;
    expect(conversation.withheld).toBe(true);
    const reassignment = createReassignment(t);
    const refused = await call(reassignment, 'POST', `/conversations/${conversation.id}/assign`, { as: as('carl'), body: { assignedTo: { type: 'seller', id: 'bob' } } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('InsufficientPrivileges');
    const after = (await call(api, 'GET', `/conversations/${conversation.id}`, { as: admin })).body;
    expect(after.assignedTo).toEqual(conversation.assignedTo);
  });
});

describe('withheld stays withheld in notifications', () => {
  it('a seller who lost the salesperson role gets no preview or number in notifications written before', async () => {
    await org.record('contact', 'quoted', { mobile: C.quoted, ownerId: 'bob' });
    const send = inboundSender(t);
    t.clock.advance(1000);
    await send({ from: C.quoted, to: N.bob, body: 'the confidential figure is 42' });
    await poller.drain();
    const before = (await call(api, 'GET', '/me/notifications', { as: as('bob') })).body.items.find((n: { preview?: string }) => n.preview?.includes('confidential'));
    expect(before).toMatchObject({ kind: 'inbound_message', customerNumber: C.quoted });

    await org.seller('bob', { roles: [] });
    const after = (await call(api, 'GET', '/me/notifications', { as: as('bob') })).body.items.find((n: { id: string }) => n.id === before.id);
    expect(after).toMatchObject({ id: before.id, kind: 'inbound_message', withheld: true });
    expect(after.preview).toBeUndefined();
    expect(after.customerNumber).toBeUndefined();
    await org.seller('bob');
    const restored = (await call(api, 'GET', '/me/notifications', { as: as('bob') })).body.items.find((n: { id: string }) => n.id === before.id);
    expect(restored.preview).toContain('confidential');
  });

  it('a seller who can no longer see the conversation gets no preview either', async () => {
    const quoted = (await call(api, 'GET', '/me/notifications', { as: as('bob') })).body.items.find((n: { preview?: string }) => n.preview?.includes('confidential'));
    // The record goes to Alice and the number to Alice: Bob no longer sees the conversation.
    await org.record('contact', 'quoted', { mobile: C.quoted, ownerId: 'alice' });
    await org.number(N.bob, { type: 'seller', id: 'alice' });
    await poller.drain();
    const after = (await call(api, 'GET', '/me/notifications', { as: as('bob') })).body.items.find((n: { id: string }) => n.id === quoted.id);
    expect(after).toMatchObject({ withheld: true });
    expect(after.preview).toBeUndefined();
    await org.number(N.bob, { type: 'seller', id: 'bob' });
  });
});
