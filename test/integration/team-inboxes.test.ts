import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import Ajv2020 from 'ajv/dist/2020';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createScheduledSend } from '../../functions/scheduled-send/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { createHandler as createCrmEvents } from '../../functions/crm-events/handler';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { eventSchemaDocuments } from '../../scripts/event-schemas';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { STREAM_FILTERS } from '../../shared/store/stream-consumers';
import { receiveInbound } from '../../shared/flows/receive-inbound';
import type { Deps } from '../../shared/deps';

/**
 * Team inboxes (contract, "Team inboxes"): business hours and the after-hours reply, auto-assignment, availability and
 * response times, through the functions as deployed, on DynamoDB Local. The clock is the test's: Monday 7 December 2026.
 */
const TEAM_N = '+14255592001'; // Sales Desk (team "desk"): Stockholm hours, auto-reply, auto-assignment
const ALICE_N = '+14255592002'; // Alice's own: no business hours
const NY_N = '+14255592003'; // team "ny": New York hours, auto-reply
const RR_N = '+14255592004'; // team "rr": five members, auto-assignment
const alice: Identity = { sub: 'alice' };
const bob: Identity = { sub: 'bob' };
const weekdays = (from: string, to: string) => Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [[from, to]]]));
const stockholmHours = { timeZone: 'Europe/Stockholm', weekly: weekdays('08:00', '17:00'), closedDates: ['2026-12-24'] };
const AUTO_REPLY = 'Hi {{record.name|there}}, we are closed. {{seller.name|We}} will answer when we open.';

const snsMock = mockClient(SNSClient);
const eventBridge = mockClient(EventBridgeClient);
mockClient(SQSClient);
let t: TestTable;
let deps: Deps;
let sandbox: SandboxProvider;
let outbound: ReturnType<typeof createOutbound>;
let sellerApi: ReturnType<typeof createSellerApi>;
let directory: ReturnType<typeof createDirectory>;
let automations: StreamPoller;
let inbound: ReturnType<typeof inboundSender>;
let org: OrgBuilder;
let customer = 0;

/** A customer number nobody has used yet in this file. */
const nextCustomer = () => `+1425559${String(3000 + customer++).padStart(4, '0')}`;
const outboxTo = (to: string) => sandbox.outbox.filter((m) => m.to === to);
const conversationsOf = async (as: Identity) => (await call(sellerApi, 'GET', '/me/conversations', { as })).body.items as { id: string; customerNumber: string; assignedTo: { type: string; id: string } }[];
const messagesIn = async (as: Identity, conversationId: string) => (await call(sellerApi, 'GET', `/conversations/${conversationId}/messages`, { as })).body.items as Record<string, unknown>[];
/** A customer writes at a wall-clock instant (UTC); the after-hours replies the stream hands over are sent. */
async function writes(from: string, to: string, body: string, iso: string) {
  t.clock.set(iso);
  const outcome = await inbound({ from, to, body });
  await automations.drain();
  return outcome;
}
const conversationWith = async (as: Identity, customerNumber: string) => (await conversationsOf(as)).find((c) => c.customerNumber === customerNumber)!;
const putNumber = (number: string, body: Record<string, unknown>) => call(directory, 'PUT', `/directory/numbers/${encodeURIComponent(number)}`, { as: admin, body: { provider: 'sandbox', ...body } });
const putTeam = (id: string, body: Record<string, unknown>) => call(directory, 'PUT', `/directory/teams/${id}`, { as: admin, body });

