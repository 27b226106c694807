import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { call, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { CursorCodec } from '../../shared/http/cursor';

/** Likely opt-outs (contract, "Inbound routing": Likely opt-out; "Consent and privacy"). */
const N = '+14255593001';
const C = { ada: '+14255593101', bea: '+14255593102' };
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let reassignment: ReturnType<typeof createReassignment>;
let privacy: ReturnType<typeof createPrivacy>;
const as = (sub: string): Identity => ({ sub });
type Conversation = { id: string; customerNumber: string; likelyOptOut?: true; optedOut: boolean };
const conversationWith = async (customer: string, who = 'alice') => ((await call(api, 'GET', '/me/conversations?limit=100', { as: as(who) })).body.items as Conversation[]).find((c) => c.customerNumber === customer)!;
const say = async (from: string, body: string) => {
  t.clock.advance(1000);
  return inboundSender(t)({ from, to: N, body });
};

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('east');
  await org.seller('alice');
  await org.seller('viewer', { roles: [], teamIds: ['east'] });
  await org.seller('mallory');
  await org.number(N, { type: 'seller', id: 'alice' });
  await org.record('contact', 'ada', { mobile: C.ada, owningTeamId: 'east' });
  await org.record('contact', 'bea', { mobile: C.bea });
  api = createSellerApi(t);
  reassignment = createReassignment(t);
  privacy = createPrivacy(t, new CursorCodec(async () => 'k'), { hashKey: async () => 'k' });
});

describe('a message that reads as an opt-out', () => {
  it('"Stop. Thank you" opts nobody out, flags the conversation and adds a timeline entry naming the message', async () => {
    await say(C.ada, 'Hello');
    expect((await conversationWith(C.ada)).likelyOptOut).toBeUndefined();
    await say(C.ada, 'Stop. Thank you');
    const flagged = await conversationWith(C.ada);
    expect(flagged).toMatchObject({ likelyOptOut: true, optedOut: false });
    const events = (await call(api, 'GET', `/conversations/${flagged.id}/events`, { as: as('alice') })).body.items as { kind: string; detail: { messageId?: string } }[];
    const entry = events.find((e) => e.kind === 'likely_opt_out')!;
    const messages = (await call(api, 'GET', `/conversations/${flagged.id}/messages`, { as: as('alice') })).body.items as { id: string; body: string }[];
    expect(entry.detail.messageId).toBe(messages.find((m) => m.body === 'Stop. Thank you')!.id);
    expect(events.some((e) => e.kind === 'opted_out')).toBe(false);
    // Sending still works: a guess never blocks the seller.
    const sent = await call(createOutbound(t, () => new SandboxProvider()), 'POST', `/conversations/${flagged.id}/messages`, { as: as('alice'), body: { body: 'Understood, I will not text again unless you write.' } });
    expect(sent.status).toBe(202);
  });

  it('"Stop by tomorrow?" is not one', async () => {
    await say(C.bea, 'Stop by tomorrow?');
    expect((await conversationWith(C.bea)).likelyOptOut).toBeUndefined();
  });

  it('is dismissed by someone who may hand the conversation off; 404 to a seller who cannot see it, 403 to one without the role', async () => {
    const { id } = await conversationWith(C.ada);
    const dismiss = (who: string) => call(reassignment, 'POST', `/conversations/${id}/likely-opt-out/dismiss`, { as: as(who) });
    expect((await dismiss('mallory')).status).toBe(404);
    const roleless = await dismiss('viewer');
    expect(roleless.status).toBe(403);
    expect(roleless.body.error.code).toBe('InsufficientPrivileges');
    const done = await dismiss('alice');
    expect(done.status).toBe(200);
    expect(done.body.likelyOptOut).toBeUndefined();
    expect((await conversationWith(C.ada)).likelyOptOut).toBeUndefined();
  });

  it('is cleared when such a seller records the customer\'s choice through PUT /consent (now open to them for that conversation\'s numbers)', async () => {
    await say(C.ada, 'please stop texting me');
    expect((await conversationWith(C.ada)).likelyOptOut).toBe(true);
    const put = (who: string) => call(privacy, 'PUT', `/consent/${encodeURIComponent(C.ada)}/${encodeURIComponent(N)}`, { as: as(who), body: { status: 'opted_out', reason: 'The customer asked us to stop by text' } });
    expect((await put('mallory')).status).toBe(404);
    expect((await put('viewer')).status).toBe(403);
    const recorded = await put('alice');
    expect(recorded.status).toBe(200);
    expect(recorded.body).toMatchObject({ status: 'opted_out', source: 'manual', by: 'alice' });
    expect(await conversationWith(C.ada)).toMatchObject({ optedOut: true });
    expect((await conversationWith(C.ada)).likelyOptOut).toBeUndefined();
  });
});
