import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { SNSClient } from '@aws-sdk/client-sns';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand, GoneException, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier, NOTIFIER_MAPPING } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { LocalAuth } from '../../scripts/local/local-auth';
import { createHandler as createLive, type LiveEvent } from '../../functions/live/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { CursorCodec } from '../../shared/http/cursor';
import { keys } from '../../shared/store/keys';
import { openConnection } from '../../shared/store/items/live-connection';
import { apiGatewayLiveChannel } from '../../shared/live/api-gateway-channel';
import { jwtTokenVerifier } from '../../shared/live/token-verifier';
import type { LiveChannel } from '../../shared/flows/live-hints';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { createHandler as createScheduledSend } from '../../functions/scheduled-send/handler';
import { LocalScheduler } from '../../scripts/local/local-scheduler';
import { LOCAL_SCHEDULER_SETTINGS } from '../../scripts/local/server';
import { EventBridgeMessageScheduler } from '../../shared/schedules/message-scheduler';

/** Live updates (contract, "Live updates"): who receives which frame, and who never does. */
const TEAM_NUMBER = '+14255581000';
const BOB_NUMBER = '+14255581001';
const CUSTOMER = '+14255581050';
const OTHER_CUSTOMER = '+14255581051';
const snsMock = mockClient(SNSClient);

/** The local stand-in's side of API Gateway: frames per connection, and connections that are gone. */
class RecordingChannel implements LiveChannel {
  readonly frames: { connectionId: string; frame: Record<string, unknown> }[] = [];
  readonly closed: string[] = [];
  readonly gone = new Set<string>();
  async post(connectionId: string, data: string) {
    if (this.gone.has(connectionId)) return 'gone' as const;
    this.frames.push({ connectionId, frame: JSON.parse(data) as Record<string, unknown> });
    return 'sent' as const;
  }
  async close(connectionId: string) {
    this.closed.push(connectionId);
  }
}

let t: TestTable;
let org: OrgBuilder;
let channel: RecordingChannel;
let poller: StreamPoller;
let live: ReturnType<typeof createLive>;
let auth: LocalAuth;
let api: ReturnType<typeof createSellerApi>;
let reassignment: ReturnType<typeof createReassignment>;
let privacy: ReturnType<typeof createPrivacy>;
let receive: ReturnType<typeof inboundSender>;
let sequence = 0;
/** Connection ids by seller (a seller may have several tabs). */
const tabs = new Map<string, string[]>();
const as = (sub: string): Identity => ({ sub });

const connectEvent = (connectionId: string, token?: string): LiveEvent => ({ requestContext: { routeKey: '$connect', connectionId, eventType: 'CONNECT' }, queryStringParameters: token === undefined ? null : { token } });

async function connect(sellerId: string): Promise<string> {
  const connectionId = `conn-${sellerId}-${sequence++}=`;
  const answer = (await live(connectEvent(connectionId, await auth.issue(sellerId)), lambdaContext)) as { statusCode: number };
  expect(answer.statusCode).toBe(200);
  tabs.set(sellerId, [...(tabs.get(sellerId) ?? []), connectionId]);
  return connectionId;
}

/** The frames each seller's connections received since `from`, by seller. */
function framesBySeller(from = 0) {
  const owner = new Map([...tabs].flatMap(([seller, ids]) => ids.map((id) => [id, seller] as const)));
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const { connectionId, frame } of channel.frames.slice(from)) (out[owner.get(connectionId) ?? connectionId] ??= []).push(frame);
  return out;
}

/** Runs `action`, drains the stream, and answers the frames it caused, by seller. */
async function framesOf(action: () => Promise<unknown>) {
  const from = channel.frames.length;
  await action();
  await poller.drain();
  return framesBySeller(from);
}

const conversationIdOf = async (seller: string, customer: string) =>
  ((await call(api, 'GET', '/me/conversations?limit=100', { as: as(seller) })).body.items as { id: string; customerNumber: string }[]).find((c) => c.customerNumber === customer)?.id;

