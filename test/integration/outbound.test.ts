import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { mockClient } from 'aws-sdk-client-mock';
import { PinpointClient, SendMessagesCommand } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client, SendTextMessageCommand } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier, NOTIFIER_MAPPING } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { call, lambdaContext } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { signedTwilioForm } from '../helpers/signing';
import { createHandler as createSweeper } from '../../functions/outbound-sweeper/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createTwilio } from '../../functions/twilio-callbacks/handler';
import { createHandler as createReports } from '../../functions/delivery-reports/handler';
import { PinpointProvider } from '../../shared/providers/pinpoint';
import { EndUserMessagingProvider } from '../../shared/providers/end-user-messaging';
import { TwilioProvider } from '../../shared/providers/twilio';
import { SandboxProvider } from '../../shared/providers/sandbox';
import type { SmsProvider } from '../../shared/providers/sms-provider';
import { applyDeliveryReport } from '../../shared/flows/apply-delivery-report';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { keys } from '../../shared/store/keys';
import pinpointSuccess from '../fixtures/pinpoint-sms-success.json';
import pinpointFailure from '../fixtures/pinpoint-sms-failure.json';
import eumDelivered from '../fixtures/eum-text-delivered.json';
import eumBlocked from '../fixtures/eum-text-carrier-unreachable.json';

const NUMBERS = { pinpoint: '+14255558001', eum: '+14255558002', twilio: '+14255558003', sandbox: '+14255558004' } as const;
const BOBS_NUMBER = '+14255558009';
const CUSTOMER = '+14255558100';
const TOKEN = 'test-twilio-token';

const pinpointMock = mockClient(PinpointClient);
const eumMock = mockClient(PinpointSMSVoiceV2Client);
const snsMock = mockClient(SNSClient);
let t: TestTable;
let outbound: ReturnType<typeof createOutbound>;
let twilioStub: Server;
const twilioRequests: URLSearchParams[] = [];
let twilioSids = 0;
const acceptTwilio = () => ({ status: 201, body: { sid: `SM${String(++twilioSids).padStart(32, '0')}`, status: 'queued' } });
let twilioReply: (form: URLSearchParams) => { status: number; body: unknown } = acceptTwilio;
let beforeSendHook: ((provider: string, providerMessageId: string) => Promise<void>) | undefined;
const sandbox = new SandboxProvider();

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('east');
  await org.seller('alice', { teamIds: ['east'], name: 'Alice Andersson' });
  await org.seller('bob');
  await org.seller('viewer', { roles: [] });
  for (const [provider, number] of Object.entries(NUMBERS)) await org.number(number, { type: 'seller', id: 'alice' }, provider);
  await org.number(BOBS_NUMBER, { type: 'seller', id: 'bob' });
  await org.number('+14255558010', { type: 'seller', id: 'viewer' });
  await org.record('contact', 'ada', { name: 'Ada', mobile: CUSTOMER, phone: '+14255558101', ownerId: 'alice' });
  await org.record('contact', 'broken', { name: 'No valid number', phone: '+1555', ownerId: 'alice' }).catch(() => undefined);
  await org.record('contact', 'failing', { name: 'Fails', mobile: '+14255550999', ownerId: 'alice' });

  twilioStub = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => (raw += c));
    req.on('end', () => {
      const form = new URLSearchParams(raw);
      twilioRequests.push(form);
      const reply = twilioReply(form);
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => twilioStub.listen(0, '127.0.0.1', resolve));
  const port = (twilioStub.address() as { port: number }).port;

  const hooked = (provider: SmsProvider): SmsProvider => ({
    name: provider.name,
    send: async (sms) => {
      const result = await provider.send(sms);
      if (beforeSendHook && result.outcome === 'sent') await beforeSendHook(provider.name, result.providerMessageId);
      return result;
    },
  });
  const providers = {
    pinpoint: hooked(new PinpointProvider(new PinpointClient({ region: 'us-east-1' }), 'app-123')),
    eum: hooked(new EndUserMessagingProvider(new PinpointSMSVoiceV2Client({ region: 'us-east-1' }), 'crm-events')),
    twilio: hooked(new TwilioProvider({ baseUrl: `http://127.0.0.1:${port}`, credentials: async () => ({ accountSid: 'AC123', authToken: TOKEN }), statusCallbackUrl: 'https://api.example.com/callbacks/twilio/status', timeoutMs: 2000 })),
    sandbox: hooked(sandbox),
  };
  outbound = createOutbound(t, (name) => providers[name]);
});