beforeAll(async () => {
  t = await freshTable();
  t.clock.set('2026-12-07T09:00:00.000Z'); // Monday, 10:00 in Stockholm
  deps = { ...t };
  sandbox = new SandboxProvider();
  outbound = createOutbound(deps, () => sandbox);
  const scheduledSend = createScheduledSend(deps, () => sandbox, { crmEventSource: 'crm' });
  sellerApi = createSellerApi(deps);
  directory = createDirectory(deps);
  inbound = inboundSender(t);
  org = new OrgBuilder(t);
  for (const team of ['desk', 'ny', 'rr', 'solo']) await org.team(team);
  await org.seller('alice', { teamIds: ['desk'], name: 'Alice' });
  await org.seller('bob', { teamIds: ['desk'], name: 'Bob' });
  await org.seller('viewer', { teamIds: ['desk'], roles: [], name: 'Vic' });
  await org.seller('nina', { teamIds: ['ny'], name: 'Nina' });
  for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) await org.seller(id, { teamIds: ['rr'], name: id.toUpperCase() });
  await org.seller('sam', { teamIds: ['solo'], name: 'Sam' });
  expect((await putNumber(TEAM_N, { assignedTo: { type: 'team', id: 'desk' }, businessHours: stockholmHours, autoReply: { body: AUTO_REPLY } })).status).toBe(200);
  await org.number(ALICE_N, { type: 'seller', id: 'alice' });
  expect((await putNumber(NY_N, { assignedTo: { type: 'team', id: 'ny' }, businessHours: { timeZone: 'America/New_York', weekly: weekdays('09:00', '17:00') }, autoReply: { body: 'We are closed; back at 9.' } })).status).toBe(200);
  await org.number(RR_N, { type: 'team', id: 'rr' });
  expect((await putTeam('desk', { name: 'Sales Desk', autoAssign: { mode: 'round_robin' } })).status).toBe(200);
  expect((await putTeam('rr', { name: 'Round Robin', autoAssign: { mode: 'round_robin' } })).status).toBe(200);
  automations = new StreamPoller(t.endpoint, t.table, (event) => scheduledSend(event as never, lambdaContext) as never, { filters: STREAM_FILTERS.automations });
  await automations.drain();
});

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns' });
});