beforeAll(async () => {
  t = await freshTable();
  org = new OrgBuilder(t);
  await org.team('east');
  await org.seller('carol', { teamIds: ['east'] });
  await org.seller('dave', { teamIds: ['east'] });
  await org.seller('frank', { teamIds: ['east'] });
  await org.seller('bob');
  await org.seller('olga');
  // Sees nothing of the busy team number: must never hear of it.
  await org.seller('erin');
  await org.number(TEAM_NUMBER, { type: 'team', id: 'east' });
  await org.number(BOB_NUMBER, { type: 'seller', id: 'bob' });
  await org.record('contact', 'c1', { mobile: CUSTOMER, ownerId: 'olga' });
  await org.record('contact', 'c2', { mobile: OTHER_CUSTOMER });
  await org.record('contact', 'bobs', { name: 'Bob\'s contact', ownerId: 'bob' });
  channel = new RecordingChannel();
  auth = new LocalAuth('live-test-secret');
  live = createLive(t, (token) => auth.verify(token));
  const notifier = testNotifier(t, 'arn:aws:sns:us-east-1:1:n', channel);
  poller = new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING);
  api = createSellerApi(t, new CursorCodec(async () => 'k'));
  reassignment = createReassignment(t);
  privacy = createPrivacy(t, new CursorCodec(async () => 'k'), { hashKey: async () => 'k' });
  receive = inboundSender(t);
  await poller.drain();
  for (const seller of ['carol', 'dave', 'frank', 'bob', 'bob', 'olga', 'erin']) await connect(seller);
  await poller.drain();
});

beforeEach(() => snsMock.reset());

describe('send later', () => {
  it('scheduling, the send when its schedule fires and a cancel each reach the conversation\'s viewers as frames, nobody else', async () => {
    const customer = '+14255581070';
    await org.record('contact', 'later', { mobile: customer, ownerId: 'bob' });
    const local = new LocalScheduler(async () => undefined, { autoFire: false });
    const schedules = () => new EventBridgeMessageScheduler(local as unknown as SchedulerClient, LOCAL_SCHEDULER_SETTINGS);
    const sandbox = new SandboxProvider();
    const outbound = createOutbound(t, () => sandbox, undefined, schedules);
    const fire = createScheduledSend(t, () => sandbox, { scheduler: schedules });
    local.setTarget((input) => fire(input as never, lambdaContext));
    const sendAt = new Date(t.clock.now().getTime() + 5 * 60_000).toISOString();
    const schedule = (body: string) => call(outbound, 'POST', '/messages', { as: as('bob'), body: { record: { type: 'contact', id: 'later' }, from: BOB_NUMBER, body, sendAt } });
    let first: { id: string; conversationId: string } = { id: '', conversationId: '' };
    const scheduled = await framesOf(async () => (first = (await schedule('See you at nine')).body));
    const frame = (change: string) => ({ type: 'conversation', conversationId: first.conversationId, change });
    expect(scheduled.bob).toContainEqual(frame('message'));
    expect(scheduled.erin).toBeUndefined();
    let second = '';
    const another = await framesOf(async () => (second = (await schedule('Or at ten')).body.id));
    expect(another.bob).toContainEqual(frame('message'));
    const canceled = await framesOf(() => call(outbound, 'DELETE', `/messages/${second}`, { as: as('bob') }));
    expect(canceled.bob).toContainEqual(frame('status'));
    const sent = await framesOf(async () => {
      t.clock.set(sendAt);
      await local.fireDue(t.clock.now());
    });
    expect(sent.bob).toContainEqual(frame('status'));
    expect(sent.erin).toBeUndefined();
    expect(sandbox.outbox.map((m) => m.body)).toEqual(['See you at nine']);
  });
});

