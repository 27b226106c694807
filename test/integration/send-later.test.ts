import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import Ajv2020 from 'ajv/dist/2020';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, lambdaContext, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { testNotifier, NOTIFIER_MAPPING } from '../helpers/notifier';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createScheduledSend } from '../../functions/scheduled-send/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { createHandler as createCrmEvents } from '../../functions/crm-events/handler';
import { StreamPoller } from '../../scripts/local/stream-poller';
import { LocalScheduler } from '../../scripts/local/local-scheduler';
import { LOCAL_SCHEDULER_SETTINGS } from '../../scripts/local/server';
import { eventSchemaDocuments } from '../../scripts/event-schemas';
import { EventBridgeMessageScheduler } from '../../shared/schedules/message-scheduler';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { CursorCodec } from '../../shared/http/cursor';
import { parseQuietHours } from '../../shared/domain/quiet-hours';
import { STREAM_FILTERS } from '../../shared/store/stream-consumers';
import type { Deps } from '../../shared/deps';

/** Send later (contract, "Send later"): EventBridge Scheduler stood in by the local scheduler, fired by the test's clock. */
const N = '+14255591001';
const TEAM_N = '+14255591002';
const C = { ada: '+14255591101', bea: '+14255591102', cy: '+14255591103', dot: '+14255591104', eve: '+14255591105', fay: '+14255591106', gus: '+14255591107', hal: '+14255591108', ivy: '+14255591109', jo: '+14255591110', kim: '+14255591111', lou: '+14255591112', max: '+14255591113', ned: '+14255591114' };
const alice: Identity = { sub: 'alice' };
const bob: Identity = { sub: 'bob' };
const carol: Identity = { sub: 'carol' };
const dan: Identity = { sub: 'dan' };

const snsMock = mockClient(SNSClient);
const eventBridge = mockClient(EventBridgeClient);
mockClient(SQSClient);
let t: TestTable;
let deps: Deps;
let sandbox: SandboxProvider;
let scheduler: LocalScheduler;
let outbound: ReturnType<typeof createOutbound>;
let scheduledSend: ReturnType<typeof createScheduledSend>;
let sellerApi: ReturnType<typeof createSellerApi>;
let notifier: StreamPoller;
let org: OrgBuilder;

const schedules = () => new EventBridgeMessageScheduler(scheduler as unknown as SchedulerClient, LOCAL_SCHEDULER_SETTINGS);
const at = (msFromNow: number) => new Date(t.clock.now().getTime() + msFromNow).toISOString();
const sendLater = (as: Identity, record: string, body: Record<string, unknown>, from = N) => call(outbound, 'POST', '/messages', { as, body: { record: { type: 'contact', id: record }, from, ...body } });
const messageOf = async (as: Identity, conversationId: string, id: string) => (await call(sellerApi, 'GET', `/conversations/${conversationId}/messages`, { as })).body.items.find((m: { id: string }) => m.id === id);
const outboxTo = (to: string) => sandbox.outbox.filter((m) => m.to === to);
/** The schedule's time comes: the clock moves to it and the due schedules fire (EventBridge Scheduler would). */
async function timeComes(iso: string) {
  t.clock.set(iso);
  await scheduler.fireDue(t.clock.now());
}
const schedulesOf = (messageId: string) => [...scheduler.schedules.values()].filter((s) => s.name.startsWith(`sms-${messageId}-`)).map((s) => s.name);

beforeAll(async () => {
  t = await freshTable();
  t.clock.set('2026-12-07T17:00:00.000Z'); // 09:00 in Los Angeles
  deps = { ...t };
  sandbox = new SandboxProvider();
  scheduler = new LocalScheduler(async () => undefined, { autoFire: false });
  outbound = createOutbound(deps, () => sandbox, undefined, schedules);
  scheduledSend = createScheduledSend(deps, () => sandbox, { scheduler: schedules, crmEventSource: 'crm' });
  scheduler.setTarget((input) => scheduledSend(input as never, lambdaContext));
  sellerApi = createSellerApi(deps);
  org = new OrgBuilder(t);
  await org.team('east');
  await org.seller('alice', { teamIds: ['east'], name: 'Alice' });
  await org.seller('carol', { teamIds: ['east'] });
  await org.seller('bob');
  await org.seller('dan', { roles: [] });
  await org.number(N, { type: 'seller', id: 'alice' });
  await org.number(TEAM_N, { type: 'team', id: 'east' });
  for (const [id, mobile] of Object.entries(C)) await org.record('contact', id, { mobile, ownerId: 'alice', name: `Customer ${id}` });
  notifier = new StreamPoller(t.endpoint, t.table, (event) => testNotifier(t)(event, lambdaContext), NOTIFIER_MAPPING);
  await notifier.drain();
});

