import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';

/** The conversation timeline (contract: GET /conversations/{id}/events). */
const N = { alice: '+14255582001' };
const C = { ada: '+14255582101', bo: '+14255582102' };
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let reassignment: ReturnType<typeof createReassignment>;
let send: ReturnType<typeof inboundSender>;
const as = (sub: string): Identity => ({ sub });
const events = async (id: string, who: Identity = as('alice')) => call(api, 'GET', `/conversations/${id}/events`, { as: who });
const conversationsOf = async (type: string, id: string) => (await call(api, 'GET', `/records/${type}/${id}/conversations`, { as: admin })).body.items as { id: string }[];

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.seller('bob');
  await org.seller('mallory');
  await org.number(N.alice, { type: 'seller', id: 'alice' });
  await org.record('contact', 'ada', { mobile: C.ada, ownerId: 'alice' });
  await org.record('account', 'ada-inc', { business: C.ada, ownerId: 'alice' });
  await org.record('opportunity', 'deal', { ownerId: 'alice' });
  await org.record('contact', 'bo', { mobile: C.bo, ownerId: 'alice' });
  await org.record('account', 'bo-inc', { business: C.bo, ownerId: 'alice' });
  api = createSellerApi(t);
  reassignment = createReassignment(t);
  send = inboundSender(t);
});

describe('a conversation created, moved, handed off and opted out', () => {
  it('lists exactly those four events, newest first, with the routing and who acted', async () => {
    await send({ from: C.ada, to: N.alice, body: 'Hi there' });
    const [conversation] = await conversationsOf('contact', 'ada');
    const id = conversation!.id;
    t.clock.advance(60_000);
    expect((await call(reassignment, 'POST', `/conversations/${id}/move`, { as: as('alice'), body: { record: { type: 'opportunity', id: 'deal' } } })).status).toBe(200);
    t.clock.advance(60_000);
    expect((await call(reassignment, 'POST', `/conversations/${id}/assign`, { as: as('alice'), body: { assignedTo: { type: 'seller', id: 'bob' } } })).status).toBe(200);
    t.clock.advance(60_000);
    await send({ from: C.ada, to: N.alice, body: 'STOP' });

    const timeline = await events(id);
    expect(timeline.status).toBe(200);
    expect(timeline.body.items.map((e: { kind: string }) => e.kind)).toEqual(['opted_out', 'assigned', 'moved', 'created']);
    const [optedOut, assigned, moved, created] = timeline.body.items;
    expect(created).toMatchObject({ kind: 'created', detail: { record: { type: 'contact', id: 'ada' }, routing: { rule: 'record-type', runnerUp: { type: 'account', id: 'ada-inc' } } } });
    expect(created.by).toBeUndefined();
    expect(moved).toMatchObject({ kind: 'moved', by: 'alice', detail: { from: { type: 'contact', id: 'ada' }, to: { type: 'opportunity', id: 'deal' } } });
    expect(assigned).toMatchObject({ kind: 'assigned', by: 'alice', detail: { from: { type: 'seller', id: 'alice' }, to: { type: 'seller', id: 'bob' }, toName: expect.any(String), fromName: expect.any(String) } });
    expect(optedOut).toMatchObject({ kind: 'opted_out', detail: { source: 'keyword', keyword: 'STOP' } });
    expect(optedOut.by).toBeUndefined();
    // The conversation answer shows the opt-out too.
    expect((await call(api, 'GET', `/conversations/${id}`, { as: admin })).body.optedOut).toBe(true);

    t.clock.advance(60_000);
    await send({ from: C.ada, to: N.alice, body: 'start' });
    expect((await events(id)).body.items.map((e: { kind: string }) => e.kind)).toEqual(['opted_in', 'opted_out', 'assigned', 'moved', 'created']);
    expect((await call(api, 'GET', `/conversations/${id}`, { as: admin })).body.optedOut).toBe(false);
  });

  it('pages newest first, and answers 404 to a seller who cannot see the conversation', async () => {
    const [conversation] = await conversationsOf('opportunity', 'deal');
    const first = await events(conversation!.id, admin);
    const page = await call(api, 'GET', `/conversations/${conversation!.id}/events?limit=2`, { as: admin });
    expect(page.body.items).toEqual(first.body.items.slice(0, 2));
    const next = await call(api, 'GET', `/conversations/${conversation!.id}/events?limit=2&cursor=${encodeURIComponent(page.body.nextCursor)}`, { as: admin });
    expect(next.body.items).toEqual(first.body.items.slice(2, 4));
    expect((await events(conversation!.id, as('mallory'))).status).toBe(404);
  });
});

describe('a merge', () => {
  it('records `merged` on the surviving conversation, with who moved it', async () => {
    await send({ from: C.bo, to: N.alice, body: 'first thread' });
    const [survivor] = await conversationsOf('contact', 'bo');
    // Alice texts the same customer from the same number on another record: a second conversation.
    const outbound = createOutbound(t, () => new SandboxProvider());
    expect((await call(outbound, 'POST', '/messages', { as: as('alice'), body: { record: { type: 'account', id: 'bo-inc' }, phoneField: 'business', from: N.alice, body: 'About your account' } })).status).toBe(202);
    const [second] = await conversationsOf('account', 'bo-inc');
    expect((await events(second!.id)).body.items).toMatchObject([{ kind: 'created', by: 'alice', detail: { record: { type: 'account', id: 'bo-inc' } } }]);
    expect((await events(second!.id)).body.items[0].detail.routing).toBeUndefined();

    t.clock.advance(60_000);
    const merged = await call(reassignment, 'POST', `/conversations/${second!.id}/move`, { as: as('alice'), body: { record: { type: 'contact', id: 'bo' } } });
    expect(merged.status).toBe(200);
    expect(merged.body.id).toBe(survivor!.id);
    const timeline = (await events(survivor!.id)).body.items;
    expect(timeline.map((e: { kind: string }) => e.kind)).toEqual(['merged', 'created']);
    expect(timeline[0]).toMatchObject({ by: 'alice', detail: { fromConversationId: second!.id } });
  });
});
