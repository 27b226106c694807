import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createCrmEvents } from '../../functions/crm-events/handler';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { applyDeliveryReport } from '../../shared/flows/apply-delivery-report';
import { eventSchemaDocuments } from '../../scripts/event-schemas';
import Ajv2020 from 'ajv/dist/2020';
import { STREAM_FILTERS } from '../../shared/store/stream-consumers';

/** Events to the CRM (contract, "Events to the CRM"): EventBridge mocked, the stream read from DynamoDB Local. */
const N = '+14255587001';
const C = '+14255587101';
const as = (sub: string): Identity => ({ sub });
const eventBridge = mockClient(EventBridgeClient);
const sqs = mockClient(SQSClient);
let t: TestTable;
const ajv = new Ajv2020({ strict: false });
const schemas = Object.fromEntries(Object.entries(eventSchemaDocuments()).map(([type, schema]) => [type, ajv.compile(schema)]));

const publisher = (retryDelaysMs: number[] = [1, 1, 1]) =>
  createCrmEvents({ ...t, publisher: { eventBridge: new EventBridgeClient({ region: 'us-east-1' }), busName: 'crm-bus', failures: { sqs: new SQSClient({ region: 'us-east-1' }), queueUrl: 'https://sqs.local/failures' }, retryDelaysMs } });

/** Reads the whole stream from its start (as a re-run would) through a fresh publisher; answers every entry put. */
async function publishAll(handler = publisher()): Promise<PutEventsRequestEntry[]> {
  const poller = new StreamPoller(t.endpoint, t.table, (event) => handler(event, lambdaContext), { filters: STREAM_FILTERS['crm-events'] });
  await poller.drain(500);
  await poller.stop();
  return eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
}
const detailOf = (entry: PutEventsRequestEntry) => JSON.parse(entry.Detail!) as Record<string, unknown>;

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.seller('bob');
  await org.number(N, { type: 'seller', id: 'alice' });
  await org.record('contact', 'ada', { mobile: C, ownerId: 'alice' });
  await org.record('opportunity', 'deal', { ownerId: 'alice' });

  // The walkthrough of the acceptance: an inbound, a send with context and its delivery, a move, a hand-off, a STOP.
  const send = inboundSender(t);
  await send({ from: C, to: N, body: 'Hi, is the offer still open?' });
  const sandbox = new SandboxProvider();
  const outbound = createOutbound(t, () => sandbox);
  t.clock.advance(1000);
  const sent = await call(outbound, 'POST', '/messages', { as: as('alice'), body: { record: { type: 'contact', id: 'ada' }, from: N, body: 'Yes, until Friday', context: { sequenceId: 'seq-42', stepId: 'step-2' } } });
  expect(sent.status).toBe(202);
  expect(sent.body.context).toEqual({ sequenceId: 'seq-42', stepId: 'step-2' });
  t.clock.advance(1000);
  await applyDeliveryReport(t, sandbox.outbox.at(-1)!.report!);
  const reassignment = createReassignment(t);
  t.clock.advance(1000);
  expect((await call(reassignment, 'POST', `/conversations/${sent.body.conversationId}/move`, { as: as('alice'), body: { record: { type: 'opportunity', id: 'deal' } } })).status).toBe(200);
  t.clock.advance(1000);
  expect((await call(reassignment, 'POST', `/conversations/${sent.body.conversationId}/assign`, { as: as('alice'), body: { assignedTo: { type: 'seller', id: 'bob' } } })).status).toBe(200);
  t.clock.advance(1000);
  await send({ from: C, to: N, body: 'STOP' });
});

afterEach(() => {
  eventBridge.reset();
  sqs.reset();
});