beforeEach(() => {
  snsMock.reset();
  snsMock.on(PublishCommand).resolves({ MessageId: 'sns' });
});

describe('scheduling', () => {
  it('answers 202 with the message scheduled, in the thread and the Scheduled list at once, with one one-time schedule', async () => {
    const sendAt = at(10 * 60_000);
    const scheduled = await sendLater(alice, 'ada', { body: 'Good morning Ada', sendAt });
    expect(scheduled.status).toBe(202);
    expect(scheduled.body).toMatchObject({ status: 'scheduled', scheduledFor: sendAt, cancelOnReply: true, sentBy: 'alice', body: 'Good morning Ada' });
    expect(await messageOf(alice, scheduled.body.conversationId, scheduled.body.id)).toMatchObject({ status: 'scheduled', scheduledFor: sendAt });
    const list = await call(sellerApi, 'GET', '/me/scheduled', { as: alice });
    expect(list.body.items.map((m: { id: string }) => m.id)).toContain(scheduled.body.id);
    const schedule = [...scheduler.schedules.values()].find((s) => s.name === `sms-${scheduled.body.id}-r0`)!;
    // Scheduler fires in the minute of its at() time: the schedule names the minute, the function waits for the second.
    expect(schedule.at.toISOString()).toBe(`${sendAt.slice(0, 16)}:00.000Z`);
    expect(schedule.groupName).toBe(LOCAL_SCHEDULER_SETTINGS.groupName);
    expect(outboxTo(C.ada)).toHaveLength(0);
  });

  it('refuses a sendAt less than a minute or more than 35 days ahead, cancelOnReply without sendAt, and files with sendAt (400)', async () => {
    for (const body of [{ body: 'x', sendAt: at(30_000) }, { body: 'x', sendAt: at(36 * 24 * 3600_000) }, { body: 'x', sendAt: 'tomorrow' }, { body: 'x', cancelOnReply: false }, { sendAt: at(120_000), media: ['m1'] }]) {
      const refused = await sendLater(alice, 'bea', body);
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('ValidationError');
    }
    expect((await call(sellerApi, 'GET', '/records/contact/bea/conversations', { as: alice })).body.items).toEqual([]);
  });

  it('checks at scheduling what a send checks: the number (403 NumberNotAssigned), the role (403), the customer\'s consent (409 OptedOut)', async () => {
    expect((await sendLater(bob, 'bea', { body: 'x', sendAt: at(120_000) })).body.error.code).toBe('NumberNotAssigned');
    expect((await sendLater(carol, 'bea', { body: 'x', sendAt: at(120_000) })).body.error.code).toBe('NumberNotAssigned');
    expect((await sendLater(dan, 'bea', { body: 'x', sendAt: at(120_000) })).body.error.code).toBe('InsufficientPrivileges');
    await inboundSender(t)({ from: C.bea, to: N, body: 'STOP' });
    const refused = await sendLater(alice, 'bea', { body: 'x', sendAt: at(120_000) });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('OptedOut');
  });
});

