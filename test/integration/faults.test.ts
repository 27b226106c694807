import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { call } from '../helpers/api';
import { signedTwilioForm } from '../helpers/signing';
import { createDb } from '../../shared/aws';
import { keys } from '../../shared/store/keys';
import { receiveInbound } from '../../shared/flows/receive-inbound';
import { createHandler as createTwilio } from '../../functions/twilio-callbacks/handler';
import type { Deps } from '../../shared/deps';
import { metrics } from '../../shared/observability';

const NUMBER = '+14255567001';
let t: TestTable;

/** A DynamoDB client whose requests fail as `plan` says, below the SDK's retry layer (as the service would answer). */
function faultyDeps(plan: (command: string, attempt: number) => 'throttle' | 'conflict' | 'lose-response' | undefined): Deps & { faults: string[] } {
  const faults: string[] = [];
  const counts = new Map<string, number>();
  const deps = depsWith(
    (next, context) => async (args) => {
      const command = context.commandName ?? '';
      const attempt = (counts.get(command) ?? 0) + 1;
      counts.set(command, attempt);
      const fault = plan(command, attempt);
      if (fault === 'throttle') {
        faults.push(`${command}:throttle`);
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), { name: 'ProvisionedThroughputExceededException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
      }
      if (fault === 'conflict') {
        faults.push(`${command}:conflict`);
        throw Object.assign(new Error('Transaction cancelled'), { name: 'TransactionCanceledException', $fault: 'client', $metadata: { httpStatusCode: 400 }, CancellationReasons: [{ Code: 'TransactionConflict' }] });
      }
      const result = await next(args);
      if (fault === 'lose-response') {
        faults.push(`${command}:lost`);
        throw Object.assign(new Error('socket hang up after the write'), { name: 'TimeoutError' });
      }
      return result;
    },
    { step: 'deserialize', name: 'faultInjector', priority: 'low' },
  );
  return { ...deps, faults };
}

type Middleware = Parameters<DynamoDBClient['middlewareStack']['add']>[0];
/** Deps whose DynamoDB client runs `middleware` on every request. */
function depsWith(middleware: Middleware, options: { step: 'initialize' | 'deserialize'; name: string; priority?: 'low' }): Deps {
  const db = createDb({ endpoint: t.endpoint, region: 'us-east-1', instrument: (client: DynamoDBClient) => client.middlewareStack.add(middleware, options as never) });
  return { db, table: t.table, clock: t.clock, defaultRegion: 'US' };
}

async function messagesFrom(customer: string) {
  const conversations = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)', ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':c': keys.conversationPrefix } }));
  let total = 0;
  for (const c of conversations.Items ?? []) {
    const messages = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)', ExpressionAttributeValues: { ':pk': keys.conversationHead(c.id as string).pk, ':m': keys.messagePrefix } }));
    total += messages.Items?.length ?? 0;
  }
  return total;
}

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.number(NUMBER, { type: 'seller', id: 'alice' }, 'twilio');
});

/**
 * Holds the first `writers` TransactWriteItems calls until all of them are waiting, then releases them
 * together: they were all planned from the same read, so all but one must fail their conditions and retry.
 */
function contendedDeps(writers: number): Deps {
  const waiting: (() => void)[] = [];
  let released = false;
  return depsWith(
    (next, context) => async (args) => {
      if (!released && context.commandName === 'TransactWriteItemsCommand') {
        await new Promise<void>((resolve) => {
          waiting.push(resolve);
          if (waiting.length === writers) {
            released = true;
            for (const release of waiting) release();
          }
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'contentionGate' },
  );
}

describe('forced contention: writers planned from the same read', () => {
  afterEach(() => vi.restoreAllMocks());
  const retries = () => {
    const addMetric = vi.spyOn(metrics, 'addMetric');
    return () => addMetric.mock.calls.filter(([name]) => name === 'InboundRetry').length;
  };

  it('10 first messages from an unknown number: one lead, 10 messages, and the losers retried', async () => {
    const retried = retries();
    const deps = contendedDeps(10);
    const customer = '+14255567200';
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => receiveInbound(deps, { provider: 'twilio', providerMessageId: `lead-race-${i}`, from: customer, to: NUMBER, body: `m${i}` })));
    expect(outcomes.map((o) => o.outcome)).toEqual(Array(10).fill('stored'));
    const leads = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)', ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':r': keys.phoneRecordPrefix } }));
    expect(leads.Items).toHaveLength(1);
    expect(await messagesFrom(customer)).toBe(10);
    expect(retried()).toBeGreaterThanOrEqual(9);
  });

  it('10 first messages into a known record\'s new conversation: one conversation, 10 messages, and the losers retried', async () => {
    await new OrgBuilder(t).record('contact', 'contended', { mobile: '+14255567201', ownerId: 'alice' });
    const retried = retries();
    const deps = contendedDeps(10);
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => receiveInbound(deps, { provider: 'twilio', providerMessageId: `conv-race-${i}`, from: '+14255567201', to: NUMBER, body: `m${i}` })));
    expect(new Set(outcomes.map((o) => (o.outcome === 'stored' ? o.conversationId : 'lost'))).size).toBe(1);
    expect(await messagesFrom('+14255567201')).toBe(10);
    expect(retried()).toBeGreaterThanOrEqual(9);
  });
});