describe('one event per change', () => {
  it('gives exactly one event of each detail-type, with the right record, numbers and context, each valid against docs/events', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }));
    const entries = await publishAll();
    const types = entries.map((e) => e.DetailType);
    expect(types).toEqual(['SmsMessageReceived', 'SmsMessageSent', 'SmsMessageStatusChanged', 'SmsConversationMoved', 'SmsConversationAssigned', 'SmsMessageReceived', 'SmsConsentChanged']);
    for (const entry of entries) {
      expect(entry.Source).toBe('sms-crm');
      expect(entry.EventBusName).toBe('crm-bus');
      expect(schemas[entry.DetailType!]!(detailOf(entry)), `${entry.DetailType}: ${JSON.stringify(schemas[entry.DetailType!]!.errors)}`).toBe(true);
    }
    const [received, sent, delivered, moved, assigned, , consent] = entries.map(detailOf);
    expect(received).toMatchObject({ record: { type: 'contact', id: 'ada' }, customerNumber: C, businessNumber: N, message: { direction: 'inbound', body: 'Hi, is the offer still open?' } });
    expect(sent).toMatchObject({ record: { type: 'contact', id: 'ada' }, message: { status: 'sent', context: { sequenceId: 'seq-42', stepId: 'step-2' }, sentBy: 'alice' } });
    expect(delivered).toMatchObject({ previousStatus: 'sent', message: { status: 'delivered', context: { sequenceId: 'seq-42', stepId: 'step-2' } } });
    expect(moved).toMatchObject({ record: { type: 'opportunity', id: 'deal' }, from: { type: 'contact', id: 'ada' }, to: { type: 'opportunity', id: 'deal' }, by: 'alice', customerNumber: C });
    expect(assigned).toMatchObject({ from: { type: 'seller', id: 'alice' }, to: { type: 'seller', id: 'bob' }, by: 'alice', record: { type: 'opportunity', id: 'deal' } });
    // After the hand-off, routing puts the STOP on the contact (rule 4): the event names the conversation it arrived in.
    expect(consent).toMatchObject({ customerNumber: C, businessNumber: N, record: { type: 'contact', id: 'ada' }, consent: { status: 'opted_out', source: 'keyword', keyword: 'STOP' } });
    expect(new Set(entries.map((e) => detailOf(e).eventId)).size).toBe(entries.length);
  });

  it('a re-run of the same stream records puts the same eventIds', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }));
    const first = (await publishAll()).map((e) => detailOf(e).eventId);
    eventBridge.resetHistory();
    const second = (await publishAll()).map((e) => detailOf(e).eventId);
    expect(second).toEqual(first);
  });
});

describe('when EventBridge fails', () => {
  it('a partial failure retries only the failed entries', async () => {
    let call = 0;
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      call++;
      // The first call refuses its 2nd and 4th entries; later calls accept everything.
      return { FailedEntryCount: call === 1 ? 2 : 0, Entries: input.Entries.map((_, i) => (call === 1 && (i === 1 || i === 3) ? { ErrorCode: 'ThrottlingException', ErrorMessage: 'slow down' } : { EventId: `e${i}` })) };
    });
    await publishAll();
    const calls = eventBridge.commandCalls(PutEventsCommand).map((c) => c.args[0].input.Entries!);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.map((e) => e.DetailType)).toEqual([calls[0]![1]!.DetailType, calls[0]![3]!.DetailType]);
    expect(calls[1]!.map((e) => detailOf(e).eventId)).toEqual([detailOf(calls[0]![1]!).eventId, detailOf(calls[0]![3]!).eventId]);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
  });

  it('a bus that keeps failing loses no event: all of them are in the failure queue, ready to replay; sends and inbound messages still work', async () => {
    eventBridge.on(PutEventsCommand).rejects(Object.assign(new Error('bus down'), { name: 'InternalException' }));
    sqs.on(SendMessageCommand).resolves({ MessageId: 'q1' });
    // The request path does not touch EventBridge: an inbound message and a send succeed while the bus is down.
    await inboundSender(t)({ from: C, to: N, body: 'START' });
    const outbound = createOutbound(t, () => new SandboxProvider());
    const answer = await call(outbound, 'POST', '/messages', { as: as('alice'), body: { record: { type: 'contact', id: 'ada' }, from: N, body: 'Welcome back', context: { stepId: 'step-3' } } });
    expect(answer.status).toBe(202);

    await publishAll(publisher([1, 1]));
    const queued = sqs.commandCalls(SendMessageCommand).flatMap((c) => (JSON.parse(c.args[0].input.MessageBody!) as { entries: { entry: PutEventsRequestEntry }[] }).entries.map((e) => e.entry));
    const types = queued.map((e) => e.DetailType);
    expect(types).toEqual(['SmsMessageReceived', 'SmsMessageSent', 'SmsMessageStatusChanged', 'SmsConversationMoved', 'SmsConversationAssigned', 'SmsMessageReceived', 'SmsConsentChanged', 'SmsMessageReceived', 'SmsConsentChanged', 'SmsMessageSent']);
    // Each entry is complete: a replay is a PutEvents of it.
    for (const entry of queued) expect(entry).toMatchObject({ Source: 'sms-crm', EventBusName: 'crm-bus', Detail: expect.any(String) });
    expect(detailOf(queued.at(-1)!).message).toMatchObject({ context: { stepId: 'step-3' } });
    // Three attempts per batch (one call, two retries), never more.
    expect(eventBridge.commandCalls(PutEventsCommand).length).toBe(3 * Math.ceil(queued.length / 10));
  });
});

