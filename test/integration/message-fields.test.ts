import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { applyDeliveryReport } from '../../shared/flows/apply-delivery-report';

/** Message fields of the contract: `routing` on inbound messages, `statusAt` on every message. */
let t: TestTable;
let api: ReturnType<typeof createSellerApi>;
const NUMBER = '+14255579701';

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.number(NUMBER, { type: 'seller', id: 'alice' });
  await org.record('contact', 'c1', { mobile: '+14255579800', ownerId: 'alice' });
  await org.record('lead', 'l1', { mobile: '+14255579800' });
  api = createSellerApi(t);
});

const messagesOf = async (customer: string) => {
  const conversations = (await call(api, 'GET', '/me/conversations?limit=100', { as: admin })).body.items.filter((c: { customerNumber: string }) => c.customerNumber === customer);
  return (await call(api, 'GET', `/conversations/${conversations[0].id}/messages`, { as: admin })).body.items;
};

describe('routing explained on every inbound message', () => {
  it('stores the deciding rule and the runner-up', async () => {
    await inboundSender(t)({ from: '+14255579800', to: NUMBER, body: 'which record?' });
    const [message] = await messagesOf('+14255579800');
    // c1 and l1 hold the number; alice owns c1 (rule 2), l1 is the runner-up.
    expect(message.routing).toEqual({ rule: 'owned-by-assignee', runnerUp: { type: 'lead', id: 'l1' } });
  });

  it('a message from an unknown number says it created a lead', async () => {
    await inboundSender(t)({ from: '+14255579801', to: NUMBER, body: 'hello?' });
    const [message] = await messagesOf('+14255579801');
    expect(message.routing).toEqual({ rule: 'new-lead' });
  });
});

describe('statusAt: when the status last changed', () => {
  it('is the creation time of a new message, then the time of each change', async () => {
    t.clock.set('2026-11-03T10:00:00.000Z');
    const sandbox = new SandboxProvider();
    const sent = await call(createOutbound(t, () => sandbox), 'POST', '/messages', { as: { sub: 'alice' }, body: { record: { type: 'contact', id: 'c1' }, from: NUMBER, body: 'hi' } });
    expect(sent.body.status).toBe('sent');
    expect(sent.body.statusAt).toBe('2026-11-03T10:00:00.000Z');
    await applyDeliveryReport(t, { ...sandbox.outbox[0]!.report!, occurredAt: '2026-11-03T10:00:05.000Z' });
    const delivered = (await messagesOf('+14255579800')).find((m: { id: string }) => m.id === sent.body.id);
    expect(delivered).toMatchObject({ status: 'delivered', statusAt: '2026-11-03T10:00:05.000Z', createdAt: '2026-11-03T10:00:00.000Z' });
    const inbound = (await messagesOf('+14255579800')).find((m: { direction: string }) => m.direction === 'inbound');
    expect(inbound.statusAt).toBe(inbound.createdAt);
  });
});