afterAll(() => new Promise<void>((resolve) => twilioStub.close(() => resolve())));

beforeEach(() => {
  pinpointMock.reset();
  eumMock.reset();
  twilioRequests.length = 0;
  beforeSendHook = undefined;
  pinpointMock.on(SendMessagesCommand).callsFake((input) => {
    const to = Object.keys(input.MessageRequest.Addresses)[0]!;
    return { MessageResponse: { ApplicationId: 'app-123', RequestId: 'req-1', Result: { [to]: { DeliveryStatus: 'SUCCESSFUL', StatusCode: 200, StatusMessage: 'MessageId: pp-1', MessageId: `pp-${Date.now()}-${Math.random()}` } } } };
  });
  eumMock.on(SendTextMessageCommand).callsFake(() => ({ MessageId: `eum-${Date.now()}-${Math.random()}` }));
});

const send = (body: Record<string, unknown>, options: { as?: string; key?: string } = {}) =>
  call(outbound, 'POST', '/messages', { as: { sub: options.as ?? 'alice' }, body, headers: options.key ? { 'idempotency-key': options.key } : {} });

describe('POST /messages through each provider', () => {
  it('Pinpoint: SendMessages with the origination number and an SMS address; stored sent', async () => {
    const response = await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.pinpoint, body: 'Hello via Pinpoint' });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ direction: 'outbound', from: NUMBERS.pinpoint, to: CUSTOMER, body: 'Hello via Pinpoint', status: 'sent', sentBy: 'alice', segments: 1, providerMessageId: expect.stringMatching(/^pp-/) });
    const input = pinpointMock.commandCalls(SendMessagesCommand)[0]!.args[0].input;
    expect(input.ApplicationId).toBe('app-123');
    expect(input.MessageRequest?.Addresses).toEqual({ [CUSTOMER]: { ChannelType: 'SMS' } });
    expect(input.MessageRequest?.MessageConfiguration?.SMSMessage).toMatchObject({ Body: 'Hello via Pinpoint', OriginationNumber: NUMBERS.pinpoint, MessageType: 'TRANSACTIONAL' });
  });

  it('End User Messaging: SendTextMessage; stored sent', async () => {
    const response = await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.eum, phoneField: 'phone', body: 'Hello via EUM' });
    expect(response.body).toMatchObject({ status: 'sent', to: '+14255558101', providerMessageId: expect.stringMatching(/^eum-/) });
    const input = eumMock.commandCalls(SendTextMessageCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ DestinationPhoneNumber: '+14255558101', OriginationIdentity: NUMBERS.eum, MessageBody: 'Hello via EUM', ConfigurationSetName: 'crm-events' });
  });

  it('Twilio: Messages API with a status callback; stored sent', async () => {
    const response = await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.twilio, body: 'Hello via Twilio' });
    expect(response.body).toMatchObject({ status: 'sent', providerMessageId: `SM${String(twilioSids).padStart(32, '0')}` });
    expect(Object.fromEntries(twilioRequests[0]!)).toEqual({ To: CUSTOMER, From: NUMBERS.twilio, Body: 'Hello via Twilio', StatusCallback: 'https://api.example.com/callbacks/twilio/status' });
  });

  it('a provider refusal is stored failed with a readable reason', async () => {
    twilioReply = () => ({ status: 400, body: { code: 21610, message: 'Attempt to send to unsubscribed recipient', status: 400 } });
    const response = await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.twilio, body: 'Refused' });
    expect(response.body).toMatchObject({ status: 'failed', statusReason: { code: 'OptedOut', message: expect.stringContaining('21610') } });
    twilioReply = acceptTwilio;
  });

  it('a provider timeout leaves the message unknown with its reason, sent once', async () => {
    pinpointMock.on(SendMessagesCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    const response = await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.pinpoint, body: 'Slow' });
    expect(response.body).toMatchObject({ status: 'unknown', statusReason: { code: 'ProviderTimeout' } });
    expect(pinpointMock.commandCalls(SendMessagesCommand)).toHaveLength(1);
  });

  it('a retried Idempotency-Key returns the first message and calls the provider once', async () => {
    const body = { record: { type: 'contact', id: 'ada' }, from: NUMBERS.pinpoint, body: 'Once only' };
    const first = await send(body, { key: 'retry-123' });
    const second = await send(body, { key: 'retry-123' });
    expect(second.status).toBe(202);
    expect(second.body.id).toBe(first.body.id);
    expect(pinpointMock.commandCalls(SendMessagesCommand)).toHaveLength(1);
    const reused = await send({ ...body, body: 'Something else' }, { key: 'retry-123' });
    expect(reused.status).toBe(409);
  });

  it('an invalid destination answers 400 InvalidSendingParameters and calls no provider', async () => {
    for (const body of [
      { record: { type: 'contact', id: 'ada' }, from: NUMBERS.pinpoint, to: '12', body: 'x' },
      { record: { type: 'contact', id: 'ada' }, from: NUMBERS.pinpoint, to: '+14255550000', body: 'not one of the record\'s numbers' },
      { record: { type: 'contact', id: 'ada' }, from: NUMBERS.pinpoint, phoneField: 'business', body: 'no such field value' },
    ]) {
      const response = await send(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('InvalidSendingParameters');
    }
    expect(pinpointMock.commandCalls(SendMessagesCommand)).toHaveLength(0);
  });

  it('a from of another seller\'s number answers 403 NumberNotAssigned', async () => {
    const response = await send({ record: { type: 'contact', id: 'ada' }, from: BOBS_NUMBER, body: 'not mine' });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('NumberNotAssigned');
  });

  it('a seller without the salesperson role answers 403 InsufficientPrivileges', async () => {
    const response = await send({ record: { type: 'contact', id: 'ada' }, from: '+14255558010', body: 'no role' }, { as: 'viewer' });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('InsufficientPrivileges');
  });

  it('STOP then START from the customer: 409 OptedOut, then sent again', async () => {
    const receive = inboundSender(t);
    await receive({ from: CUSTOMER, to: NUMBERS.sandbox, body: 'STOP' });
    const blocked = await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.sandbox, body: 'Still there?' });
    expect(blocked.status).toBe(409);
    expect(blocked.body.error.code).toBe('OptedOut');
    await receive({ from: CUSTOMER, to: NUMBERS.sandbox, body: 'START' });
    const again = await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.sandbox, body: 'Welcome back' });
    expect(again.body.status).toBe('sent');
  });

  it('replies in an existing conversation from its business number', async () => {
    const first = await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.sandbox, body: 'Start of thread' });
    const reply = await call(outbound, 'POST', `/conversations/${first.body.conversationId}/messages`, { as: { sub: 'alice' }, body: { body: 'Follow-up' } });
    expect(reply.status).toBe(202);
    expect(reply.body).toMatchObject({ conversationId: first.body.conversationId, from: NUMBERS.sandbox, to: CUSTOMER, status: 'sent' });
    const stranger = await call(outbound, 'POST', `/conversations/${first.body.conversationId}/messages`, { as: { sub: 'bob' }, body: { body: 'hijack' } });
    expect(stranger.status).toBe(404);
  });
});