describe('firing', () => {
  it('sends it once, within the minute after scheduledFor, as its author; it leaves the Scheduled list and its schedule is removed', async () => {
    const sendAt = at(5 * 60_000 + 17_000);
    const scheduled = (await sendLater(alice, 'cy', { body: 'It is time', sendAt })).body;
    await timeComes(new Date(Date.parse(sendAt) + 1000).toISOString());
    expect(outboxTo(C.cy).map((m) => m.body)).toEqual(['It is time']);
    const sent = await messageOf(alice, scheduled.conversationId, scheduled.id);
    expect(sent).toMatchObject({ status: 'sent', scheduledFor: sendAt, sentBy: 'alice' });
    expect(Date.parse(sent.statusAt) - Date.parse(sendAt)).toBeLessThan(60_000);
    expect(Date.parse(sent.statusAt)).toBeGreaterThanOrEqual(Date.parse(sendAt));
    expect(schedulesOf(scheduled.id)).toEqual([]);
    const list = await call(sellerApi, 'GET', '/me/scheduled', { as: alice });
    expect(list.body.items.map((m: { id: string }) => m.id)).not.toContain(scheduled.id);
    // The conversation moved forward with the send (My SMS order and preview).
    const conversation = (await call(sellerApi, 'GET', `/conversations/${scheduled.conversationId}`, { as: alice })).body;
    expect(conversation).toMatchObject({ lastMessageAt: sent.statusAt, lastMessagePreview: 'It is time' });
  });

  it('a schedule that fires twice (or two fires at once) sends once', async () => {
    const sendAt = at(3 * 60_000);
    const scheduled = (await sendLater(alice, 'dot', { body: 'Only once', sendAt })).body;
    t.clock.set(sendAt);
    const name = `sms-${scheduled.id}-r0`;
    const outcomes = await Promise.all([scheduler.fireAgain(name), scheduler.fireAgain(name), scheduler.fireAgain(name)]);
    expect(outcomes.map((o) => (o as { fired: string }).fired).sort()).toEqual(['not-scheduled', 'not-scheduled', 'sent']);
    await scheduler.fireDue(t.clock.now());
    expect(outboxTo(C.dot)).toHaveLength(1);
  });

  it('a fire racing a cancel: sent or canceled, never both', async () => {
    const sendAt = at(3 * 60_000);
    const scheduled = (await sendLater(alice, 'eve', { body: 'Race', sendAt })).body;
    t.clock.set(sendAt);
    const [fired, canceled] = await Promise.all([scheduler.fireAgain(`sms-${scheduled.id}-r0`), call(outbound, 'DELETE', `/messages/${scheduled.id}`, { as: alice })]);
    const final = await messageOf(alice, scheduled.conversationId, scheduled.id);
    if ((fired as { fired: string }).fired === 'sent') {
      expect(canceled.status).toBe(409);
      expect(outboxTo(C.eve)).toHaveLength(1);
    } else {
      expect(canceled.status).toBe(200);
      expect(final.status).toBe('canceled');
      expect(outboxTo(C.eve)).toHaveLength(0);
    }
  });
});

