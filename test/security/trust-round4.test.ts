import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { CursorCodec } from '../../shared/http/cursor';
import { isOptedOut } from '../../shared/store/items/opt-out';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createReports } from '../../functions/delivery-reports/handler';
import pinpointSuccess from '../fixtures/pinpoint-sms-success.json';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { applyStatus, messageItem, newMessage } from '../../shared/store/items/message';
import { lambdaContext } from '../helpers/api';
import { createHandler as createLive } from '../../functions/live/handler';
import { LIVE_CONNECTION_MAX_SECONDS, MAX_LIVE_CONNECTIONS_PER_SELLER } from '../../shared/domain/live';
import { keys } from '../../shared/store/keys';
import { tableAccess } from '../../infra/stack';

/** Trust, round 4: consent that cannot disagree with itself, and consent changes that follow a moving conversation. */
const N = '+14255594001';
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let privacy: ReturnType<typeof createPrivacy>;
let reassignment: ReturnType<typeof createReassignment>;
let org: OrgBuilder;
const as = (sub: string): Identity => ({ sub });
const customer = (i: number) => `+1425559${String(5000 + i).padStart(4, '0')}`;
const say = (from: string, body: string) => {
  t.clock.advance(1000);
  return inboundSender(t)({ from, to: N, body });
};
const consentPath = (c: string) => `/consent/${encodeURIComponent(c)}/${encodeURIComponent(N)}`;
type Conversation = { id: string; customerNumber: string; optedOut: boolean; likelyOptOut?: true };
const conversationOf = async (c: string) => ((await call(api, 'GET', `/records/contact/${c.slice(1)}/conversations`, { as: admin })).body.items as Conversation[])[0]!;

/** What each of the three views says: GET /consent, the conversation's `optedOut`, and what a send enforces. */
async function views(c: string) {
  const shown = ((await call(privacy, 'GET', `/consent/${encodeURIComponent(c)}`, { as: admin })).body.items as { status: string }[])[0]?.status ?? 'opted_in';
  return { shown: shown === 'opted_out', conversation: (await conversationOf(c)).optedOut, enforced: await isOptedOut(t.db, t.table, c, N) };
}

beforeAll(async () => {
  t = await freshTable();
  org = new OrgBuilder(t);
  await org.seller('alice');
  await org.seller('bob');
  await org.number(N, { type: 'seller', id: 'alice' });
  await org.record('opportunity', 'deal', { ownerId: 'alice' });
  api = createSellerApi(t);
  privacy = createPrivacy(t, new CursorCodec(async () => 'k'), { hashKey: async () => 'k' });
  reassignment = createReassignment(t);
});