describe('delivery reports', () => {
  const reports = () => createReports(t);
  const snsEvent = (payload: unknown) => ({ Records: [{ EventSource: 'aws:sns', Sns: { MessageId: 'x', TopicArn: 'arn:aws:sns:us-east-1:1:sms-events', Message: JSON.stringify(payload), Timestamp: new Date().toISOString() } }] });
  const kinesisEvent = (payload: unknown) => ({ Records: [{ eventSource: 'aws:kinesis', kinesis: { data: Buffer.from(JSON.stringify(payload)).toString('base64'), sequenceNumber: '1' } }] });
  const messageStatus = async (conversationId: string, id: string) => {
    const out = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.conversationHead(conversationId).pk } }));
    return out.Items!.find((i) => i.id === id)!;
  };
  const postTwilioStatus = (fields: Record<string, string>) => {
    const twilio = createTwilio(t, { credentials: async () => ({ accountSid: 'AC123', authToken: TOKEN }) });
    const form = signedTwilioForm(TOKEN, 'https://api.example.com/callbacks/twilio/status', fields);
    return call(twilio, 'POST', '/callbacks/twilio/status', { body: form.body, headers: { host: 'api.example.com', 'x-twilio-signature': form.signature } });
  };

  it('Pinpoint event stream: _SMS.SUCCESS ends delivered and a late _SMS.BUFFERED keeps it delivered', async () => {
    const sent = (await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.pinpoint, body: 'report me' })).body;
    const event = { ...pinpointSuccess, attributes: { ...pinpointSuccess.attributes, message_id: sent.providerMessageId } };
    await reports()(kinesisEvent(event) as never, lambdaContext);
    expect((await messageStatus(sent.conversationId, sent.id)).status).toBe('delivered');
    await reports()(kinesisEvent({ ...event, event_type: '_SMS.BUFFERED', attributes: { ...event.attributes, record_status: 'PENDING' } }) as never, lambdaContext);
    expect((await messageStatus(sent.conversationId, sent.id)).status).toBe('delivered');
  });

  it('Pinpoint event stream: _SMS.FAILURE gives the mapped reason', async () => {
    const sent = (await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.pinpoint, body: 'will fail' })).body;
    await reports()(kinesisEvent({ ...pinpointFailure, attributes: { ...pinpointFailure.attributes, message_id: sent.providerMessageId } }) as never, lambdaContext);
    expect(await messageStatus(sent.conversationId, sent.id)).toMatchObject({ status: 'failed', statusReason: { code: 'CarrierUnreachable' } });
  });

  it('End User Messaging events over SNS: TEXT_DELIVERED, then a late TEXT_SENT stays delivered; a failure is mapped', async () => {
    const sent = (await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.eum, body: 'eum report' })).body;
    await reports()(snsEvent({ ...eumDelivered, messageId: sent.providerMessageId }) as never, lambdaContext);
    await reports()(snsEvent({ ...eumDelivered, eventType: 'TEXT_SENT', messageStatus: 'SENT', messageId: sent.providerMessageId }) as never, lambdaContext);
    expect((await messageStatus(sent.conversationId, sent.id)).status).toBe('delivered');
    const failing = (await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.eum, body: 'eum fail' })).body;
    await reports()(snsEvent({ ...eumBlocked, messageId: failing.providerMessageId }) as never, lambdaContext);
    expect(await messageStatus(failing.conversationId, failing.id)).toMatchObject({ status: 'failed', statusReason: { code: 'CarrierUnreachable' } });
  });

  it('Twilio status callbacks: delivered, then a late sent stays delivered; undelivered is mapped', async () => {
    const sent = (await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.twilio, body: 'twilio report' })).body;
    const base = { MessageSid: sent.providerMessageId, SmsSid: sent.providerMessageId, AccountSid: 'AC123', From: NUMBERS.twilio, To: CUSTOMER, ApiVersion: '2010-04-01' };
    expect((await postTwilioStatus({ ...base, MessageStatus: 'delivered', SmsStatus: 'delivered' })).body).toEqual({ outcome: 'applied' });
    expect((await postTwilioStatus({ ...base, MessageStatus: 'sent', SmsStatus: 'sent' })).body).toEqual({ outcome: 'ignored' });
    expect((await messageStatus(sent.conversationId, sent.id)).status).toBe('delivered');
    const other = (await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.twilio, body: 'twilio undelivered' })).body;
    await postTwilioStatus({ ...base, MessageSid: other.providerMessageId, MessageStatus: 'undelivered', ErrorCode: '30003' });
    expect(await messageStatus(other.conversationId, other.id)).toMatchObject({ status: 'undelivered', statusReason: { code: 'CarrierUnreachable', message: expect.stringContaining('30003') } });
  });

  it.each(['pinpoint', 'eum', 'twilio', 'sandbox'] as const)('%s: a report that arrives before the send records the provider id is applied afterwards', async (provider) => {
    beforeSendHook = async (name, providerMessageId) => {
      const outcome = await applyDeliveryReport(t, { provider: name as typeof provider, providerMessageId, status: 'delivered', occurredAt: new Date().toISOString() });
      expect(outcome).toBe('pending');
    };
    const response = await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS[provider], body: `early report ${provider}` });
    expect(response.body.status).toBe('delivered');
  });

  it('a failed message notifies its sender (delivery_failed) through the stream', async () => {
    snsMock.reset();
    snsMock.on(PublishCommand).resolves({ MessageId: 'n' });
    const failing = (await send({ record: { type: 'contact', id: 'failing' }, from: NUMBERS.sandbox, body: 'to 0999' })).body;
    await applyDeliveryReport(t, sandbox.outbox.find((o) => o.messageId === failing.id)!.report!);
    expect(await messageStatus(failing.conversationId, failing.id)).toMatchObject({ status: 'failed', statusReason: { code: 'CarrierUnreachable' } });
    const notifier = testNotifier(t, 'arn:aws:sns:us-east-1:1:notifications');
    await new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING).drain();
    const published = snsMock.commandCalls(PublishCommand).map((c) => c.args[0].input);
    // Every message of this file that ended failed or undelivered notified its sender, exactly once.
    const ended = await t.db.send(new ScanCommand({ TableName: t.table, FilterExpression: 'kind = :m AND #s IN (:f, :u)', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':m': 'message', ':f': 'failed', ':u': 'undelivered' } }));
    const failedIds = (ended.Items ?? []).map((i) => i.id as string).sort();
    expect(failedIds.length).toBeGreaterThanOrEqual(5);
    const deliveryFailed = published.filter((i) => i.MessageAttributes?.kind?.StringValue === 'delivery_failed');
    expect(deliveryFailed.map((i) => JSON.parse(i.Message!).messageId as string).sort()).toEqual(failedIds);
    expect(deliveryFailed.every((i) => i.MessageAttributes?.sellerId?.StringValue === 'alice')).toBe(true);
    const failures = published.filter((i) => JSON.parse(i.Message!).messageId === failing.id);
    expect(failures).toHaveLength(1);
    expect(failures[0]!.MessageAttributes?.kind?.StringValue).toBe('delivery_failed');
    expect(JSON.parse(failures[0]!.Message!)).toMatchObject({ messageId: failing.id, statusReason: { code: 'CarrierUnreachable' } });
  });
});