describe('editing and canceling', () => {
  it('an edit moves the schedule (a new revision); the old one firing sends nothing; the new one sends the new text', async () => {
    const first = at(10 * 60_000);
    const scheduled = (await sendLater(alice, 'fay', { body: 'Draft', sendAt: first })).body;
    const later = at(40 * 60_000);
    const edited = await call(outbound, 'PATCH', `/messages/${scheduled.id}`, { as: alice, body: { sendAt: later, body: 'Final text' } });
    expect(edited.status).toBe(200);
    expect(edited.body).toMatchObject({ status: 'scheduled', scheduledFor: later, body: 'Final text' });
    expect(schedulesOf(scheduled.id)).toEqual([`sms-${scheduled.id}-r1`]);
    t.clock.set(first);
    // The first revision's schedule still firing (it was being deleted): nothing.
    expect(await scheduledSend({ scheduledMessage: { id: scheduled.id, revision: 0 } } as never, lambdaContext)).toEqual({ fired: 'stale' });
    expect(outboxTo(C.fay)).toHaveLength(0);
    await timeComes(later);
    expect(outboxTo(C.fay).map((m) => m.body)).toEqual(['Final text']);
    // After it went: 409.
    expect((await call(outbound, 'PATCH', `/messages/${scheduled.id}`, { as: alice, body: { body: 'too late' } })).status).toBe(409);
  });

  it('its author or an admin cancels it (CanceledBySeller, schedule removed); a teammate who sees it gets 403, someone who does not 404; afterwards 409', async () => {
    const scheduled = (await sendLater(alice, 'gus', { body: 'Maybe', sendAt: at(20 * 60_000) }, TEAM_N)).body;
    expect((await call(outbound, 'DELETE', `/messages/${scheduled.id}`, { as: carol })).status).toBe(403);
    expect((await call(outbound, 'PATCH', `/messages/${scheduled.id}`, { as: carol, body: { body: 'mine now' } })).status).toBe(403);
    expect((await call(outbound, 'DELETE', `/messages/${scheduled.id}`, { as: bob })).status).toBe(404);
    expect((await call(outbound, 'DELETE', '/messages/no-such-message', { as: alice })).status).toBe(404);
    const canceled = await call(outbound, 'DELETE', `/messages/${scheduled.id}`, { as: alice });
    expect(canceled.status).toBe(200);
    expect(canceled.body).toMatchObject({ status: 'canceled', statusReason: { code: 'CanceledBySeller' } });
    expect(schedulesOf(scheduled.id)).toEqual([]);
    expect((await call(outbound, 'DELETE', `/messages/${scheduled.id}`, { as: alice })).status).toBe(409);
    const byAdmin = (await sendLater(alice, 'gus', { body: 'Again', sendAt: at(20 * 60_000) }, TEAM_N)).body;
    expect((await call(outbound, 'DELETE', `/messages/${byAdmin.id}`, { as: admin })).body.status).toBe('canceled');
    // The author's own cancel tells nobody.
    await notifier.drain();
    const notes = (await call(sellerApi, 'GET', '/me/notifications', { as: alice })).body.items;
    expect(notes.filter((n: { messageId?: string }) => n.messageId === scheduled.id)).toEqual([]);
  });

  it('an edit into quiet hours answers 409 QuietHours with allowedFrom', async () => {
    const quietOutbound = createOutbound({ ...deps, quietHours: parseQuietHours('21:00-08:00') }, () => sandbox, undefined, schedules);
    const scheduled = (await sendLater(alice, 'hal', { body: 'Tonight?', sendAt: at(60 * 60_000) })).body;
    // 23:00 in Los Angeles.
    const refused = await call(quietOutbound, 'PATCH', `/messages/${scheduled.id}`, { as: alice, body: { sendAt: '2026-12-08T07:00:00.000Z' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'QuietHours', details: { allowedFrom: '2026-12-08T16:00:00.000Z' } });
    const scheduling = await call(quietOutbound, 'POST', '/messages', { as: alice, body: { record: { type: 'contact', id: 'hal' }, from: N, body: 'x', sendAt: '2026-12-08T07:00:00.000Z' } });
    expect(scheduling.body.error).toMatchObject({ code: 'QuietHours', details: { customerLocalTime: '23:00', allowedFrom: '2026-12-08T16:00:00.000Z' } });
    await call(outbound, 'DELETE', `/messages/${scheduled.id}`, { as: alice });
  });
});

describe('canceled when it fires, or before, and its author told', () => {
  const notificationOf = async (messageId: string) => {
    await notifier.drain();
    return (await call(sellerApi, 'GET', '/me/notifications', { as: alice })).body.items.find((n: { messageId?: string; kind: string }) => n.messageId === messageId && n.kind === 'scheduled_canceled');
  };

  it('by a reply: the inbound message cancels it (CustomerReplied) with the write it makes anyway; cancelOnReply false still goes', async () => {
    const sendAt = at(30 * 60_000);
    const canceledByReply = (await sendLater(alice, 'ivy', { body: 'Following up', sendAt })).body;
    const kept = (await sendLater(alice, 'ivy', { body: 'Reminder regardless', sendAt, cancelOnReply: false })).body;
    expect(kept.cancelOnReply).toBe(false);
    t.clock.advance(60_000);
    await inboundSender(t)({ from: C.ivy, to: N, body: 'Actually, call me now' });
    const note = await notificationOf(canceledByReply.id);
    expect(note).toMatchObject({ kind: 'scheduled_canceled', conversationId: canceledByReply.conversationId, statusReason: { code: 'CustomerReplied' } });
    expect(await messageOf(alice, canceledByReply.conversationId, canceledByReply.id)).toMatchObject({ status: 'canceled', statusReason: { code: 'CustomerReplied' } });
    await timeComes(sendAt);
    expect(outboxTo(C.ivy).map((m) => m.body)).toEqual(['Reminder regardless']);
  });

  it('by a reply the notifier has not yet seen: the fire itself finds it', async () => {
    const sendAt = at(30 * 60_000);
    const scheduled = (await sendLater(alice, 'jo', { body: 'Checking in', sendAt })).body;
    t.clock.advance(60_000);
    await inboundSender(t)({ from: C.jo, to: N, body: 'I will be late' });
    await timeComes(sendAt);
    expect(outboxTo(C.jo)).toHaveLength(0);
    expect(await messageOf(alice, scheduled.conversationId, scheduled.id)).toMatchObject({ status: 'canceled', statusReason: { code: 'CustomerReplied' } });
  });

  it('by an opt-out recorded since (OptedOut)', async () => {
    const sendAt = at(30 * 60_000);
    const scheduled = (await sendLater(alice, 'kim', { body: 'Offer', sendAt, cancelOnReply: false })).body;
    const privacy = createPrivacy(t, new CursorCodec(async () => 'k'), { hashKey: async () => 'k' });
    expect((await call(privacy, 'PUT', `/consent/${encodeURIComponent(C.kim)}/${encodeURIComponent(N)}`, { as: admin, body: { status: 'opted_out', reason: 'asked by phone' } })).status).toBe(200);
    await timeComes(sendAt);
    expect(outboxTo(C.kim)).toHaveLength(0);
    expect(await notificationOf(scheduled.id)).toMatchObject({ statusReason: { code: 'OptedOut' } });
  });

  it('by a lost role or a lost conversation (NotAllowed)', async () => {
    const sendAt = at(30 * 60_000);
    const scheduled = (await sendLater(alice, 'lou', { body: 'News', sendAt })).body;
    await org.seller('alice', { teamIds: ['east'], name: 'Alice', roles: [] });
    await timeComes(sendAt);
    await org.seller('alice', { teamIds: ['east'], name: 'Alice' });
    expect(outboxTo(C.lou)).toHaveLength(0);
    expect(await notificationOf(scheduled.id)).toMatchObject({ statusReason: { code: 'NotAllowed' } });
  });

  it('by a template whose record lost a value (MissingPlaceholderValue)', async () => {
    await org.record('contact', 'max', { mobile: C.max, ownerId: 'alice', name: 'Customer max', business: '+14255591999' });
    const template = (await call(sellerApi, 'POST', '/templates', { as: alice, body: { name: 'Office line', body: 'We will call {{record.business}}' } })).body;
    const sendAt = at(30 * 60_000);
    const scheduled = (await sendLater(alice, 'max', { templateId: template.id, sendAt })).body;
    expect(scheduled.body).toBe('We will call +14255591999');
    await org.record('contact', 'max', { mobile: C.max, ownerId: 'alice', name: 'Customer max' });
    await timeComes(sendAt);
    expect(outboxTo(C.max)).toHaveLength(0);
    expect(await notificationOf(scheduled.id)).toMatchObject({ statusReason: { code: 'MissingPlaceholderValue' } });
  });

  it('deferred by a quiet window that began since it was scheduled, and sent when it ends', async () => {
    // Scheduled while quiet hours were off; by the time it fires (23:30 in Los Angeles) they are on.
    const sendAt = '2026-12-08T07:30:00.000Z';
    const scheduled = (await sendLater(alice, 'ned', { body: 'Late news', sendAt })).body;
    const quiet = { ...deps, quietHours: parseQuietHours('21:00-08:00') };
    const quietSend = createScheduledSend(quiet, () => sandbox, { scheduler: schedules });
    scheduler.setTarget((input) => quietSend(input as never, lambdaContext));
    await timeComes(sendAt);
    expect(outboxTo(C.ned)).toHaveLength(0);
    expect(await messageOf(alice, scheduled.conversationId, scheduled.id)).toMatchObject({ status: 'scheduled', scheduledFor: '2026-12-08T16:00:00.000Z' });
    expect(schedulesOf(scheduled.id)).toEqual([`sms-${scheduled.id}-r1`]);
    await timeComes('2026-12-08T16:00:00.000Z');
    scheduler.setTarget((input) => scheduledSend(input as never, lambdaContext));
    expect(outboxTo(C.ned).map((m) => m.body)).toEqual(['Late news']);
  });
});

describe('erasure', () => {
  it('deletes the customer\'s scheduled messages and their schedules; a schedule still firing finds nothing', async () => {
    await org.record('contact', 'zed', { mobile: '+14255591199', ownerId: 'alice' });
    const scheduled = (await sendLater(alice, 'zed', { body: 'Private', sendAt: at(60 * 60_000) })).body;
    const privacy = createPrivacy(t, new CursorCodec(async () => 'k'), { hashKey: async () => 'k', deleteSchedule: (name) => schedules().delete(name) });
    expect((await call(privacy, 'DELETE', `/customers/${encodeURIComponent('+14255591199')}`, { as: admin })).status).toBe(200);
    expect(schedulesOf(scheduled.id)).toEqual([]);
    expect(await scheduledSend({ scheduledMessage: { id: scheduled.id, revision: 0 } } as never, lambdaContext)).toEqual({ fired: 'gone' });
    expect((await call(sellerApi, 'GET', '/me/scheduled', { as: alice })).body.items.map((m: { id: string }) => m.id)).not.toContain(scheduled.id);
    expect((await call(outbound, 'DELETE', `/messages/${scheduled.id}`, { as: alice })).status).toBe(404);
  });
});

describe('automated SMS steps of a CRM sequence', () => {
  const step = (stepRunId: string, record: string, extra: Record<string, unknown> = {}) => ({ stepRunId, record: { type: 'contact', id: record }, templateId: stepTemplate, context: { sequenceId: 'seq-7', stepId: 'step-2' }, ...extra });
  let stepTemplate: string;
  beforeAll(async () => {
    stepTemplate = (await call(sellerApi, 'POST', '/templates', { as: alice, body: { name: 'Sequence hello', body: 'Hi {{record.name}}, {{seller.name}} here' } })).body.id;
    await org.record('contact', 'step-1', { mobile: '+14255592101', ownerId: 'alice', name: 'Pat' });
    await org.record('contact', 'step-none', { ownerId: 'alice', name: 'No number' });
    await org.record('contact', 'step-bob', { mobile: '+14255592103', ownerId: 'bob', name: 'Bob\'s' });
    await org.record('contact', 'step-stop', { mobile: '+14255592104', ownerId: 'alice', name: 'Stopped' });
    await org.record('contact', 'step-quiet', { mobile: '+14255592105', ownerId: 'alice', name: 'Night' });
    await org.record('contact', 'step-later', { mobile: '+14255592106', ownerId: 'alice', name: 'Later' });
    await org.record('contact', 'step-event', { mobile: '+14255592107', ownerId: 'alice', name: 'Evented' });
  });

  it('sends the template rendered for the record on the owner\'s behalf, automated, with the context; the same stepRunId sends once', async () => {
    const first = await call(outbound, 'POST', '/automations/sms-steps', { as: admin, body: step('run-1', 'step-1') });
    expect(first.status).toBe(202);
    expect(first.body).toMatchObject({ outcome: 'sent', message: { body: 'Hi Pat, Alice here', automated: 'sms_step', sentBy: 'alice', from: N, context: { sequenceId: 'seq-7', stepId: 'step-2' } } });
    const again = await call(outbound, 'POST', '/automations/sms-steps', { as: admin, body: step('run-1', 'step-1') });
    expect(again.body.message.id).toBe(first.body.message.id);
    expect(outboxTo('+14255592101')).toHaveLength(1);
    expect((await call(outbound, 'POST', '/automations/sms-steps', { as: alice, body: step('run-x', 'step-1') })).status).toBe(403);
  });

  it('from an SmsStepDue event on the CRM\'s source (another source is ignored); with sendAt it is scheduled and fires', async () => {
    const event = (detail: unknown, source = 'crm') => ({ version: '0', id: 'e1', 'detail-type': 'SmsStepDue', source, account: '1', time: t.clock.now().toISOString(), region: 'us-east-1', resources: [], detail });
    expect(await scheduledSend(event(step('run-ev', 'step-event'), 'someone-else') as never, lambdaContext)).toEqual({ outcome: 'ignored' });
    expect(await scheduledSend(event({ stepRunId: 'bad' }) as never, lambdaContext)).toEqual({ outcome: 'invalid' });
    expect(await scheduledSend(event(step('run-ev', 'step-event')) as never, lambdaContext)).toEqual({ outcome: 'sent' });
    expect(await scheduledSend(event(step('run-ev', 'step-event')) as never, lambdaContext)).toEqual({ outcome: 'sent' });
    expect(outboxTo('+14255592107')).toHaveLength(1);
    const sendAt = at(15 * 60_000);
    const later = await call(outbound, 'POST', '/automations/sms-steps', { as: admin, body: step('run-later', 'step-later', { sendAt }) });
    expect(later.body).toMatchObject({ outcome: 'scheduled', message: { status: 'scheduled', automated: 'sms_step', scheduledFor: sendAt, cancelOnReply: true } });
    await timeComes(sendAt);
    expect(outboxTo('+14255592106').map((m) => m.body)).toEqual(['Hi Later, Alice here']);
  });

  it('the same SmsStepDue delivered twice at once (EventBridge is at least once) schedules once; the loser removes its schedule', async () => {
    await org.record('contact', 'step-twice', { mobile: '+14255592108', ownerId: 'alice', name: 'Twice' });
    const sendAt = at(20 * 60_000);
    const event = { version: '0', id: 'e2', 'detail-type': 'SmsStepDue', source: 'crm', account: '1', time: t.clock.now().toISOString(), region: 'us-east-1', resources: [], detail: step('run-twice', 'step-twice', { sendAt }) };
    const outcomes = await Promise.all([scheduledSend(event as never, lambdaContext), scheduledSend(event as never, lambdaContext)]);
    expect(outcomes).toEqual([{ outcome: 'scheduled' }, { outcome: 'scheduled' }]);
    const conversations = (await call(sellerApi, 'GET', '/records/contact/step-twice/conversations', { as: alice })).body.items;
    const messages = (await call(sellerApi, 'GET', `/conversations/${conversations[0].id}/messages`, { as: alice })).body.items;
    expect(messages).toHaveLength(1);
    expect(schedulesOf(messages[0].id)).toEqual([`sms-${messages[0].id}-r0`]);
    expect([...scheduler.schedules.values()].filter((s) => (s.input as { scheduledMessage: { at?: string } }).scheduledMessage.at === sendAt)).toHaveLength(1);
    await timeComes(sendAt);
    expect(outboxTo('+14255592108')).toHaveLength(1);
  });

  it('skips with a reason, once per run, when nothing can be sent', async () => {
    const privacy = createPrivacy(t, new CursorCodec(async () => 'k'), { hashKey: async () => 'k' });
    await call(privacy, 'PUT', `/consent/${encodeURIComponent('+14255592104')}/${encodeURIComponent(N)}`, { as: admin, body: { status: 'opted_out', reason: 'STOP by phone' } });
    const missing = (await call(sellerApi, 'POST', '/templates', { as: alice, body: { name: 'Needs business', body: 'Call {{record.business}}' } })).body.id;
    const quietOutbound = createOutbound({ ...deps, quietHours: parseQuietHours('21:00-08:00') }, () => sandbox, undefined, schedules);
    const cases: [string, Record<string, unknown>, string, ReturnType<typeof createOutbound>?][] = [
      ['skip-none', step('skip-none', 'step-none'), 'NoPhoneNumber'],
      ['skip-stop', step('skip-stop', 'step-stop'), 'OptedOut'],
      ['skip-bob', step('skip-bob', 'step-bob'), 'NoBusinessNumber'],
      ['skip-missing', step('skip-missing', 'step-1', { templateId: missing }), 'MissingPlaceholderValue'],
      ['skip-gone', step('skip-gone', 'no-such-record'), 'RecordNotFound'],
      ['skip-template', step('skip-template', 'step-1', { templateId: 'no-such-template' }), 'TemplateNotFound'],
    ];
    t.clock.set('2026-12-09T07:00:00.000Z'); // 23:00 in Los Angeles
    cases.push(['skip-quiet', step('skip-quiet', 'step-quiet'), 'QuietHours', quietOutbound]);
    for (const [name, body, code, handler] of cases) {
      const skipped = await call(handler ?? outbound, 'POST', '/automations/sms-steps', { as: admin, body });
      expect(skipped.status, name).toBe(200);
      expect(skipped.body, name).toMatchObject({ outcome: 'skipped', reason: { code } });
    }
    const repeated = await call(outbound, 'POST', '/automations/sms-steps', { as: admin, body: step('skip-none', 'step-none') });
    expect(repeated.body).toMatchObject({ outcome: 'skipped', reason: { code: 'NoPhoneNumber' } });
  });
});

describe('events to the CRM', () => {
  it('SmsMessageScheduled when scheduled, SmsMessageStatusChanged when sent or canceled, SmsStepSkipped per skipped run, each valid against docs/events', async () => {
    eventBridge.on(PutEventsCommand).callsFake((input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_, i) => ({ EventId: `e${i}` })) }));
    const publisher = createCrmEvents({ ...t, publisher: { eventBridge: new EventBridgeClient({ region: 'us-east-1' }), busName: 'crm-bus', failures: { sqs: new SQSClient({ region: 'us-east-1' }), queueUrl: 'https://sqs.local/failures' } } });
    const poller = new StreamPoller(t.endpoint, t.table, (event) => publisher(event, lambdaContext), { filters: STREAM_FILTERS['crm-events'] });
    await poller.drain(500);
    await poller.stop();
    const entries: PutEventsRequestEntry[] = eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);
    const ajv = new Ajv2020({ strict: false });
    const validators = Object.fromEntries(Object.entries(eventSchemaDocuments()).map(([type, schema]) => [type, ajv.compile(schema)]));
    for (const entry of entries) expect(validators[entry.DetailType!]!(JSON.parse(entry.Detail!)), `${entry.DetailType} ${JSON.stringify(validators[entry.DetailType!]!.errors)}`).toBe(true);
    const details = (type: string) => entries.filter((e) => e.DetailType === type).map((e) => JSON.parse(e.Detail!));
    const customer = (to: string) => details('SmsMessageStatusChanged').filter((d) => d.customerNumber === to).map((d) => [d.previousStatus, d.message.status]);
    expect(details('SmsMessageScheduled').find((d) => d.customerNumber === C.cy)).toMatchObject({ message: { status: 'scheduled', scheduledFor: expect.any(String), sentBy: 'alice' } });
    expect(customer(C.cy)).toContainEqual(['scheduled', 'sent']);
    expect(customer(C.ivy)).toContainEqual(['scheduled', 'canceled']);
    // A scheduled send is told as a status change, not as a second SmsMessageSent.
    expect(details('SmsMessageSent').filter((d) => d.customerNumber === C.cy)).toEqual([]);
    expect(details('SmsStepSkipped').map((d) => [d.stepRunId, d.reason.code]).sort()).toEqual(
      [['skip-bob', 'NoBusinessNumber'], ['skip-gone', 'RecordNotFound'], ['skip-missing', 'MissingPlaceholderValue'], ['skip-none', 'NoPhoneNumber'], ['skip-quiet', 'QuietHours'], ['skip-stop', 'OptedOut'], ['skip-template', 'TemplateNotFound']],
    );
    expect(details('SmsStepSkipped').find((d) => d.stepRunId === 'skip-none')).toMatchObject({ record: { type: 'contact', id: 'step-none' }, context: { sequenceId: 'seq-7', stepId: 'step-2' } });
  });
});