describe('frames reach exactly the viewers', () => {
  it('an inbound message to a team number: every member and the record owner, once per tab; nobody else', async () => {
    const frames = await framesOf(() => receive({ from: CUSTOMER, to: TEAM_NUMBER, body: 'Is the offer still open?' }));
    const conversationId = await conversationIdOf('carol', CUSTOMER);
    for (const seller of ['carol', 'dave', 'frank', 'olga']) {
      expect(frames[seller]).toContainEqual({ type: 'conversation', conversationId, change: 'message' });
      expect(frames[seller]!.filter((f) => f.type === 'conversation')).toHaveLength(1);
    }
    // The bell: each recipient's unread count.
    expect(frames.carol).toContainEqual({ type: 'notification', unread: 1 });
    expect(frames.bob).toBeUndefined();
    expect(frames.erin).toBeUndefined();
  });

  it('a seller with two tabs gets the frame in each', async () => {
    const before = channel.frames.length;
    await framesOf(() => receive({ from: OTHER_CUSTOMER, to: BOB_NUMBER, body: 'Hello Bob' }));
    const conversationId = await conversationIdOf('bob', OTHER_CUSTOMER);
    const bobs = channel.frames.slice(before).filter((f) => f.frame.conversationId === conversationId && f.frame.change === 'message');
    expect(bobs.map((f) => f.connectionId).sort()).toEqual([...tabs.get('bob')!].sort());
  });

  it('frames carry ids and kinds only: no text, number or name', async () => {
    const everything = JSON.stringify(channel.frames.map((f) => f.frame));
    for (const secret of ['offer', 'Hello Bob', CUSTOMER, OTHER_CUSTOMER, 'contact c1', 'carol']) expect(everything).not.toContain(secret);
    for (const { frame } of channel.frames) {
      expect(Object.keys(frame).every((k) => ['type', 'conversationId', 'change', 'unread'].includes(k))).toBe(true);
    }
  });

  it('reading in one tab tells that seller\'s other tabs, and no one else', async () => {
    const conversationId = (await conversationIdOf('bob', OTHER_CUSTOMER))!;
    const frames = await framesOf(() => call(api, 'POST', `/conversations/${conversationId}/read`, { as: as('bob') }));
    expect(Object.keys(frames)).toEqual(['bob']);
    // Reading the conversation also read its notifications: the bell says so too.
    expect(frames.bob!.filter((f) => f.type === 'notification')).toEqual([{ type: 'notification', unread: 0 }, { type: 'notification', unread: 0 }]);
    expect(frames.bob!.filter((f) => f.type === 'conversation')).toEqual([
      { type: 'conversation', conversationId, change: 'read' },
      { type: 'conversation', conversationId, change: 'read' },
    ]);
  });

  it('the tab that reads (X-Live-Tab) gets no read or bell frame of its own reading; the seller\'s other tabs do', async () => {
    const tab = 'tab-6f1c2a9e-reader';
    const connectionId = `conn-bob-named-${sequence++}=`;
    expect(((await live({ ...connectEvent(connectionId, await auth.issue('bob')), queryStringParameters: { token: await auth.issue('bob'), tab } }, lambdaContext)) as { statusCode: number }).statusCode).toBe(200);
    tabs.set('bob', [...tabs.get('bob')!, connectionId]);
    await framesOf(() => receive({ from: OTHER_CUSTOMER, to: BOB_NUMBER, body: 'Are you there?' }));
    const conversationId = (await conversationIdOf('bob', OTHER_CUSTOMER))!;
    const framesTo = (from: number, id: string) => channel.frames.slice(from).filter((f) => f.connectionId === id).map((f) => f.frame);

    let from = channel.frames.length;
    const read = await call(api, 'POST', `/conversations/${conversationId}/read`, { as: as('bob'), headers: { 'x-live-tab': tab } });
    expect(read.status).toBe(200);
    await poller.drain();
    expect(framesTo(from, connectionId)).toEqual([]);
    const others = tabs.get('bob')!.filter((id) => id !== connectionId);
    for (const other of others) expect(framesTo(from, other)).toEqual(expect.arrayContaining([{ type: 'conversation', conversationId, change: 'read' }, { type: 'notification', unread: 0 }]));

    // One notification read by id, and read-all: the same.
    await framesOf(() => receive({ from: OTHER_CUSTOMER, to: BOB_NUMBER, body: 'Hello?' }));
    const [unread] = (await call(api, 'GET', '/me/notifications?unread=true', { as: as('bob') })).body.items as { id: string }[];
    from = channel.frames.length;
    expect((await call(api, 'POST', `/me/notifications/${unread!.id}/read`, { as: as('bob'), headers: { 'x-live-tab': tab } })).status).toBe(200);
    await poller.drain();
    expect(framesTo(from, connectionId)).toEqual([]);
    expect(framesTo(from, others[0]!)).toEqual([{ type: 'notification', unread: 0 }]);
    await framesOf(() => receive({ from: OTHER_CUSTOMER, to: BOB_NUMBER, body: 'Hello again?' }));
    from = channel.frames.length;
    expect((await call(api, 'POST', '/me/notifications/read-all', { as: as('bob'), headers: { 'x-live-tab': tab } })).body).toEqual({ updated: 1 });
    await poller.drain();
    expect(framesTo(from, connectionId)).toEqual([]);
    expect(framesTo(from, others[0]!)).toEqual([{ type: 'notification', unread: 0 }]);

    // A read without the header (another device, a script) tells every tab, the named one too.
    await framesOf(() => receive({ from: OTHER_CUSTOMER, to: BOB_NUMBER, body: 'Last one' }));
    from = channel.frames.length;
    await call(api, 'POST', `/conversations/${conversationId}/read`, { as: as('bob') });
    await poller.drain();
    expect(framesTo(from, connectionId)).toContainEqual({ type: 'conversation', conversationId, change: 'read' });
  });

  it('a malformed X-Live-Tab is a 400 in the contract format; a malformed ?tab= only goes unnamed', async () => {
    const conversationId = (await conversationIdOf('bob', OTHER_CUSTOMER))!;
    const answer = await call(api, 'POST', `/conversations/${conversationId}/read`, { as: as('bob'), headers: { 'x-live-tab': 'no spaces allowed' } });
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('ValidationError');
    const connectionId = `conn-frank-odd-${sequence++}=`;
    const token = await auth.issue('frank');
    expect(((await live({ ...connectEvent(connectionId, token), queryStringParameters: { token, tab: '<script>' } }, lambdaContext)) as { statusCode: number }).statusCode).toBe(200);
    const stored = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.liveConnections('frank') }))).Item!;
    expect(stored.connections[connectionId]).toEqual({ tokenExpiresAt: expect.any(Number) });
    await live({ requestContext: { routeKey: '$disconnect', connectionId, eventType: 'DISCONNECT' } }, lambdaContext);
  });

  it('connections stored before tabs were named (a bare expiry) still get frames', async () => {
    const nowSeconds = Math.floor(Date.now() / 1000);
    await t.db.send(new PutCommand({ TableName: t.table, Item: { ...keys.liveConnections('olga'), kind: 'liveConnections', sellerId: 'olga', connections: { 'conn-olga-legacy=': nowSeconds + 3600 }, expiresAt: nowSeconds + 7200 } }));
    tabs.set('olga', [...(tabs.get('olga') ?? []), 'conn-olga-legacy=']);
    const frames = await framesOf(() => receive({ from: CUSTOMER, to: TEAM_NUMBER, body: 'For the team' }));
    expect(channel.frames.some((f) => f.connectionId === 'conn-olga-legacy=')).toBe(true);
    expect(frames.olga).toContainEqual({ type: 'notification', unread: expect.any(Number) });
  });

  it('a delivery status reaches the thread\'s viewers', async () => {
    const sandbox = new SandboxProvider();
    const outbound = createOutbound(t, () => sandbox);
    const conversationId = (await conversationIdOf('bob', OTHER_CUSTOMER))!;
    const frames = await framesOf(() => call(outbound, 'POST', `/conversations/${conversationId}/messages`, { as: as('bob'), body: { body: 'On my way' } }));
    expect(frames.bob).toContainEqual({ type: 'conversation', conversationId, change: 'message' });
    expect(frames.bob).toContainEqual({ type: 'conversation', conversationId, change: 'status' });
    expect(frames.erin).toBeUndefined();
  });
});