describe('faults: nothing accepted is lost, nothing is stored twice', () => {
  it('DynamoDB throttling is retried with backoff by the SDK', async () => {
    const deps = faultyDeps((command, attempt) => (attempt % 3 === 1 ? 'throttle' : undefined));
    const outcomes = [];
    for (let i = 0; i < 10; i++) outcomes.push((await receiveInbound(deps, { provider: 'twilio', providerMessageId: `thr-${i}`, from: '+14255567100', to: NUMBER, body: `m${i}` })).outcome);
    expect(deps.faults.filter((f) => f.endsWith('throttle')).length).toBeGreaterThan(5);
    expect(outcomes).toEqual(Array(10).fill('stored'));
    expect(await messagesFrom('+14255567100')).toBe(10);
  });

  it('transaction conflicts are retried by the inbound path', async () => {
    const deps = faultyDeps((command, attempt) => (command === 'TransactWriteItemsCommand' && attempt % 2 === 1 ? 'conflict' : undefined));
    for (let i = 0; i < 6; i++) await receiveInbound(deps, { provider: 'twilio', providerMessageId: `cfl-${i}`, from: '+14255567101', to: NUMBER, body: `m${i}` });
    expect(deps.faults.filter((f) => f.endsWith('conflict'))).toHaveLength(6);
    expect(await messagesFrom('+14255567101')).toBe(6);
  });

  // DynamoDB Local runs transactions one at a time, so concurrency alone rarely makes them collide;
  // this checks that nothing is lost under load. The forced-contention tests below make them collide.
  it('30 messages at once into one conversation all land', async () => {
    await receiveInbound(t, { provider: 'twilio', providerMessageId: 'hot-0', from: '+14255567102', to: NUMBER, body: 'first' });
    const outcomes = await Promise.all(Array.from({ length: 30 }, (_, i) => receiveInbound(t, { provider: 'twilio', providerMessageId: `hot-${i + 1}`, from: '+14255567102', to: NUMBER, body: `m${i}` })));
    expect(outcomes.every((o) => o.outcome === 'stored')).toBe(true);
    expect(await messagesFrom('+14255567102')).toBe(31);
  });

  it('an inbound callback retried by the provider after a timeout is stored once', async () => {
    // The write succeeds but the answer is lost: the function fails, and Twilio retries the webhook.
    let lose = true;
    const deps = faultyDeps((command) => (command === 'TransactWriteItemsCommand' && lose ? 'lose-response' : undefined));
    const twilio = createTwilio(deps, { credentials: async () => ({ accountSid: 'AC1', authToken: 'tok' }) });
    const fields = { MessageSid: 'SM-retried-1', AccountSid: 'AC1', From: '+14255567103', To: NUMBER, Body: 'are you there?' };
    const form = signedTwilioForm('tok', 'https://api.example.com/callbacks/twilio/inbound', fields);
    const post = () => call(twilio, 'POST', '/callbacks/twilio/inbound', { body: form.body, headers: { host: 'api.example.com', 'x-twilio-signature': form.signature } });
    const first = await post();
    expect(first.status).toBe(500);
    expect(first.body.error.code).toBe('InternalError');
    lose = false;
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBe(200);
    expect(await messagesFrom('+14255567103')).toBe(1);
  });
});
