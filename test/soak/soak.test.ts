import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { freePort } from '../../scripts/local/dynamodb-local';
import { startLocalServer } from '../../scripts/local/server';
import { seedDemo } from '../../scripts/local/seed';
import { LocalAuth } from '../../scripts/local/local-auth';
import { RecordStore } from '../../shared/store/items/record';
import type { CrmRecord } from '../../shared/domain/records';
import { twilioSignature } from '../../shared/providers/twilio-signature';
import { assertDeclaredHttpResponse } from '../helpers/openapi-contract';

/**
 * Soak: mixed inbound, outbound and reads against the local stack on loopback for SOAK_SECONDS
 * (default 30 in the suite; `SOAK_SECONDS=600` for a long one). Inbound goes through the production callbacks (Twilio signed, the two-way SMS topic's
 * function), each with a fresh provider id; afterwards the stored provider ids must be exactly the ids
 * sent, and no request may have had a 4xx or 5xx.
 */
const SECONDS = Number(process.env.SOAK_SECONDS ?? 30);
const CONCURRENCY = 8;
const BUSINESS = ['+14255550100', '+14255550101'];

let t: TestTable;
let stack: Awaited<ReturnType<typeof startLocalServer>>;
let token: string;
const customers = Array.from({ length: 200 }, (_, i) => `+1206555${String(2000 + i)}`);

beforeAll(async () => {
  t = await freshTable();
  stack = await startLocalServer({ port: await freePort(), dynamoEndpoint: t.endpoint, table: t.table, twilioAuthToken: 'soak', jwtSecret: 'soak-secret', logNotifications: false });
  await seedDemo(stack.deps);
  const records = new RecordStore(t.db, t.table);
  for (let i = 0; i < 50; i++) {
    await records.upsert({ type: 'contact', id: `soak-${i}`, name: `Soak ${i}`, mobile: customers[i] as CrmRecord['mobile'], ownerId: 'alice', state: 'active', modifiedAt: new Date().toISOString() });
  }
  token = await new LocalAuth('soak-secret').issue('alice');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
});

describe(`soak: ${SECONDS} s of mixed traffic on loopback`, () => {
  it('stores exactly the messages sent through the production callbacks, and never answers 4xx or 5xx', async () => {
    const counts = { inboundAccepted: 0, outboundAccepted: 0, reads: 0, clientErrors: 0, serverErrors: 0, requests: 0 };
    const serverErrorSamples: string[] = [];
    const deadline = Date.now() + SECONDS * 1000;
    let sequence = 0;
    const request = async (method: string, path: string, body?: unknown) => {
      const response = await fetch(`${stack.url}${path}`, {
        method,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const json = (await response.json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      assertDeclaredHttpResponse(method, path, response.status, response.headers.get('content-type') ?? undefined, json);
      counts.requests++;
      if (response.status >= 500) {
        counts.serverErrors++;
        if (serverErrorSamples.length < 5) serverErrorSamples.push(`${method} ${path} ${response.status} ${JSON.stringify(json)}`);
      } else if (response.status >= 400) counts.clientErrors++;
      return { status: response.status, json };
    };
    const conversationIds: string[] = [];
    const sent = new Set<string>();
    const answers: string[] = [];
    const twilioInbound = async (fields: Record<string, string>) => {
      const url = `${stack.url}/callbacks/twilio/inbound`;
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature('soak', url, Object.entries(fields)) },
        body: new URLSearchParams(fields).toString(),
      });
      counts.requests++;
      if (response.status >= 500) counts.serverErrors++;
      else if (response.status >= 400) counts.clientErrors++;
      return { status: response.status, text: await response.text() };
    };

    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (Date.now() < deadline) {
          const n = sequence++;
          const roll = n % 10;
          if (roll < 3) {
            // The production Twilio webhook handler, signed as Twilio signs, a fresh MessageSid each time.
            const sid = `SMsoak${n}`;
            sent.add(`twilio:${sid}`);
            const answer = await twilioInbound({ MessageSid: sid, AccountSid: 'ACsoak', From: customers[n % customers.length]!, To: BUSINESS[n % BUSINESS.length]!, Body: `inbound ${n}`, NumMedia: '0' });
            if (answer.status === 200 && answer.text.includes('<Response/>')) counts.inboundAccepted++;
            else answers.push(`twilio ${answer.status} ${answer.text.slice(0, 200)}`);
          } else if (roll < 5) {
            // The production inbound function, invoked as the two-way SMS topic invokes it.
            const id = `soak-sns-${n}`;
            sent.add(`aws-sms:${id}`);
            const answer = await request('POST', '/local/sns/inbound-sms', { originationNumber: customers[n % customers.length], destinationNumber: BUSINESS[n % BUSINESS.length], messageKeyword: 'KEYWORD_1', messageBody: `inbound ${n}`, inboundMessageId: id, previousPublishedMessageId: '' });
            if (answer.status === 200 && answer.json.outcomes?.[0] === 'stored') counts.inboundAccepted++;
            else answers.push(`sns ${answer.status} ${JSON.stringify(answer.json).slice(0, 200)}`);
          } else if (roll < 7) {
            const answer = await request('POST', '/messages', { record: { type: 'contact', id: `soak-${n % 50}` }, from: BUSINESS[0], body: `outbound ${n}` });
            if (answer.status === 202) {
              counts.outboundAccepted++;
              if (conversationIds.length < 50) conversationIds.push(answer.json.conversationId);
            }
          } else if (roll < 9 || conversationIds.length === 0) {
            const answer = await request('GET', '/me/conversations?limit=25');
            if (answer.status === 200) counts.reads++;
          } else {
            const answer = await request('GET', `/conversations/${conversationIds[n % conversationIds.length]}/messages?limit=10`);
            if (answer.status === 200) counts.reads++;
          }
        }
      }),
    );

    const stored = { inbound: 0, outbound: 0 };
    const storedInbound = new Set<string>();
    let start: Record<string, unknown> | undefined;
    do {
      const page = await t.db.send(new ScanCommand({ TableName: t.table, FilterExpression: 'kind = :m', ExpressionAttributeValues: { ':m': 'message' }, ExclusiveStartKey: start }));
      for (const item of page.Items ?? []) {
        stored[item.direction as 'inbound' | 'outbound']++;
        if (item.direction === 'inbound') storedInbound.add(`${item.provider}:${item.providerMessageId}`);
      }
      start = page.LastEvaluatedKey;
    } while (start);

    console.log(`soak ${SECONDS}s:`, JSON.stringify({ ...counts, stored }));
    expect(serverErrorSamples).toEqual([]);
    expect(counts.serverErrors).toBe(0);
    expect(answers).toEqual([]);
    expect(counts.clientErrors).toBe(0);
    // What was stored is what was sent, message by message: not the server's own count of its answers.
    expect([...storedInbound].sort()).toEqual([...sent].sort());
    expect(counts.inboundAccepted).toBeGreaterThan(0);
    expect(counts.outboundAccepted).toBeGreaterThan(0);
    expect(stored.inbound).toBe(sent.size);
    expect(counts.inboundAccepted).toBe(sent.size);
    expect(stored.outbound).toBe(counts.outboundAccepted);
  }, (SECONDS + 60) * 1000);
});