describe('directory', () => {
  it('stores business hours, an auto-reply and auto-assignment, and refuses bad ones with 400', async () => {
    const numbers = await call(directory, 'GET', '/me/numbers', { as: alice });
    expect(numbers.body.items.find((n: { number: string }) => n.number === TEAM_N)).toMatchObject({ businessHours: stockholmHours, autoReply: { body: AUTO_REPLY } });
    for (const body of [
      { businessHours: { timeZone: 'Mars/Olympus', weekly: {} } },
      { businessHours: { timeZone: 'Europe/Stockholm', weekly: { mon: [['17:00', '08:00']] } } },
      { businessHours: { timeZone: 'Europe/Stockholm', weekly: { funday: [['08:00', '09:00']] } } },
      { businessHours: { timeZone: 'Europe/Stockholm', weekly: {}, closedDates: ['24/12/2026'] } },
      { autoReply: { body: '' } },
    ]) {
      const refused = await putNumber('+14255592099', { assignedTo: { type: 'team', id: 'desk' }, ...body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('ValidationError');
    }
    const unknown = await putNumber('+14255592099', { assignedTo: { type: 'team', id: 'desk' }, autoReply: { body: 'Hi {{record.shoeSize}}' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('UnknownPlaceholder');
    for (const autoAssign of [{ mode: 'random' }, { mode: 'round_robin', maxOpen: 0 }, { mode: 'round_robin', maxOpen: 1.5 }]) {
      const refused = await putTeam('solo', { name: 'Solo', autoAssign });
      expect(refused.status, JSON.stringify(autoAssign)).toBe(400);
    }
  });
});

describe('after-hours reply', () => {
  it('answers a message that arrives when the number is closed, once per closed period, as a message of the thread', async () => {
    const c = nextCustomer();
    await writes(c, TEAM_N, 'Hello, anyone there?', '2026-12-07T21:03:00.000Z'); // Monday 22:03 in Stockholm
    expect(outboxTo(c)).toHaveLength(1);
    // The template, rendered for the new lead (named after its number) and the seller it was auto-assigned to.
    expect(outboxTo(c)[0]!.body).toMatch(/^Hi \+1425559\d{4}, we are closed\. (Alice|Bob) will answer when we open\.$/);
    const conversation = (await conversationsOf(admin)).find((x) => x.customerNumber === c)!;
    const thread = await messagesIn(admin, conversation.id);
    const reply = thread.find((m) => m.direction === 'outbound')!;
    expect(reply).toMatchObject({ automated: 'after_hours', status: 'sent', from: TEAM_N, to: c });
    expect(reply.sentBy).toBeUndefined();
    // More messages the same night and over the weekend-less week night: no second reply.
    await writes(c, TEAM_N, 'Hello?', '2026-12-07T23:30:00.000Z');
    await writes(c, TEAM_N, 'Early bird', '2026-12-08T06:30:00.000Z'); // Tuesday 07:30
    expect(outboxTo(c)).toHaveLength(1);
    // Open: nothing automatic.
    await writes(c, TEAM_N, 'You are open now', '2026-12-08T08:00:00.000Z');
    expect(outboxTo(c)).toHaveLength(1);
    // The next closed period (Tuesday evening) gets its own.
    await writes(c, TEAM_N, 'Back again', '2026-12-08T17:30:00.000Z');
    expect(outboxTo(c)).toHaveLength(2);
  });

  it('is never sent to a sender id, an opted-out customer, or a keyword message', async () => {
    await writes('AMAZON', TEAM_N, 'Your code is 1234', '2026-12-07T21:10:00.000Z');
    expect(outboxTo('AMAZON')).toHaveLength(0);
    const stopper = nextCustomer();
    await writes(stopper, TEAM_N, 'STOP', '2026-12-07T21:11:00.000Z');
    await writes(stopper, TEAM_N, 'why did you text me', '2026-12-07T21:12:00.000Z');
    expect(outboxTo(stopper)).toHaveLength(0);
    const starter = nextCustomer();
    await writes(starter, TEAM_N, 'START', '2026-12-07T21:13:00.000Z');
    expect(outboxTo(starter)).toHaveLength(0);
  });

  it('is not sent once a seller has replied in that closed period', async () => {
    const c = nextCustomer();
    await writes(c, TEAM_N, 'Question before you close', '2026-12-07T15:50:00.000Z'); // 16:50, open
    const conversation = (await conversationsOf(admin)).find((x) => x.customerNumber === c)!;
    const holder = conversation.assignedTo.id === 'bob' ? bob : alice;
    t.clock.set('2026-12-07T16:10:00.000Z'); // 17:10, closed: the seller stays late and answers
    expect((await call(outbound, 'POST', `/conversations/${conversation.id}/messages`, { as: holder, body: { body: 'Here is the answer' } })).status).toBe(202);
    await writes(c, TEAM_N, 'Thanks!', '2026-12-07T16:20:00.000Z');
    expect(outboxTo(c).map((m) => m.body)).toEqual(['Here is the answer']);
  });

  it('answers on a closed date (Christmas Eve, a Thursday)', async () => {
    const c = nextCustomer();
    await writes(c, TEAM_N, 'Open today?', '2026-12-24T10:00:00.000Z');
    expect(outboxTo(c)).toHaveLength(1);
  });

  it('keeps the number’s own zone across a change to summer time (New York, 14 March 2027)', async () => {
    const early = nextCustomer();
    // Monday 15 March 2027, 08:30 EDT (12:30 UTC): closed. In winter time that instant would have been 07:30.
    await writes(early, NY_N, 'Early', '2027-03-15T12:30:00.000Z');
    expect(outboxTo(early).map((m) => m.body)).toEqual(['We are closed; back at 9.']);
    const open = nextCustomer();
    // 09:30 EDT (13:30 UTC): open, though 13:30 UTC would be 08:30 in winter time.
    await writes(open, NY_N, 'On time', '2027-03-15T13:30:00.000Z');
    expect(outboxTo(open)).toHaveLength(0);
    t.clock.set('2026-12-07T09:00:00.000Z');
  });
});

describe('auto-assignment', () => {
  it('says in the timeline that it was automatic (no by), and tells the CRM with auto: true', async () => {
    const c = nextCustomer();
    const result = await receiveInbound(deps, { provider: 'sandbox', providerMessageId: 'rr-timeline', from: c, to: RR_N, body: 'Hi' });
    const conversationId = (result as { conversationId: string }).conversationId;
    const events = (await call(sellerApi, 'GET', `/conversations/${conversationId}/events`, { as: admin })).body.items as { kind: string; by?: string; detail: Record<string, unknown> }[];
    const assigned = events.find((e) => e.kind === 'assigned')!;
    expect(assigned.by).toBeUndefined();
    expect(assigned.detail).toMatchObject({ auto: true, from: { type: 'team', id: 'rr' }, to: { type: 'seller' } });

    const put: PutEventsRequestEntry[] = [];
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: PutEventsRequestEntry[] }) => {
      put.push(...input.Entries);
      return { FailedEntryCount: 0, Entries: input.Entries.map(() => ({ EventId: 'e' })) };
    });
    const crm = createCrmEvents({ ...deps, publisher: { eventBridge: new EventBridgeClient({ region: 'us-east-1' }), busName: undefined, failures: { sqs: new SQSClient({ region: 'us-east-1' }), queueUrl: 'q' } } } as never);
    const poller = new StreamPoller(t.endpoint, t.table, (event) => crm(event, lambdaContext) as never, { filters: STREAM_FILTERS['crm-events'] });
    await poller.drain();
    const assignedEvent = put.filter((e) => e.DetailType === 'SmsConversationAssigned').map((e) => JSON.parse(e.Detail!)).find((d) => d.conversationId === conversationId);
    expect(assignedEvent).toMatchObject({ auto: true, from: { type: 'team', id: 'rr' }, to: { type: 'seller', id: assigned.detail.to && (assigned.detail.to as { id: string }).id } });
    expect(assignedEvent.by).toBeUndefined();
    const schema = eventSchemaDocuments().SmsConversationAssigned;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(assignedEvent), JSON.stringify(validate.errors)).toBe(true);
    // The auto-reply is an SmsMessageSent with `automated`.
    const autoReply = put.filter((e) => e.DetailType === 'SmsMessageSent').map((e) => JSON.parse(e.Detail!)).find((d) => d.message.automated === 'after_hours');
    expect(autoReply).toBeDefined();
    expect(autoReply.message.sentBy).toBeUndefined();
  });

  it('has one winner when several new conversations arrive at once, and the turn still goes round fairly', async () => {
    t.clock.set('2026-12-09T10:00:00.000Z');
    // The same new customer three times at once: one conversation, one assignment.
    const c = nextCustomer();
    const same = await Promise.all([0, 1, 2].map((i) => receiveInbound(deps, { provider: 'sandbox', providerMessageId: `rr-same-${i}`, from: c, to: RR_N, body: `at once ${i}` })));
    const ids = new Set(same.map((r) => (r as { conversationId: string }).conversationId));
    expect(ids.size).toBe(1);
    const events = (await call(sellerApi, 'GET', `/conversations/${[...ids][0]}/events`, { as: admin })).body.items as { kind: string }[];
    expect(events.filter((e) => e.kind === 'assigned')).toHaveLength(1);
    // Ten different new customers at once: ten conversations, two each.
    const holders = new Map<string, number>();
    const many = await Promise.all(Array.from({ length: 10 }, (_, i) => receiveInbound(deps, { provider: 'sandbox', providerMessageId: `rr-many-${i}`, from: nextCustomer(), to: RR_N, body: 'Hi' })));
    for (const result of many) {
      const conversation = await call(sellerApi, 'GET', `/conversations/${(result as { conversationId: string }).conversationId}`, { as: admin });
      holders.set(conversation.body.assignedTo.id, (holders.get(conversation.body.assignedTo.id) ?? 0) + 1);
    }
    expect([...holders.values()].sort()).toEqual([2, 2, 2, 2, 2]);
  });

  it('skips unavailable members and those at maxOpen unanswered conversations; with nobody left it stays with the team', async () => {
    await putTeam('solo', { name: 'Solo', autoAssign: { mode: 'round_robin', maxOpen: 2 } });
    const SOLO_N = '+14255592005';
    await org.seller('tia', { teamIds: ['solo'], name: 'Tia' });
    await org.number(SOLO_N, { type: 'team', id: 'solo' });
    // Tia switches herself off: everything goes to Sam.
    expect((await call(directory, 'PUT', '/me/availability', { as: { sub: 'tia' }, body: { available: false } })).status).toBe(200);
    // Through the inbound function (its role may count members' unanswered conversations through gsi2).
    const holder = async () => {
      const c = nextCustomer();
      await inbound({ from: c, to: SOLO_N, body: 'Hi' });
      return (await conversationWith(admin, c)).assignedTo;
    };
    expect(await holder()).toEqual({ type: 'seller', id: 'sam' });
    expect(await holder()).toEqual({ type: 'seller', id: 'sam' });
    // Sam holds two unanswered conversations (maxOpen 2), Tia is away: the team keeps it.
    expect(await holder()).toEqual({ type: 'team', id: 'solo' });
    // Sam answers one: he is under maxOpen again.
    const samsFirst = (await conversationsOf({ sub: 'sam' })).find((c) => c.assignedTo.id === 'sam')!;
    expect((await call(outbound, 'POST', `/conversations/${samsFirst.id}/messages`, { as: { sub: 'sam' }, body: { body: 'Answered' } })).status).toBe(202);
    expect(await holder()).toEqual({ type: 'seller', id: 'sam' });
    // An admin puts Tia back: Sam is at maxOpen again, so whoever's turn it is, both go to Tia.
    expect((await call(directory, 'PUT', '/directory/sellers/tia/availability', { as: admin, body: { available: true } })).body.available).toBe(true);
    expect([await holder(), await holder()]).toEqual([{ type: 'seller', id: 'tia' }, { type: 'seller', id: 'tia' }]);
  });

  it('leaves conversations of a team without autoAssign, and existing conversations, with whoever holds them', async () => {
    const c = nextCustomer();
    await writes(c, NY_N, 'Hi NY', '2026-12-09T15:00:00.000Z'); // 10:00 in New York: open
    expect((await conversationWith(admin, c)).assignedTo).toEqual({ type: 'team', id: 'ny' });
  });
});

describe('response times', () => {
  const report = async (as: Identity, query: string) => call(sellerApi, 'GET', `/reports/response-times?${query}`, { as });

  it('counts first responses and replies in business hours, with median and p90, per seller and per team', async () => {
    // Desk (Stockholm, 08:00–17:00). Friday 11 December 16:30 local → Monday 14th 08:15: 30 + 15 minutes of business time.
    const c1 = nextCustomer();
    await writes(c1, TEAM_N, 'Friday question', '2026-12-11T15:30:00.000Z');
    const conversation = (await conversationsOf(admin)).find((x) => x.customerNumber === c1)!;
    const holderId = conversation.assignedTo.id;
    const holder = { sub: holderId };
    t.clock.set('2026-12-14T07:15:00.000Z');
    await call(outbound, 'POST', `/conversations/${conversation.id}/messages`, { as: holder, body: { body: 'Good morning!' } });
    // A follow-up at 09:00 answered at 09:02: a reply time of 120 s.
    await writes(c1, TEAM_N, 'One more thing', '2026-12-14T08:00:00.000Z');
    t.clock.set('2026-12-14T08:02:00.000Z');
    await call(outbound, 'POST', `/conversations/${conversation.id}/messages`, { as: holder, body: { body: 'Sure' } });
    // A second conversation the same Friday, answered 10 minutes later inside hours: 600 s.
    const c2 = nextCustomer();
    await writes(c2, TEAM_N, 'Another one', '2026-12-11T09:00:00.000Z');
    const second = (await conversationsOf(admin)).find((x) => x.customerNumber === c2)!;
    t.clock.set('2026-12-11T09:10:00.000Z');
    await call(outbound, 'POST', `/conversations/${second.id}/messages`, { as: { sub: second.assignedTo.id }, body: { body: 'Hello' } });

    const teams = await report(admin, 'from=2026-12-11&to=2026-12-14&groupBy=team');
    expect(teams.status).toBe(200);
    expect(teams.body.businessHoursOnly).toBe(true);
    const desk = teams.body.items.find((row: { principal: { id: string } }) => row.principal.id === 'desk');
    // First responses 2,700 s and 600 s: median 1,650, p90 2,700 − 0.1 × 2,100 = 2,490. One reply of 120 s.
    expect(desk).toMatchObject({ principal: { type: 'team', id: 'desk', name: 'Sales Desk' }, conversations: 2, inboundMessages: 3, answered: 2, firstResponseSeconds: { median: 1650, p90: 2490 }, replySeconds: { median: 120, p90: 120 } });
  });

  it('counts a seller’s own number on the wall clock, not automated messages, and shows a seller only their own row and their teams’', async () => {
    const c = nextCustomer();
    await writes(c, ALICE_N, 'Hi Alice', '2026-12-15T22:00:00.000Z');
    t.clock.set('2026-12-15T22:01:30.000Z');
    const conversation = await conversationWith(alice, c);
    await call(outbound, 'POST', `/conversations/${conversation.id}/messages`, { as: alice, body: { body: 'Hi!' } });
    const own = await report(alice, 'from=2026-12-15&to=2026-12-15');
    expect(own.body.items).toEqual([{ principal: { type: 'seller', id: 'alice', name: 'Alice' }, conversations: 1, inboundMessages: 1, answered: 1, firstResponseSeconds: { median: 90, p90: 90 }, replySeconds: { median: null, p90: null } }]);
    // The after-hours reply answered nobody: the wait it did not end is still open, so nothing is counted.
    const c2 = nextCustomer();
    await writes(c2, TEAM_N, 'Late', '2026-12-15T21:00:00.000Z');
    const night = await report(admin, 'from=2026-12-15&to=2026-12-15&groupBy=team');
    expect(night.body.items.find((r: { principal: { id: string } }) => r.principal.id === 'desk')).toMatchObject({ conversations: 1, answered: 0, firstResponseSeconds: { median: null, p90: null } });
    // Bob (same team) sees his own row and the team's, never Alice's.
    const bobs = await report(bob, 'from=2026-12-01&to=2026-12-31');
    expect(bobs.body.items.map((r: { principal: { id: string } }) => r.principal.id)).toEqual(['bob']);
    const bobsTeams = await report(bob, 'from=2026-12-01&to=2026-12-31&groupBy=team');
    expect(bobsTeams.body.items.map((r: { principal: { id: string } }) => r.principal.id)).toEqual(['desk']);
    const admins = await report(admin, 'from=2026-12-01&to=2026-12-31');
    expect(admins.body.items.map((r: { principal: { id: string } }) => r.principal.id)).toContain('alice');
  });

  it('refuses periods over 92 days, reversed ones and bad dates with 400', async () => {
    for (const query of ['from=2026-01-01&to=2026-04-03', 'from=2026-12-10&to=2026-12-01', 'from=yesterday&to=2026-12-01', 'to=2026-13-45', 'to=tomorrow', 'from=2026-12-01&to=2026-12-02&groupBy=planet']) {
      const refused = await report(admin, query);
      expect(refused.status, query).toBe(400);
      expect(refused.body.error.code).toBe('ValidationError');
    }
    expect((await report(admin, 'from=2026-01-01&to=2026-04-02')).status).toBe(200);
    expect((await report(admin, 'from=2026-12-01T00:00:00Z&to=2026-12-31T23:59:59Z')).status).toBe(200);
  });

  it('without dates covers the last 30 days, today (UTC) included; `from` alone ends today', async () => {
    t.clock.set('2026-12-15T23:30:00.000Z');
    const last30 = await report(alice, '');
    expect(last30.status).toBe(200);
    expect(last30.body).toMatchObject({ from: '2026-11-16', to: '2026-12-15' });
    expect(last30.body.items).toEqual((await report(alice, 'from=2026-11-16&to=2026-12-15')).body.items);
    expect(last30.body.items.map((r: { principal: { id: string } }) => r.principal.id)).toEqual(['alice']);
    expect((await report(admin, 'from=2026-12-01')).body).toMatchObject({ from: '2026-12-01', to: '2026-12-15' });
    expect((await report(admin, 'to=2026-12-10')).body).toMatchObject({ from: '2026-11-11', to: '2026-12-10' });
    // A `from` after today is a reversed period.
    expect((await report(admin, 'from=2026-12-20')).status).toBe(400);
  });
});
