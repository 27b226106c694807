import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { admin, call, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { tableStreamReaders } from '../../scripts/local/stream-readers';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { CursorCodec } from '../../shared/http/cursor';
import type { Item } from '../../shared/store/dynamo-helpers';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMediaStore } from '../../scripts/local/file-media-store';
import { createHandler as createMediaCopier } from '../../functions/media-copier/handler';
import { deleteMediaOf } from '../../shared/flows/erase-customer';
import { receiveInbound } from '../../shared/flows/receive-inbound';

/** Consent and privacy (contract: GET/PUT /consent, DELETE /customers, GET /erasures). */
const N = { alice: '+14255584001', bob: '+14255584002' };
const C = { consent: '+14255584101', erased: '+14255584102', crashed: '+14255584103', manual: '+14255584104', large: '+14255584105' };
const hashKey = async () => 'test-erasure-key';
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let outbound: ReturnType<typeof createOutbound>;
let privacy: ReturnType<typeof createPrivacy>;
let directory: ReturnType<typeof createDirectory>;
let reassignment: ReturnType<typeof createReassignment>;
let send: ReturnType<typeof inboundSender>;
let poller: ReturnType<typeof tableStreamReaders>;
let fileServer: Server;
let fileBase: string;
let mediaDir: string;
let store: FileMediaStore;
const sns = mockClient(SNSClient);
/** Every file the media store holds (paths under its folder). */
const storedFiles = async () => (await readdir(mediaDir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
const as = (sub: string): Identity => ({ sub });
const inbound = async (sms: { from: string; to: string; body: string }) => {
  t.clock.advance(1000);
  return send(sms);
};

beforeAll(async () => {
  t = await freshTable();
  sns.on(PublishCommand).resolves({ MessageId: 'x' });
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.seller('bob');
  await org.seller('mallory');
  await org.number(N.alice, { type: 'seller', id: 'alice' });
  await org.number(N.bob, { type: 'seller', id: 'bob' });
  api = createSellerApi(t);
  outbound = createOutbound(t, () => new SandboxProvider());
  fileServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(Buffer.from('a photo of a signed form')));
  await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
  fileBase = `http://127.0.0.1:${(fileServer.address() as AddressInfo).port}`;
  mediaDir = await mkdtemp(join(tmpdir(), 'privacy-media-'));
  store = new FileMediaStore(mediaDir);
  privacy = createPrivacy(t, new CursorCodec(hashKey), { hashKey, deleteMedia: deleteMediaOf(store) });
  directory = createDirectory(t);
  reassignment = createReassignment(t);
  send = inboundSender(t);
  const notifier = testNotifier(t);
  const copier = createMediaCopier({ ...t, media: store, fetch: { timeoutMs: 2000, allowedHosts: ['127.0.0.1'], allowInsecure: true }, retryDelaysMs: [] });
  // As deployed: the notifier reads the stream, the dispatcher hands new messages with files to the copier, each through its filter.
  poller = tableStreamReaders(t.endpoint, t.table, { notifier, 'media-copier': copier });
});

afterAll(async () => {
  await poller.stop();
  await new Promise((resolve) => fileServer.close(resolve));
  await rm(mediaDir, { recursive: true, force: true });
  sns.restore();
});

const consentOf = (who: Identity, customer: string) => call(privacy, 'GET', `/consent/${encodeURIComponent(customer)}`, { as: who });
const conversationOn = async (type: string, id: string) => (await call(api, 'GET', `/records/${type}/${id}/conversations`, { as: admin })).body.items[0] as { id: string };

describe('consent', () => {
  it('STOP then START shows in GET /consent and in the timeline', async () => {
    await new OrgBuilder(t).record('contact', 'consent', { mobile: C.consent, ownerId: 'alice' });
    await inbound({ from: C.consent, to: N.alice, body: 'Hello' });
    await inbound({ from: C.consent, to: N.alice, body: 'STOP' });
    const stopped = await consentOf(as('alice'), C.consent);
    expect(stopped.status).toBe(200);
    expect(stopped.body.items).toEqual([{ businessNumber: N.alice, status: 'opted_out', at: expect.any(String), source: 'keyword', keyword: 'STOP' }]);
    await inbound({ from: C.consent, to: N.alice, body: 'start' });
    expect((await consentOf(admin, C.consent)).body.items).toMatchObject([{ businessNumber: N.alice, status: 'opted_in', source: 'keyword', keyword: 'START' }]);
    const { id } = await conversationOn('contact', 'consent');
    const kinds = (await call(api, 'GET', `/conversations/${id}/events`, { as: as('alice') })).body.items.map((e: { kind: string }) => e.kind);
    expect(kinds).toEqual(['opted_in', 'opted_out', 'created']);
    // A seller with no conversation with the number learns nothing, not even that it exists.
    expect((await consentOf(as('mallory'), C.consent)).status).toBe(404);
  });

  it('an admin\'s manual opt-out blocks sends (409), names the admin, and shows in the timeline', async () => {
    await new OrgBuilder(t).record('contact', 'manual', { mobile: C.manual, ownerId: 'alice' });
    await inbound({ from: C.manual, to: N.alice, body: 'Hi' });
    t.clock.advance(1000);
    const put = await call(privacy, 'PUT', `/consent/${encodeURIComponent(C.manual)}/${encodeURIComponent(N.alice)}`, { as: admin, body: { status: 'opted_out', reason: 'Asked by phone not to be texted' } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ businessNumber: N.alice, status: 'opted_out', source: 'manual', by: admin.sub, reason: 'Asked by phone not to be texted' });
    const refused = await call(outbound, 'POST', '/messages', { as: as('alice'), body: { record: { type: 'contact', id: 'manual' }, from: N.alice, body: 'Hello?' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('OptedOut');
    const { id } = await conversationOn('contact', 'manual');
    expect((await call(api, 'GET', `/conversations/${id}`, { as: as('alice') })).body.optedOut).toBe(true);
    const [event] = (await call(api, 'GET', `/conversations/${id}/events`, { as: as('alice') })).body.items;
    expect(event).toMatchObject({ kind: 'opted_out', by: admin.sub, detail: { source: 'manual', reason: 'Asked by phone not to be texted' } });
  });

  it('a seller who sees no conversation between the two numbers gets 404 and changes nothing; a bad body 400', async () => {
    // Sellers who may hand off such a conversation record choices too (test/integration/likely-opt-out.test.ts); anyone else may not.
    const put = await call(privacy, 'PUT', `/consent/${encodeURIComponent(C.manual)}/${encodeURIComponent(N.alice)}`, { as: as('mallory'), body: { status: 'opted_in', reason: 'please' } });
    expect(put.status).toBe(404);
    expect((await consentOf(admin, C.manual)).body.items[0].status).toBe('opted_out');
    const bad = await call(privacy, 'PUT', `/consent/${encodeURIComponent(C.manual)}/${encodeURIComponent(N.alice)}`, { as: admin, body: { status: 'maybe', reason: '' } });
    expect(bad.status).toBe(400);
  });
});

/** A customer with 2 conversations on 2 records (owned by two sellers), messages both ways, an MMS with its file, notifications, and a STOP. */
async function customerWithHistory(customer: string, suffix: string, options: { merge?: boolean } = {}) {
  const org = new OrgBuilder(t);
  await org.record('contact', `ada-${suffix}`, { mobile: customer, ownerId: 'alice' });
  await org.record('account', `acme-${suffix}`, { business: customer, ownerId: 'bob' });
  const bodies = [`Secret one ${suffix}`, `Secret two ${suffix}`, `Secret three ${suffix}`, `Secret photo ${suffix}`];
  await inbound({ from: customer, to: N.alice, body: bodies[0]! });
  await inbound({ from: customer, to: N.bob, body: bodies[1]! });
  const sent = await call(outbound, 'POST', '/messages', { as: as('bob'), body: { record: { type: 'account', id: `acme-${suffix}` }, phoneField: 'business', from: N.bob, body: bodies[2] } });
  expect(sent.status).toBe(202);
  t.clock.advance(1000);
  await receiveInbound(t, { provider: 'sandbox', providerMessageId: `MMS-${suffix}`, from: customer, to: N.alice, body: bodies[3]!, media: [{ url: `${fileBase}/form.jpg`, contentType: 'image/jpeg' }] });
  if (options.merge) {
    // A third conversation, on a lead, merged into the contact's: its id lives on as a head and a timeline.
    await new OrgBuilder(t).record('lead', `lead-${suffix}`, { mobile: customer, ownerId: 'alice' });
    t.clock.advance(1000);
    const merged = await call(outbound, 'POST', '/messages', { as: as('alice'), body: { record: { type: 'lead', id: `lead-${suffix}` }, from: N.alice, body: `Secret merged ${suffix}` } });
    expect(merged.status).toBe(202);
    bodies.push(`Secret merged ${suffix}`);
    t.clock.advance(1000);
    expect((await call(reassignment, 'POST', `/conversations/${merged.body.conversationId}/move`, { as: as('alice'), body: { record: { type: 'contact', id: `ada-${suffix}` } } })).status).toBe(200);
  }
  await inbound({ from: customer, to: N.bob, body: 'STOP' });
  await poller.drain(500);
  expect((await storedFiles()).some((f) => f.includes(`media/`))).toBe(true);
  return { bodies, conversations: [await conversationOn('contact', `ada-${suffix}`), await conversationOn('account', `acme-${suffix}`)] };
}

/** Every item in the table that still holds the number or a body, by kind. */
async function tracesOf(needles: string[]): Promise<string[]> {
  const found: string[] = [];
  let start: Item | undefined;
  do {
    const page = await t.db.send(new ScanCommand({ TableName: t.table, ExclusiveStartKey: start }));
    for (const item of page.Items ?? []) if (needles.some((n) => JSON.stringify(item).includes(n))) found.push(item.kind as string);
    start = page.LastEvaluatedKey;
  } while (start);
  return found.sort();
}

/** What the sellers and an admin can read through every route, as one string. */
async function everythingVisible(conversationIds: string[], suffix: string): Promise<string> {
  const answers: unknown[] = [];
  for (const who of [as('alice'), as('bob'), admin]) {
    answers.push((await call(api, 'GET', '/me/conversations?limit=100', { as: who })).body);
    answers.push((await call(api, 'GET', '/me/notifications?limit=100', { as: who })).body);
    for (const [type, id] of [['contact', `ada-${suffix}`], ['account', `acme-${suffix}`]]) {
      answers.push((await call(api, 'GET', `/records/${type}/${id}/conversations`, { as: who })).body);
      answers.push((await call(directory, 'GET', `/records/${type}/${id}`, { as: who })).body);
    }
    for (const id of conversationIds) {
      for (const path of [`/conversations/${id}`, `/conversations/${id}/messages`, `/conversations/${id}/events`]) {
        const answer = await call(api, 'GET', path, { as: who });
        expect(answer.status).toBe(404);
        answers.push(answer.body);
      }
    }
  }
  return JSON.stringify(answers);
}

describe('erasure on request', () => {
  it('erases messages, conversations, notifications and pointers; keeps the opt-out and an audit entry', async () => {
    const { bodies, conversations } = await customerWithHistory(C.erased, 'e', { merge: true });
    const notificationsBefore = (await call(api, 'GET', '/me/notifications?limit=100', { as: as('alice') })).body.items.length;
    expect(notificationsBefore).toBeGreaterThan(0);

    const erased = await call(privacy, 'DELETE', `/customers/${encodeURIComponent(C.erased)}`, { as: admin });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ conversations: 2, messages: 6 });
    // The copied file went with its message.
    for (const c of conversations) expect((await storedFiles()).filter((f) => f.includes(c.id))).toEqual([]);

    const visible = await everythingVisible(conversations.map((c) => c.id), 'e');
    for (const needle of [C.erased, C.erased.slice(1), ...bodies]) expect(visible).not.toContain(needle);
    // In the table itself, only the consent record still names the number; no body survives anywhere.
    expect(await tracesOf(bodies)).toEqual([]);
    expect(await tracesOf([C.erased])).toEqual(['consentChange', 'optOut']);

    // The opt-out still holds: once the CRM gives a record the number again, sending is refused.
    await new OrgBuilder(t).record('contact', 'ada-e', { mobile: C.erased, ownerId: 'alice' });
    await new OrgBuilder(t).record('account', 'acme-e', { business: C.erased, ownerId: 'bob' });
    const refused = await call(outbound, 'POST', '/messages', { as: as('bob'), body: { record: { type: 'account', id: 'acme-e' }, phoneField: 'business', from: N.bob, body: 'hello again' } });
    expect(refused.status).toBe(409);

    const audit = await call(privacy, 'GET', '/erasures', { as: admin });
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({ by: admin.sub, status: 'done', counts: { conversations: 2, messages: 6 } });
    expect(JSON.stringify(audit.body)).not.toContain(C.erased.slice(2));
    expect((await call(privacy, 'GET', '/erasures', { as: as('alice') })).status).toBe(403);
    expect((await call(privacy, 'DELETE', `/customers/${encodeURIComponent(C.erased)}`, { as: as('alice') })).status).toBe(403);
  });

  it('a later inbound message from the number is routed as from an unknown number', async () => {
    // Records are back with the number (the CRM re-synced them): wipe them again to see the unknown-number path.
    await call(privacy, 'DELETE', `/customers/${encodeURIComponent(C.erased)}`, { as: admin });
    await inbound({ from: C.erased, to: N.alice, body: 'Hello, new here' });
    const mine = (await call(api, 'GET', '/me/conversations?limit=100', { as: as('alice') })).body.items as { customerNumber: string; record: { type: string } }[];
    expect(mine.filter((c) => c.customerNumber === C.erased).map((c) => c.record.type)).toEqual(['lead']);
  });

  it('a crash half-way, then a repeat, ends with the same result as an uninterrupted erasure', async () => {
    const { bodies, conversations } = await customerWithHistory(C.crashed, 'c');
    const crashing = createPrivacy(t, new CursorCodec(hashKey), {
      hashKey,
      deleteMedia: deleteMediaOf(store),
      afterBatch: (batch) => {
        if (batch === 2) throw new Error('injected crash');
      },
    });
    expect((await call(crashing, 'DELETE', `/customers/${encodeURIComponent(C.crashed)}`, { as: admin })).status).toBe(500);
    const [running] = (await call(privacy, 'GET', '/erasures', { as: admin })).body.items;
    expect(running.status).toBe('running');
    const repeated = await call(privacy, 'DELETE', `/customers/${encodeURIComponent(C.crashed)}`, { as: admin });
    expect(repeated.body).toEqual({ conversations: 2, messages: 5 });
    for (const c of conversations) expect((await storedFiles()).filter((f) => f.includes(c.id))).toEqual([]);
    const visible = await everythingVisible(conversations.map((c) => c.id), 'c');
    for (const needle of [C.crashed, ...bodies]) expect(visible).not.toContain(needle);
    expect(await tracesOf(bodies)).toEqual([]);
    expect(await tracesOf([C.crashed])).toEqual(['consentChange', 'optOut']);
  });
});

describe('erasure of a large customer', () => {
  it('a customer too large for one request answers 202 with Retry-After, and repeating the request finishes it', async () => {
    await customerWithHistory(C.large, 'l');
    // Out of time from the start: the conversations are taken off the lists, then the request stops between batches.
    const outOfTime = createPrivacy(t, new CursorCodec(hashKey), { hashKey, deleteMedia: deleteMediaOf(store), timeLeftMs: () => 0 });
    const first = await call(outOfTime, 'DELETE', `/customers/${encodeURIComponent(C.large)}`, { as: admin });
    expect(first.status).toBe(202);
    expect(first.headers['retry-after']).toBe('1');
    expect(first.body).toMatchObject({ status: 'in_progress', messages: 0 });
    const done = await call(privacy, 'DELETE', `/customers/${encodeURIComponent(C.large)}`, { as: admin });
    expect(done.status).toBe(200);
    expect(done.body.messages).toBeGreaterThan(0);
    expect(done.body).not.toHaveProperty('status');
  });
});