describe('interrupted sends', () => {
  it('a message left queued past the grace period becomes unknown with a reason; answered ones are untouched', async () => {
    const { QUEUED_GRACE_MS } = await import('../../shared/flows/sweep-queued');
    // Through the scheduled function's handler, as EventBridge invokes it (its role is what the IAM check reads).
    const sweeper = createSweeper(t);
    const sweepQueued = async (_deps: unknown) => ((await sweeper({} as never, lambdaContext)) as { swept: number }).swept;
    // The provider never answers: the function "dies" while waiting.
    const hanging = createOutbound(t, () => ({ name: 'sandbox', send: () => new Promise(() => undefined) }));
    void call(hanging, 'POST', '/messages', { as: { sub: 'alice' }, body: { record: { type: 'contact', id: 'ada' }, from: NUMBERS.sandbox, body: 'interrupted' } });
    const stuck = await eventuallyQueued('interrupted');
    const answered = (await send({ record: { type: 'contact', id: 'ada' }, from: NUMBERS.sandbox, body: 'answered' })).body;
    expect(await sweepQueued(t)).toBe(0); // still within the grace period
    t.clock.advance(QUEUED_GRACE_MS + 1000);
    expect(await sweepQueued(t)).toBe(1);
    const all = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.conversationHead(stuck.conversationId).pk } }));
    expect(all.Items!.find((i) => i.id === stuck.id)).toMatchObject({ status: 'unknown', statusReason: { code: 'ProviderTimeout' } });
    expect(all.Items!.find((i) => i.id === answered.id)!.status).not.toBe('unknown');
    expect(await sweepQueued(t)).toBe(0);
  });

  async function eventuallyQueued(body: string) {
    for (let i = 0; i < 100; i++) {
      const out = await t.db.send(new ScanCommand({ TableName: t.table, FilterExpression: 'kind = :m AND body = :b', ExpressionAttributeValues: { ':m': 'message', ':b': body } }));
      if (out.Items?.[0]) return { id: out.Items[0].id as string, conversationId: out.Items[0].conversationId as string };
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('message was not stored');
  }
});