describe('context on sends', () => {
  it('refuses more than 10 keys or a value over 256 characters (400), and sends nothing', async () => {
    const outbound = createOutbound(t, () => new SandboxProvider());
    const many = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, 'v']));
    for (const context of [many, { stepId: 'x'.repeat(257) }, { stepId: 42 }]) {
      const answer = await call(outbound, 'POST', '/messages', { as: as('alice'), body: { record: { type: 'contact', id: 'ada' }, from: N, body: 'x', context } });
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('ValidationError');
    }
    const api = createSellerApi(t);
    const [conversation] = (await call(api, 'GET', '/records/contact/ada/conversations', { as: admin })).body.items;
    const bodies = (await call(api, 'GET', `/conversations/${conversation.id}/messages?limit=100`, { as: admin })).body.items.map((m: { body: string }) => m.body);
    expect(bodies).not.toContain('x');
  });
});

describe('after an erasure', () => {
  it('no event carries an erased body, even from a re-run of the whole stream; the erasure puts SmsCustomerErased with the hashed number only', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }));
    const { createHandler: createPrivacy } = await import('../../functions/privacy/handler');
    const { CursorCodec } = await import('../../shared/http/cursor');
    const privacy = createPrivacy(t, new CursorCodec(async () => 'k'), { hashKey: async () => 'k' });
    expect((await call(privacy, 'DELETE', `/customers/${encodeURIComponent(C)}`, { as: admin })).status).toBe(200);
    const entries = await publishAll();
    const all = JSON.stringify(entries);
    for (const body of ['Hi, is the offer still open?', 'Yes, until Friday', 'Welcome back']) expect(all).not.toContain(body);
    const erased = entries.filter((e) => e.DetailType === 'SmsCustomerErased').map(detailOf);
    expect(erased).toHaveLength(1);
    expect(Object.keys(erased[0]!).sort()).toEqual(['by', 'counts', 'eventId', 'numberHash', 'occurredAt']);
    expect(JSON.stringify(erased[0])).not.toContain(C.slice(2));
    expect(schemas.SmsCustomerErased!(erased[0])).toBe(true);
  });
});

describe('batches as EventBridge takes them', () => {
  it('puts at most 10 entries a request (EventBridge refuses more), however many changes a stream batch holds', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => {
      if (input.Entries.length > 10) throw Object.assign(new Error('1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must have length less than or equal to 10'), { name: 'ValidationException' });
      return { FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) };
    });
    const send = inboundSender(t);
    for (let i = 0; i < 15; i++) {
      t.clock.advance(1000);
      await send({ from: '+14255557788', to: N, body: `message ${i}` });
    }
    const entries = await publishAll();
    const calls = eventBridge.commandCalls(PutEventsCommand);
    expect(calls.every((c) => (c.args[0].input.Entries ?? []).length <= 10)).toBe(true);
    expect(entries.filter((e) => e.DetailType === 'SmsMessageReceived' && JSON.stringify(e.Detail).includes('+14255557788'))).toHaveLength(15);
  });
});