describe('no frame once a seller cannot see the conversation', () => {
  it('a demoted seller hears nothing more of conversations (their own notifications still count)', async () => {
    const conversationId = await conversationIdOf('carol', CUSTOMER);
    await org.seller('frank', { teamIds: ['east'], roles: [] });
    const frames = await framesOf(() => receive({ from: CUSTOMER, to: TEAM_NUMBER, body: 'Anyone there?' }));
    expect(frames.carol).toContainEqual({ type: 'conversation', conversationId, change: 'message' });
    expect((frames.frank ?? []).filter((f) => f.type === 'conversation')).toEqual([]);
    await org.seller('frank', { teamIds: ['east'] });
  });

  it('a hand-off away: the new assignee hears of it; the team that gave it away hears nothing more', async () => {
    const conversationId = (await conversationIdOf('carol', CUSTOMER))!;
    const handOff = await framesOf(() => call(reassignment, 'POST', `/conversations/${conversationId}/assign`, { as: as('carol'), body: { assignedTo: { type: 'seller', id: 'bob' } } }));
    expect(handOff.bob).toContainEqual({ type: 'conversation', conversationId, change: 'assigned' });
    expect(handOff.olga).toContainEqual({ type: 'conversation', conversationId, change: 'assigned' });
    for (const seller of ['carol', 'dave', 'frank', 'erin']) expect((handOff[seller] ?? []).filter((f) => f.type === 'conversation')).toEqual([]);

    const later = await framesOf(() => receive({ from: CUSTOMER, to: TEAM_NUMBER, body: 'Following up' }));
    expect(later.bob).toContainEqual({ type: 'conversation', conversationId, change: 'message' });
    for (const seller of ['carol', 'dave', 'frank', 'erin']) expect((later[seller] ?? []).filter((f) => f.type === 'conversation')).toEqual([]);

    // The new assignee answers: its status reaches every current viewer (the record's owner too), not only the sender.
    const reply = await framesOf(() => call(createOutbound(t, () => new SandboxProvider()), 'POST', `/conversations/${conversationId}/messages`, { as: as('bob'), body: { body: 'Happy to help' } }));
    expect(reply.bob).toContainEqual({ type: 'conversation', conversationId, change: 'status' });
    expect(reply.olga).toContainEqual({ type: 'conversation', conversationId, change: 'status' });
    for (const seller of ['carol', 'dave', 'frank', 'erin']) expect((reply[seller] ?? []).filter((f) => f.type === 'conversation')).toEqual([]);
  });

  it('a move to another owner\'s record: the old record owner hears nothing more', async () => {
    const conversationId = (await conversationIdOf('bob', CUSTOMER))!;
    let status = 0;
    const moved = await framesOf(async () => (status = (await call(reassignment, 'POST', `/conversations/${conversationId}/move`, { as: as('bob'), body: { record: { type: 'contact', id: 'bobs' } } })).status));
    expect(status).toBe(200);
    expect(moved.bob).toContainEqual({ type: 'conversation', conversationId, change: 'moved' });
    expect((moved.olga ?? []).filter((f) => f.type === 'conversation')).toEqual([]);
    const later = await framesOf(() => receive({ from: CUSTOMER, to: TEAM_NUMBER, body: 'Still here' }));
    expect(later.bob).toContainEqual({ type: 'conversation', conversationId, change: 'message' });
    expect((later.olga ?? []).filter((f) => f.type === 'conversation')).toEqual([]);
  });

  it('an erasure tells those who saw the conversation `erased`, then nothing', async () => {
    const conversationId = (await conversationIdOf('bob', CUSTOMER))!;
    const erased = await framesOf(() => call(privacy, 'DELETE', `/customers/${encodeURIComponent(CUSTOMER)}`, { as: admin }));
    expect(erased.bob).toContainEqual({ type: 'conversation', conversationId, change: 'erased' });
    for (const seller of ['carol', 'olga', 'erin']) expect(JSON.stringify(erased[seller] ?? [])).not.toContain(conversationId);
  });
});

