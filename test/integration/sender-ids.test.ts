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
import { createHandler as createTwilio } from '../../functions/twilio-callbacks/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { tableStreamReaders } from '../../scripts/local/stream-readers';

/** Sender ids that are not phone numbers (contract, "Provider callbacks"): stored, never refused; no record; not replyable. */
const N = '+14255595001';
const TOKEN = 'sender-token';
const HOST = 'api.sender.example';
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let poller: ReturnType<typeof tableStreamReaders>;
const sns = mockClient(SNSClient);
const alice: Identity = { sub: 'alice' };
type Conversation = { id: string; customerNumber: string; record?: unknown; recordName?: string; replyable: boolean; assignedTo: unknown; assigneeName: string };
const conversationOf = async (sender: string) => ((await call(api, 'GET', '/me/conversations', { as: alice })).body.items as Conversation[]).filter((c) => c.customerNumber === sender);

beforeAll(async () => {
  t = await freshTable();
  sns.on(PublishCommand).resolves({ MessageId: 'x' });
  const org = new OrgBuilder(t);
  await org.seller('alice', { name: 'Alice Andersson' });
  await org.number(N, { type: 'seller', id: 'alice' }, 'twilio');
  api = createSellerApi(t);
  poller = tableStreamReaders(t.endpoint, t.table, { notifier: testNotifier(t) });
});

afterAll(async () => {
  await poller.stop();
  sns.restore();
});

describe('a message from a sender id that is not a phone number', () => {
  it('Twilio from AMAZON: 200, stored on a conversation with no record, not replyable, assigned and notified as usual; no lead', async () => {
    const twilio = createTwilio(t, { credentials: async () => ({ accountSid: 'AC1', authToken: TOKEN }), publicBaseUrl: undefined });
    const fields = { MessageSid: 'SMsender1', AccountSid: 'AC1', From: 'AMAZON', To: N, Body: 'Your code is 123456', NumMedia: '0' };
    const form = signedTwilioForm(TOKEN, `https://${HOST}/callbacks/twilio/inbound`, fields);
    const answer = await call(twilio, 'POST', '/callbacks/twilio/inbound', { body: form.body, headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': form.signature } });
    expect(answer.status).toBe(200);
    const [conversation] = await conversationOf('AMAZON');
    expect(conversation).toMatchObject({ customerNumber: 'AMAZON', businessNumber: N, replyable: false, assignedTo: { type: 'seller', id: 'alice' }, assigneeName: 'Alice Andersson', lastMessagePreview: 'Your code is 123456' });
    expect(conversation!.record).toBeUndefined();
    expect(conversation!.recordName).toBeUndefined();
    const records = ((await t.db.send(new ScanCommand({ TableName: t.table }))).Items ?? []).filter((i) => i.kind === 'record');
    expect(records).toEqual([]);
    await poller.drain();
    const notification = ((await call(api, 'GET', '/me/notifications', { as: alice })).body.items as { kind: string; customerNumber?: string; record?: unknown }[]).find((n) => n.customerNumber === 'AMAZON');
    expect(notification).toMatchObject({ kind: 'inbound_message', customerNumber: 'AMAZON' });
    expect(notification!.record).toBeUndefined();
    const events = (await call(api, 'GET', `/conversations/${conversation!.id}/events`, { as: alice })).body.items as { kind: string; detail: { record?: unknown } }[];
    expect(events.find((e) => e.kind === 'created')!.detail.record).toBeUndefined();
  });

  it('a short code through the two-way SMS topic joins its own conversation; a second message the same one', async () => {
    const send = inboundSender(t);
    expect(await send({ from: '72345', to: N, body: 'Reply HELP for help' })).toBe('stored');
    expect(await send({ from: '72345', to: N, body: 'Second notice' })).toBe('stored');
    const conversations = await conversationOf('72345');
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ replyable: false, lastMessagePreview: 'Second notice' });
  });

  it('replying answers 409 NotReplyable and sends nothing; an admin sees it too', async () => {
    const [conversation] = await conversationOf('AMAZON');
    const sandbox = new SandboxProvider();
    const reply = await call(createOutbound(t, () => sandbox), 'POST', `/conversations/${conversation!.id}/messages`, { as: alice, body: { body: 'hello?' } });
    expect(reply.status).toBe(409);
    expect(reply.body.error.code).toBe('NotReplyable');
    expect(sandbox.outbox).toEqual([]);
    expect((await call(api, 'GET', `/conversations/${conversation!.id}`, { as: admin })).body).toMatchObject({ customerNumber: 'AMAZON', replyable: false });
  });

  it('a phone-number sender still routes as before, and a conversation on a record is replyable', async () => {
    await new OrgBuilder(t).record('contact', 'ada', { mobile: '+14255595101', ownerId: 'alice' });
    await inboundSender(t)({ from: '+14255595101', to: N, body: 'hi' });
    const [conversation] = await conversationOf('+14255595101');
    expect(conversation).toMatchObject({ record: { type: 'contact', id: 'ada' }, replyable: true });
  });
});