describe('consent decided by one write', () => {
  it('a seller may record an opt-out but not re-opt a customer in (403, nothing changes); an admin may', async () => {
    const c = customer(1);
    await org.record('contact', c.slice(1), { mobile: c, ownerId: 'alice' });
    await say(c, 'STOP');
    const refused = await call(privacy, 'PUT', consentPath(c), { as: as('alice'), body: { status: 'opted_in', reason: 'They said it was a mistake' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('InsufficientPrivileges');
    expect(await views(c)).toEqual({ shown: true, conversation: true, enforced: true });
    expect((await call(privacy, 'PUT', consentPath(c), { as: as('alice'), body: { status: 'opted_out', reason: 'Asked by phone' } })).status).toBe(200);
    expect((await call(privacy, 'PUT', consentPath(c), { as: admin, body: { status: 'opted_in', reason: 'Written consent on file' } })).status).toBe(200);
    expect(await views(c)).toEqual({ shown: false, conversation: false, enforced: false });
  });

  it('concurrent opt-outs and opt-ins: GET /consent, the conversation and sends always agree', async () => {
    const pairs = 60;
    for (let i = 0; i < pairs; i++) await org.record('contact', customer(100 + i).slice(1), { mobile: customer(100 + i), ownerId: 'alice' });
    await Promise.all(Array.from({ length: pairs }, (_, i) => say(customer(100 + i), 'Hello')));
    const answers = await Promise.all(
      Array.from({ length: pairs }, (_, i) => [
        call(privacy, 'PUT', consentPath(customer(100 + i)), { as: admin, body: { status: 'opted_out', reason: 'race' } }),
        call(privacy, 'PUT', consentPath(customer(100 + i)), { as: admin, body: { status: 'opted_in', reason: 'race' } }),
      ]).flat(),
    );
    // Never a 500: an opt-in decided on a state that changed answers 409.
    expect(answers.map((a) => a.status).filter((s) => s !== 200 && s !== 409)).toEqual([]);
    for (let i = 0; i < pairs; i++) {
      const seen = await views(customer(100 + i));
      expect(seen.conversation, customer(100 + i)).toBe(seen.enforced);
      expect(seen.shown, customer(100 + i)).toBe(seen.enforced);
    }
  }, 120_000);

  it('a customer\'s STOP racing an admin\'s opt-in: never a 500, the views agree, and a refused opt-in leaves the customer opted out', async () => {
    const pairs = 40;
    for (let i = 0; i < pairs; i++) {
      await org.record('contact', customer(300 + i).slice(1), { mobile: customer(300 + i), ownerId: 'alice' });
      await say(customer(300 + i), 'STOP');
    }
    const admins = await Promise.all(
      Array.from({ length: pairs }, async (_, i) => {
        const [answer] = await Promise.all([call(privacy, 'PUT', consentPath(customer(300 + i)), { as: admin, body: { status: 'opted_in', reason: 'Consent on file' } }), say(customer(300 + i), 'STOP')]);
        return answer.status;
      }),
    );
    expect(admins.filter((s) => s !== 200 && s !== 409)).toEqual([]);
    for (let i = 0; i < pairs; i++) {
      const seen = await views(customer(300 + i));
      expect(seen.conversation).toBe(seen.enforced);
      expect(seen.shown).toBe(seen.enforced);
      if (admins[i] === 409) expect(seen.enforced, customer(300 + i)).toBe(true);
    }
  }, 120_000);

  it('a STOP that lands after an admin decided to opt the customer in wins: the opt-in answers 409 and changes nothing', async () => {
    const c = customer(400);
    await org.record('contact', c.slice(1), { mobile: c, ownerId: 'alice' });
    await say(c, 'STOP');
    // The admin's request has read the state; the customer's STOP commits before its write does.
    let stopped = false;
    const db = new Proxy(t.db, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
        return async (command: { input?: { TransactItems?: { Update?: { ConditionExpression?: string } }[] } }) => {
          if (!stopped && command.input?.TransactItems?.some((item) => item.Update?.ConditionExpression?.includes('version'))) {
            stopped = true;
            await say(c, 'STOP');
          }
          return target.send(command as never);
        };
      },
    });
    const racedPrivacy = createPrivacy({ ...t, db }, new CursorCodec(async () => 'k'), { hashKey: async () => 'k' });
    const answer = await call(racedPrivacy, 'PUT', consentPath(c), { as: admin, body: { status: 'opted_in', reason: 'Consent on file' } });
    expect(stopped).toBe(true);
    expect(answer.status).toBe(409);
    expect(answer.body.error.code).toBe('Conflict');
    expect(await views(c)).toEqual({ shown: true, conversation: true, enforced: true });
  });
});

describe('consent changes follow a conversation that moves', () => {
  it('a dismissed likely opt-out or a recorded opt-out racing a move answers 200 (or 409), never 500, and is kept', async () => {
    const rounds = 12;
    const statuses: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const c = customer(500 + i);
      await org.record('contact', c.slice(1), { mobile: c, ownerId: 'alice' });
      await say(c, 'Stop. Thank you');
      const flagged = await conversationOf(c);
      expect(flagged.likelyOptOut).toBe(true);
      const racing = i % 2 === 0
        ? call(reassignment, 'POST', `/conversations/${flagged.id}/likely-opt-out/dismiss`, { as: as('alice') })
        : call(privacy, 'PUT', consentPath(c), { as: as('alice'), body: { status: 'opted_out', reason: 'They meant it' } });
      const [change, move] = await Promise.all([racing, call(reassignment, 'POST', `/conversations/${flagged.id}/move`, { as: as('alice'), body: { record: { type: 'opportunity', id: 'deal' } } })]);
      statuses.push(change.status, move.status);
      if (i % 2 === 1 && change.status === 200) expect(await isOptedOut(t.db, t.table, c, N), c).toBe(true);
    }
    expect(statuses.filter((s) => s !== 200 && s !== 409)).toEqual([]);
  }, 120_000);
});

describe('live connections are bounded per seller', () => {
  it('a seller opening many connections gets at most 10; the 11th is refused (429) and stores nothing; an expired one makes room', async () => {
    // Tokens on the test clock: the token is its expiry (the signature checks are live.test.ts's).
    const live = createLive(t, async (token) => ({ sub: 'flood', exp: Number(token) }));
    const nowSeconds = Math.floor(t.clock.now().getTime() / 1000);
    const connect = async (id: string, exp = nowSeconds + 3600) => (await live({ requestContext: { routeKey: '$connect', connectionId: id, eventType: 'CONNECT' }, queryStringParameters: { token: String(exp) } }, lambdaContext)) as { statusCode: number };
    // One connection whose token is about to expire, then 9 more: the map is full.
    expect((await connect('flood-short', nowSeconds + 30)).statusCode).toBe(200);
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => connect(`flood-${i}`)));
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(MAX_LIVE_CONNECTIONS_PER_SELLER - 1);
    expect(answers.filter((a) => a.statusCode === 429)).toHaveLength(40 - (MAX_LIVE_CONNECTIONS_PER_SELLER - 1));
    const map = async () => Object.keys(((await t.db.send(new GetCommand({ TableName: t.table, Key: keys.liveConnections('flood') }))).Item?.connections as Record<string, number> | undefined) ?? {});
    expect(await map()).toHaveLength(MAX_LIVE_CONNECTIONS_PER_SELLER);
    const refusedId = answers.map((a, i) => (a.statusCode === 429 ? `flood-${i}` : undefined)).find(Boolean)!;
    expect((await t.db.send(new GetCommand({ TableName: t.table, Key: keys.liveConnection(refusedId) }))).Item).toBeUndefined();
    // Once the short token has expired, its entry makes room for a new connection.
    t.clock.advance(60_000);
    expect((await connect('flood-after')).statusCode).toBe(200);
    expect(await map()).toHaveLength(MAX_LIVE_CONNECTIONS_PER_SELLER);
    expect(await map()).not.toContain('flood-short');
  });

  it('connection maps live apart from sellers\' profiles: the live function\'s role may not write SELLER# at all', () => {
    expect(Object.keys(tableAccess.live.writes)).not.toContain('SELLER#');
    expect(keys.liveConnections('alice').pk.startsWith('SELLER#')).toBe(false);
  });
});