describe('connections', () => {
  it('refuses a missing, invalid, expired or foreign token', async () => {
    const expired = await auth.issue('carol', [], Math.floor(Date.now() / 1000) - 60);
    const foreign = await new LocalAuth('someone-else').issue('carol');
    for (const token of [undefined, '', 'not-a-jwt', expired, foreign]) {
      const answer = (await live(connectEvent(`refused-${sequence++}`, token), lambdaContext)) as { statusCode: number };
      expect(answer.statusCode).toBe(401);
    }
  });

  it('verifies AWS tokens with aws-jwt-verify: issuer, audience, signature and expiry', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const issuer = 'https://idp.example.com';
    const verify = jwtTokenVerifier({ issuer, audience: 'sms-crm', jwksUri: `${issuer}/keys`, jwks: { keys: [jwk] } as never });
    const sign = (claims: { aud?: string; iss?: string; exp?: number }) =>
      new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('carol').setIssuer(claims.iss ?? issuer).setAudience(claims.aud ?? 'sms-crm').setIssuedAt().setExpirationTime(claims.exp ?? '1h').sign(privateKey);
    expect(await verify(await sign({}))).toMatchObject({ sub: 'carol', exp: expect.any(Number) });
    expect(await verify(await sign({ aud: 'another-app' }))).toBeUndefined();
    expect(await verify(await sign({ iss: 'https://evil.example.com' }))).toBeUndefined();
    expect(await verify(await sign({ exp: Math.floor(Date.now() / 1000) - 10 }))).toBeUndefined();
    const { privateKey: otherKey } = await generateKeyPair('RS256');
    expect(await verify(await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setSubject('carol').setIssuer(issuer).setAudience('sms-crm').setExpirationTime('1h').sign(otherKey))).toBeUndefined();
  });

  it('an external issuer whose keys are not at /.well-known/jwks.json: its OIDC discovery document says where (Okta, Entra ID, Keycloak)', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'okta-1', alg: 'RS256', use: 'sig' };
    const requested: string[] = [];
    let advertisedIssuer: string | undefined;
    const server = createServer((request, response) => {
      requested.push(request.url!);
      const json = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.url === '/oauth2/default/.well-known/openid-configuration') return json({ issuer: advertisedIssuer ?? issuer, jwks_uri: `${origin}/oauth2/default/v1/keys`, authorization_endpoint: `${origin}/oauth2/default/v1/authorize` });
      if (request.url === '/oauth2/default/v1/keys') return json({ keys: [jwk] });
      response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const issuer = `${origin}/oauth2/default`;
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'okta-1' }).setSubject('carol').setIssuer(issuer).setAudience('api://sms').setIssuedAt().setExpirationTime('1h').sign(privateKey);
    try {
      const external = createLive(t, jwtTokenVerifier({ issuer, audience: 'api://sms' }));
      const answer = (await external(connectEvent(`external-${sequence++}`, token), lambdaContext)) as { statusCode: number };
      expect(answer.statusCode).toBe(200);
      expect(requested).toEqual(['/oauth2/default/.well-known/openid-configuration', '/oauth2/default/v1/keys']);
      expect(requested).not.toContain('/oauth2/default/.well-known/jwks.json');
      // A discovery document that names another issuer is not trusted.
      advertisedIssuer = 'https://evil.example.com';
      const misled = createLive(t, jwtTokenVerifier({ issuer, audience: 'api://sms' }));
      expect(((await misled(connectEvent(`external-${sequence++}`, token), lambdaContext)) as { statusCode: number }).statusCode).toBe(401);
    } finally {
      server.close();
    }
  });

  it('a gone connection is forgotten; $disconnect forgets its connection', async () => {
    const goneId = await connect('dave');
    channel.gone.add(goneId);
    await framesOf(() => receive({ from: OTHER_CUSTOMER, to: TEAM_NUMBER, body: 'For the team' }));
    const daves = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.liveConnections('dave') }))).Item!.connections as Record<string, number>;
    expect(Object.keys(daves)).not.toContain(goneId);
    expect((await t.db.send(new GetCommand({ TableName: t.table, Key: keys.liveConnection(goneId) }))).Item).toBeUndefined();

    const closing = await connect('dave');
    await live({ requestContext: { routeKey: '$disconnect', connectionId: closing, eventType: 'DISCONNECT' } }, lambdaContext);
    const after = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.liveConnections('dave') }))).Item!.connections as Record<string, number>;
    expect(Object.keys(after)).not.toContain(closing);
    expect((await t.db.send(new GetCommand({ TableName: t.table, Key: keys.liveConnection(closing) }))).Item).toBeUndefined();
  });

  it('a connection whose token has expired is closed, never sent to', async () => {
    const nowSeconds = Math.floor(t.clock.now().getTime() / 1000);
    await openConnection(t.db, t.table, { connectionId: 'expired-tab=', sellerId: 'carol', tokenExpiresAt: nowSeconds - 1, nowSeconds });
    const frames = await framesOf(() => receive({ from: OTHER_CUSTOMER, to: TEAM_NUMBER, body: 'Again' }));
    expect(channel.closed).toContain('expired-tab=');
    expect(channel.frames.some((f) => f.connectionId === 'expired-tab=')).toBe(false);
    expect(frames.carol!.length).toBeGreaterThan(0);
  });
});

