import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { freshTable, type TestTable } from '../helpers/table';
import { lambdaContext } from '../helpers/api';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { createHandler as createDispatcher, lambdaInvoker } from '../../functions/stream-dispatcher/handler';
import { DISPATCHER_FILTERS } from '../../shared/store/stream-consumers';
import { messageItem, newMessage } from '../../shared/store/items/message';
import { changedItem, type ChangedItem } from '../../shared/store/stream';

/** The table stream's readers as Lambda runs them: filters, retries, a poison record set aside, consumers invoked asynchronously. */
let t: TestTable;
const lambda = mockClient(LambdaClient);
beforeAll(async () => {
  t = await freshTable();
});
afterAll(() => {
  lambda.restore();
  t.db.destroy();
});

const conversation = { id: 'c-disp', record: { type: 'contact' as const, id: 'ada' }, assignedTo: { type: 'seller' as const, id: 'alice' } };
const message = (id: string, createdAt: string, media = false) =>
  messageItem(
    newMessage(conversation, {
      id, direction: 'inbound', from: '+14255550100', to: '+14255550199', body: media ? '' : `text ${id}`, createdAt, status: 'received', provider: 'twilio',
      ...(media ? { media: [{ id: `${id}-f`, contentType: 'image/png', status: 'pending' as const, sourceUrl: 'https://api.twilio.com/x', storageKey: `media/c-disp/${id}` }] } : {}),
    }),
  );

describe('a poison record', () => {
  it('is retried a bounded number of times, then set aside while the rest of its batch goes on', async () => {
    await t.db.send(new PutCommand({ TableName: t.table, Item: message('p1', '2026-11-01T09:00:01.000Z') }));
    await t.db.send(new PutCommand({ TableName: t.table, Item: message('poison', '2026-11-01T09:00:02.000Z') }));
    await t.db.send(new PutCommand({ TableName: t.table, Item: message('p3', '2026-11-01T09:00:03.000Z') }));
    const handled: string[] = [];
    let poisonAttempts = 0;
    const poller = new StreamPoller(t.endpoint, t.table, async (event) => {
      for (let i = 0; i < event.Records.length; i++) {
        const id = event.Records[i]!.dynamodb!.NewImage!.id!.S!;
        if (id === 'poison') {
          poisonAttempts++;
          return { batchItemFailures: event.Records.slice(i).map((r) => ({ itemIdentifier: r.dynamodb!.SequenceNumber! })) };
        }
        handled.push(id);
      }
      return { batchItemFailures: [] };
    }, { maxRetries: 3, filters: 'every change' });
    await poller.drain();
    await poller.stop();
    expect(poisonAttempts).toBe(4);
    expect(handled).toContain('p3');
    expect(poller.failed.map((r) => r.dynamodb!.NewImage!.id!.S)).toEqual(['poison']);
  });
});

describe('an empty map', () => {
  it('reaches a reader typed, as DynamoDB Streams in AWS sends it (DynamoDB Local\'s Streams API drops the M of an empty map)', async () => {
    await t.db.send(new PutCommand({ TableName: t.table, Item: { pk: 'EMPTYMAP#1', sk: 'EMPTYMAP', context: {}, nested: { inner: {}, list: [{}] }, kept: { a: 'b' } } }));
    const seen: ChangedItem[] = [];
    const poller = new StreamPoller(t.endpoint, t.table, async (event) => {
      for (const record of event.Records) if (record.dynamodb?.Keys?.pk?.S === 'EMPTYMAP#1') seen.push(changedItem(record));
    }, { filters: 'every change' });
    await poller.drain();
    await poller.stop();
    expect(poller.failed).toEqual([]);
    expect(seen.map((change) => change.newImage)).toEqual([{ pk: 'EMPTYMAP#1', sk: 'EMPTYMAP', context: {}, nested: { inner: {}, list: [{}] }, kept: { a: 'b' } }]);
  });
});

describe('the stream dispatcher', () => {
  it('invokes each consumer asynchronously with only the changes its filter selects, by the function name in its environment', async () => {
    lambda.reset();
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    const dispatcher = createDispatcher(lambdaInvoker(new LambdaClient({ region: 'us-east-1' }), { 'media-copier': 'MediaCopierFunction', 'crm-events': 'CrmEventsFunction', automations: 'ScheduledSendFunction' }));
    await t.db.send(new PutCommand({ TableName: t.table, Item: message('mms1', '2026-11-01T10:00:00.000Z', true) }));
    // An inbound message outside business hours that gets the after-hours reply: scheduled-send sends it.
    await t.db.send(new PutCommand({ TableName: t.table, Item: { ...message('late1', '2026-11-01T22:00:00.000Z'), autoReplyDue: true } }));
    const poller = new StreamPoller(t.endpoint, t.table, (event) => dispatcher(event, lambdaContext), { filters: DISPATCHER_FILTERS });
    await poller.drain();
    await poller.stop();
    const invocations = lambda.commandCalls(InvokeCommand).map((c) => ({ fn: c.args[0].input.FunctionName, type: c.args[0].input.InvocationType, ids: (JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()) as DynamoDBStreamEvent).Records.map((r) => r.dynamodb!.NewImage!.id!.S) }));
    expect(invocations.every((i) => i.type === 'Event')).toBe(true);
    expect(invocations.filter((i) => i.fn === 'MediaCopierFunction').flatMap((i) => i.ids)).toEqual(['mms1']);
    expect(invocations.filter((i) => i.fn === 'CrmEventsFunction').flatMap((i) => i.ids)).toEqual(expect.arrayContaining(['mms1', 'late1']));
    expect(invocations.filter((i) => i.fn === 'ScheduledSendFunction').flatMap((i) => i.ids)).toEqual(['late1']);
  });

  it('a consumer that cannot be invoked makes the stream retry from its chunk, not from the start', async () => {
    lambda.reset();
    lambda.on(InvokeCommand, { FunctionName: 'CrmEventsFunction' }).rejects(new Error('TooManyRequestsException')).on(InvokeCommand, { FunctionName: 'MediaCopierFunction' }).resolves({ StatusCode: 202 });
    const dispatcher = createDispatcher(lambdaInvoker(new LambdaClient({ region: 'us-east-1' }), { 'media-copier': 'MediaCopierFunction', 'crm-events': 'CrmEventsFunction' }));
    const record = (id: string, seq: string) => ({ eventName: 'INSERT', dynamodb: { SequenceNumber: seq, NewImage: { kind: { S: 'message' }, id: { S: id } } } });
    const result = await dispatcher({ Records: [record('a', '1'), record('b', '2')] } as never, lambdaContext);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['1', '2']);
  });
});

describe('the local event source mapping enforces what Lambda enforces', () => {
  it('refuses more than 5 filters on one mapping, as CreateEventSourceMapping does; takes 5', () => {
    const filters = Array.from({ length: 6 }, (_, i) => ({ eventName: [`E${i}`] }));
    expect(() => new StreamPoller(t.endpoint, t.table, async () => undefined, { filters })).toThrow(/6 filters on one event source mapping; Lambda allows 5/);
    expect(() => new StreamPoller(t.endpoint, t.table, async () => undefined, { filters: filters.slice(0, 5) })).not.toThrow();
  });
});
