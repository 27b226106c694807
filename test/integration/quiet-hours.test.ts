import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { call, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { parseQuietHours } from '../../shared/domain/quiet-hours';
import type { Deps } from '../../shared/deps';

/** Quiet hours (contract, "Consent and privacy"), with a fixed clock: a US, a Swedish and a multi-zone number. */
const N = '+14255594001';
const C = { us: '+14255594101', se: '+46701234567', dakota: '+16055551234', wrote: '+14255594102', grace: '+14255594103', chattanooga: '+14235550100', manhattan: '+12125550100' };
let t: TestTable;
let quiet: Deps;
const sandbox = new SandboxProvider();
const alice: Identity = { sub: 'alice' };
const send = (deps: Deps, record: string, body = 'Hello') => call(createOutbound(deps, () => sandbox), 'POST', '/messages', { as: alice, body: { record: { type: 'contact', id: record }, from: N, body } });

beforeAll(async () => {
  t = await freshTable();
  quiet = { ...t, quietHours: parseQuietHours('21:00-08:00') };
  const org = new OrgBuilder(t);
  await org.seller('alice');
  await org.number(N, { type: 'seller', id: 'alice' });
  for (const [id, mobile] of Object.entries(C)) await org.record('contact', id, { mobile, ownerId: 'alice' });
});

describe('quiet hours by the customer\'s number', () => {
  it('US (America/Los_Angeles) at 23:40 local: 409 QuietHours with the local time and when it may go; nothing sent or stored; at noon it goes', async () => {
    t.clock.set('2026-11-30T07:40:00.000Z');
    const before = sandbox.outbox.length;
    const refused = await send(quiet, 'us');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'QuietHours', details: { customerLocalTime: '23:40', timeZone: 'America/Los_Angeles', allowedFrom: '2026-11-30T16:00:00.000Z' } });
    expect(sandbox.outbox.length).toBe(before);
    const api = createSellerApi(t);
    expect((await call(api, 'GET', '/records/contact/us/conversations', { as: alice })).body.items).toEqual([]);
    t.clock.set('2026-11-30T20:00:00.000Z');
    expect((await send(quiet, 'us')).status).toBe(202);
  });

  it('Sweden (Europe/Stockholm) at 21:30 local: refused until 08:00 there', async () => {
    t.clock.set('2026-11-30T20:30:00.000Z');
    const refused = await send(quiet, 'se');
    expect(refused.body.error).toMatchObject({ code: 'QuietHours', details: { customerLocalTime: '21:30', timeZone: 'Europe/Stockholm', allowedFrom: '2026-12-01T07:00:00.000Z' } });
  });

  it('a number in two zones (+1 605: Denver and North Dakota Center): the window holds in both', async () => {
    // 08:30 in Center, 07:30 in Denver: still quiet in one of them.
    t.clock.set('2026-11-30T14:30:00.000Z');
    const refused = await send(quiet, 'dakota');
    expect(refused.body.error).toMatchObject({ code: 'QuietHours', details: { customerLocalTime: '07:30', timeZone: 'America/Denver', allowedFrom: '2026-11-30T15:00:00.000Z' } });
    t.clock.set('2026-11-30T15:00:00.000Z');
    expect((await send(quiet, 'dakota')).status).toBe(202);
  });

  it('answering a customer who wrote in the last 24 hours is always allowed; after 24 hours it is quiet again', async () => {
    t.clock.set('2026-11-30T06:00:00.000Z'); // 22:00 in Los Angeles
    await inboundSender(t)({ from: C.wrote, to: N, body: 'Are you open tomorrow?' });
    t.clock.set('2026-11-30T07:40:00.000Z');
    expect((await send(quiet, 'wrote', 'Yes, from 9')).status).toBe(202);
    t.clock.set('2026-12-01T07:40:00.000Z'); // 25 h 40 min after the customer wrote
    expect((await send(quiet, 'wrote', 'Following up')).body.error.code).toBe('QuietHours');
  });

  it('the 24 hours run from the customer\'s last message, not from the seller\'s', async () => {
    t.clock.set('2026-12-02T20:00:00.000Z'); // 12:00 in Los Angeles: the customer writes
    await inboundSender(t)({ from: C.grace, to: N, body: 'Call me next week' });
    t.clock.set('2026-12-03T16:00:00.000Z'); // 08:00 there, 20 h later: the seller answers
    expect((await send(quiet, 'grace', 'Will do')).status).toBe(202);
    t.clock.set('2026-12-04T05:00:00.000Z'); // 21:00 there: the seller wrote 13 h ago, the customer 33 h ago
    expect((await send(quiet, 'grace', 'One more thing')).body.error.code).toBe('QuietHours');
  });

  it('an area code in two zones (+1 423: Eastern and Central) is quiet at 21:00 Eastern, as +1 212 is', async () => {
    t.clock.set('2026-12-07T02:00:00.000Z'); // 21:00 in New York, 20:00 in Chicago
    for (const record of ['chattanooga', 'manhattan']) {
      const refused = await send(quiet, record);
      expect(refused.status, record).toBe(409);
      expect(refused.body.error).toMatchObject({ code: 'QuietHours', details: { customerLocalTime: '21:00', timeZone: 'America/New_York' } });
    }
  });

  it('with quiet hours off (the local default), the same send at 23:40 goes', async () => {
    t.clock.set('2026-11-30T07:40:00.000Z');
    expect((await send(t, 'us', 'late but allowed')).status).toBe(202);
  });

  it('render shows the customer\'s time before sending', async () => {
    const api = createSellerApi(quiet);
    const template = await call(api, 'POST', '/templates', { as: alice, body: { name: 'Quiet check', body: 'Hi {{record.name}}' } });
    t.clock.set('2026-11-30T07:40:00.000Z');
    const rendered = await call(api, 'POST', `/templates/${template.body.id}/render`, { as: alice, body: { record: { type: 'contact', id: 'us' } } });
    expect(rendered.body.customerTime).toEqual({ localTime: '23:40', timeZone: 'America/Los_Angeles', quiet: true, allowedFrom: '2026-11-30T16:00:00.000Z' });
    const sweden = await call(api, 'POST', `/templates/${template.body.id}/render`, { as: alice, body: { record: { type: 'contact', id: 'us' }, to: C.se } });
    expect(sweden.body.customerTime).toEqual({ localTime: '08:40', timeZone: 'Europe/Stockholm', quiet: false });
  });
});