describe('in AWS: API Gateway\'s management API', () => {
  const apiMock = mockClient(ApiGatewayManagementApiClient);

  it('posts each frame to its connection, and a GoneException forgets the connection', async () => {
    const aws = apiGatewayLiveChannel('https://abc123.execute-api.us-east-1.amazonaws.com/live', 'us-east-1');
    const notifier = testNotifier(t, 'arn:aws:sns:us-east-1:1:n', aws);
    // A second reader of the stream, caught up to now before the change under test.
    const reader = new StreamPoller(t.endpoint, t.table, (event) => notifier(event, lambdaContext), NOTIFIER_MAPPING);
    apiMock.on(PostToConnectionCommand).resolves({});
    await reader.drain();
    apiMock.reset();
    const gone = await connect('carol');
    apiMock.on(PostToConnectionCommand).callsFake((input: { ConnectionId: string }) => {
      if (input.ConnectionId === gone) throw new GoneException({ message: 'gone', $metadata: {} });
      return {};
    });
    apiMock.on(DeleteConnectionCommand).resolves({});
    // A tab whose token has expired: closed through DeleteConnection, never posted to.
    const nowSeconds = Math.floor(t.clock.now().getTime() / 1000);
    await openConnection(t.db, t.table, { connectionId: 'aws-expired=', sellerId: 'dave', tokenExpiresAt: nowSeconds - 1, nowSeconds });
    await reader.drain();
    await call(createPrivacy(t, new CursorCodec(async () => 'k'), { hashKey: async () => 'k' }), 'PUT', `/consent/${encodeURIComponent(OTHER_CUSTOMER)}/${encodeURIComponent(TEAM_NUMBER)}`, { as: admin, body: { status: 'opted_out', reason: 'asked by phone' } });
    await reader.drain();
    const posted = apiMock.commandCalls(PostToConnectionCommand).map((c) => ({ to: c.args[0].input.ConnectionId, frame: JSON.parse(Buffer.from(c.args[0].input.Data as Uint8Array).toString()) as unknown }));
    expect(posted.length).toBeGreaterThan(0);
    expect(posted.every((p) => (p.frame as { change?: string }).change === 'consent')).toBe(true);
    // The team number's members; never erin, who sees nothing of it.
    expect(posted.map((p) => p.to)).toContain(tabs.get('dave')![0]);
    expect(posted.map((p) => p.to)).not.toContain(tabs.get('erin')![0]);
    const carols = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.liveConnections('carol') }))).Item?.connections as Record<string, number> | undefined;
    expect(Object.keys(carols ?? {})).not.toContain(gone);
    expect(Object.keys(carols ?? {})).toContain(tabs.get('carol')![0]);
    expect(apiMock.commandCalls(DeleteConnectionCommand).map((c) => c.args[0].input.ConnectionId)).toEqual(['aws-expired=']);
    expect(posted.map((p) => p.to)).not.toContain('aws-expired=');
  });
});
