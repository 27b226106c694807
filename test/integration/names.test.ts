import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { freshTable, type TestTable } from '../helpers/table';
import { testNotifier } from '../helpers/notifier';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createRecordSync } from '../../functions/record-sync/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { tableStreamReaders } from '../../scripts/local/stream-readers';

/** Names, not numbers (contract, Conversation: `recordName`, `assigneeName`). */
const N = { team: '+14255592001', alice: '+14255592002' };
const ADA = '+14255592101';
const GRACE = '+14255592102';
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
let poller: ReturnType<typeof tableStreamReaders>;
const sns = mockClient(SNSClient);
const as = (sub: string): Identity => ({ sub });
type Conversation = { id: string; record: { type: string; id: string }; recordName: string; assignedTo: { type: string; id: string }; assigneeName: string; customerNumber: string };
const mine = async (who: string) => (await call(api, 'GET', '/me/conversations?limit=100', { as: as(who) })).body.items as Conversation[];

beforeAll(async () => {
  t = await freshTable();
  sns.on(PublishCommand).resolves({ MessageId: 'x' });
  const org = new OrgBuilder(t);
  await org.team('sales-east', 'Sales East');
  await org.seller('alice', { name: 'Alice Andersson', teamIds: ['sales-east'] });
  await org.seller('bob', { name: 'Bob Berg' });
  await org.number(N.team, { type: 'team', id: 'sales-east' });
  await org.number(N.alice, { type: 'seller', id: 'alice' });
  await org.record('contact', 'ada', { name: 'Ada Lovelace', mobile: ADA, ownerId: 'alice' });
  await org.record('contact', 'grace', { name: 'Grace Hopper', mobile: GRACE, ownerId: 'alice' });
  await org.record('opportunity', 'deal', { name: 'Acme renewal', ownerId: 'alice' });
  api = createSellerApi(t);
  poller = tableStreamReaders(t.endpoint, t.table, { notifier: testNotifier(t) });
});

afterAll(async () => {
  await poller.stop();
  sns.restore();
});

describe('conversations carry names', () => {
  it('an inbound conversation on a team number: the record\'s name and the team\'s', async () => {
    await inboundSender(t)({ from: ADA, to: N.team, body: 'hello team' });
    const [conversation] = (await mine('alice')).filter((c) => c.customerNumber === ADA);
    expect(conversation).toMatchObject({ record: { type: 'contact', id: 'ada' }, recordName: 'Ada Lovelace', assignedTo: { type: 'team', id: 'sales-east' }, assigneeName: 'Sales East' });
  });

  it('a conversation a send opens: the record\'s name and the number\'s assignee', async () => {
    const sent = await call(createOutbound(t, () => new SandboxProvider()), 'POST', '/messages', { as: as('alice'), body: { record: { type: 'contact', id: 'grace' }, from: N.alice, body: 'hi Grace' } });
    expect(sent.status).toBe(202);
    const conversation = (await call(api, 'GET', `/conversations/${sent.body.conversationId}`, { as: as('alice') })).body as Conversation;
    expect(conversation).toMatchObject({ recordName: 'Grace Hopper', assigneeName: 'Alice Andersson' });
  });

  it('a hand-off names the new assignee; the new assignee sees whom it is with, and nothing else of a record they may not read', async () => {
    const [conversation] = (await mine('alice')).filter((c) => c.customerNumber === ADA);
    const reassignment = createReassignment(t);
    const handed = await call(reassignment, 'POST', `/conversations/${conversation!.id}/assign`, { as: as('alice'), body: { assignedTo: { type: 'seller', id: 'bob' } } });
    expect(handed.body).toMatchObject({ assigneeName: 'Bob Berg', recordName: 'Ada Lovelace' });
    const [bobs] = await mine('bob');
    expect(bobs).toMatchObject({ id: conversation!.id, recordName: 'Ada Lovelace', assigneeName: 'Bob Berg' });
    expect((await call(new OrgBuilder(t).directory, 'GET', '/records/contact/ada', { as: as('bob') })).status).toBe(404);
    // The timeline names whom it went from and to.
    const events = (await call(api, 'GET', `/conversations/${conversation!.id}/events`, { as: as('bob') })).body.items as { kind: string; detail: Record<string, unknown> }[];
    expect(events.find((e) => e.kind === 'assigned')!.detail).toMatchObject({ from: { type: 'team', id: 'sales-east' }, fromName: 'Sales East', to: { type: 'seller', id: 'bob' }, toName: 'Bob Berg' });
  });

  it('a move names the new record; a rename from the CRM reaches the conversations', async () => {
    const [conversation] = (await mine('bob')).filter((c) => c.customerNumber === ADA);
    const reassignment = createReassignment(t);
    const moved = await call(reassignment, 'POST', `/conversations/${conversation!.id}/move`, { as: admin, body: { record: { type: 'opportunity', id: 'deal' } } });
    expect(moved.status).toBe(200);
    expect(moved.body).toMatchObject({ record: { type: 'opportunity', id: 'deal' }, recordName: 'Acme renewal' });

    const sync = createRecordSync(t);
    const renamed = await sync({ version: '0', id: 'e1', 'detail-type': 'RecordUpserted', source: 'crm', account: '1', time: new Date().toISOString(), region: 'us-east-1', resources: [], detail: { type: 'opportunity', id: 'deal', name: 'Acme renewal 2027', ownerId: 'alice', state: 'active', modifiedAt: '2027-01-01T00:00:00Z' } } as never, lambdaContext);
    expect(renamed).toEqual({ applied: true });
    await poller.drain();
    expect((await mine('bob')).find((c) => c.id === conversation!.id)).toMatchObject({ recordName: 'Acme renewal 2027' });
  });
});