describe('the red team\'s surviving mutations, each caught here', () => {
  it('an admin\'s opt-in clears a likely opt-out on the customer\'s conversations with that number', async () => {
    const c = customer(600);
    await org.record('contact', c.slice(1), { mobile: c, ownerId: 'alice' });
    await say(c, 'Stop. Thank you');
    expect((await conversationOf(c)).likelyOptOut).toBe(true);
    expect((await call(privacy, 'PUT', consentPath(c), { as: admin, body: { status: 'opted_in', reason: 'Confirmed by phone: keep texting' } })).status).toBe(200);
    expect((await conversationOf(c)).likelyOptOut).toBeUndefined();
  });

  it('concurrent sends with one Idempotency-Key store and send one message', async () => {
    const c = customer(601);
    await org.record('contact', c.slice(1), { mobile: c, ownerId: 'alice' });
    const sandbox = new SandboxProvider();
    const outbound = createOutbound(t, () => sandbox);
    const body = { record: { type: 'contact', id: c.slice(1) }, from: N, body: 'Only once' };
    const answers = await Promise.all(Array.from({ length: 6 }, () => call(outbound, 'POST', '/messages', { as: as('alice'), body, headers: { 'idempotency-key': 'round4-once' } })));
    expect(answers.map((a) => a.status).filter((s) => s !== 202)).toEqual([]);
    expect(new Set(answers.map((a) => a.body.id as string)).size).toBe(1);
    expect(sandbox.outbox.filter((m) => m.to === c)).toHaveLength(1);
  });

  it('a later connection extends the seller\'s connection item to its own two hours', async () => {
    const live = createLive(t, async (token) => ({ sub: 'tabs', exp: Number(token) }));
    const connectAt = async (id: string) => {
      const nowSeconds = Math.floor(t.clock.now().getTime() / 1000);
      await live({ requestContext: { routeKey: '$connect', connectionId: id, eventType: 'CONNECT' }, queryStringParameters: { token: String(nowSeconds + 3600) } }, lambdaContext);
      return nowSeconds;
    };
    await connectAt('tab-1');
    t.clock.advance(90 * 60_000);
    const later = await connectAt('tab-2');
    const item = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.liveConnections('tabs') }))).Item!;
    expect(item.expiresAt).toBe(later + LIVE_CONNECTION_MAX_SECONDS);
  });

  it('a later status clears a reason that no longer holds', async () => {
    const conversation = { id: 'c-reason', record: { type: 'contact' as const, id: 'x' }, assignedTo: { type: 'seller' as const, id: 'alice' } };
    const item = messageItem(newMessage(conversation, { id: 'm-reason', direction: 'outbound', from: N, to: customer(602), body: 'x', createdAt: '2026-11-01T09:00:00.000Z', status: 'unknown', provider: 'sandbox' }));
    await t.db.send(new PutCommand({ TableName: t.table, Item: { ...item, statusReason: 'ProviderTimeout' } }));
    const key = { pk: item.pk as string, sk: item.sk as string };
    expect(await applyStatus(t.db, t.table, key, { status: 'delivered', occurredAt: '2026-11-01T09:01:00.000Z' })).toBe('applied');
    const stored = (await t.db.send(new GetCommand({ TableName: t.table, Key: key }))).Item!;
    expect(stored.status).toBe('delivered');
    expect(stored.statusReason).toBeUndefined();
  });
});

describe('delivery reports from the Pinpoint event stream (Kinesis)', () => {
  it('a record whose report cannot be stored (DynamoDB throttles) is reported as a batch item failure, not swallowed', async () => {
    const throttled = new Proxy(t.db, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
        return async () => {
          throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), { name: 'ProvisionedThroughputExceededException' });
        };
      },
    });
    const reports = createReports({ ...t, db: throttled });
    const record = (data: string, sequenceNumber: string) => ({ eventSource: 'aws:kinesis', kinesis: { data: Buffer.from(data).toString('base64'), sequenceNumber } });
    const answer = (await reports({ Records: [record('not json', '1'), record(JSON.stringify(pinpointSuccess), '2')] } as never, lambdaContext)) as { batchItemFailures: { itemIdentifier: string }[] };
    // The undecodable record is skipped (retrying cannot help); the throttled one is retried by the stream.
    expect(answer.batchItemFailures).toEqual([{ itemIdentifier: '2' }]);
  });
});
