import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BatchWriteItemCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { call, lambdaContext } from '../helpers/api';
import { migrationRecords } from '../../shared/store/items/migration';
import { createHandler as createMigrations } from '../../functions/migrations/handler';
import { runMigrations } from '../../shared/store/migrations/runner';
import { MIGRATIONS } from '../../shared/store/migrations/index';
import { CursorCodec } from '../../shared/http/cursor';
import { SandboxProvider } from '../../shared/providers/sandbox';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { RELEASES } from '../../scripts/release-fixtures';

/**
 * Upgrades: the items every earlier release wrote (test/fixtures/releases, written by that release's own code with
 * `npm run fixtures:releases`), migrated, then read and used through today's API as items written today would be.
 * Every route answer is checked against docs/openapi.json (test/helpers/api.ts).
 */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'releases');
type Fixture = { release: string; commit: string; items: Record<string, AttributeValue>[] };
const fixtures: Fixture[] = readdirSync(FIXTURES)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Fixture);

const SEED = { aliceNumber: '+14255550100', teamNumber: '+14255550101', bobNumber: '+14255550102', ada: '+14255550123', stopper: '+14255550191' };
const admin = { sub: 'admin', groups: ['admin'] };
const alice = { sub: 'alice' };
const bob = { sub: 'bob' };

async function load(t: TestTable, fixture: Fixture) {
  const raw = new DynamoDBClient({ endpoint: t.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  for (let i = 0; i < fixture.items.length; i += 25) {
    await raw.send(new BatchWriteItemCommand({ RequestItems: { [t.table]: fixture.items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
  }
  raw.destroy();
}

function handlers(t: TestTable) {
  const cursors = new CursorCodec(async () => 'upgrade-key');
  return {
    directory: createDirectory(t, cursors),
    sellerApi: createSellerApi(t, cursors),
    outbound: createOutbound(t, () => new SandboxProvider()),
    privacy: createPrivacy(t, cursors, { hashKey: async () => 'upgrade-key' }),
  };
}

const kindsOf = (fixture: Fixture) => new Set(fixture.items.map((i) => i.kind?.S));
const itemsOf = (fixture: Fixture, kind: string) => fixture.items.filter((i) => i.kind?.S === kind);

describe('fixtures of every earlier release', () => {
  it('cover every release since the first, each written by its own code', () => {
    expect(fixtures.map((f) => f.release)).toEqual(RELEASES.map((r) => r.name));
    for (const fixture of fixtures) {
      expect(fixture.items.length).toBeGreaterThan(40);
      // The day each release played: conversations, messages, notifications, records, templates, an opt-out.
      for (const kind of ['seller', 'team', 'number', 'record', 'conversation', 'message', 'notification', 'template', 'optOut']) expect(kindsOf(fixture), `${fixture.release}: ${kind}`).toContain(kind);
    }
  });

  it('show today\'s gaps before the migrations: round 1 and 2 sellers missing from the assignee listing, conversations without names, round 1 records the lookup cannot find', async () => {
    for (const fixture of fixtures.filter((f) => f.release.startsWith('r1') || f.release.startsWith('r2'))) {
      const t = await freshTable();
      await load(t, fixture);
      const api = handlers(t);
      expect((await call(api.directory, 'GET', '/directory/assignees', { as: alice, query: { q: 'Al' } })).body.items, fixture.release).toEqual([]);
      const conversations = (await call(api.sellerApi, 'GET', '/me/conversations', { as: alice })).body.items as { record?: { id: string }; recordName?: string }[];
      expect(conversations.some((c) => c.record && c.recordName === c.record.id), fixture.release).toBe(true);
      if (fixture.release.startsWith('r1')) expect((await call(api.directory, 'GET', '/records', { as: admin, query: { q: 'Ada' } })).body.items, fixture.release).toEqual([]);
    }
  });
});

describe.each(fixtures.map((f) => [f.release, f] as const))('items written by %s, migrated, through today\'s API', (release, fixture) => {
  it('migrate once, resumably, and answer every route as items written today', async () => {
    const t = await freshTable();
    await load(t, fixture);
    // Today's code runs an hour after the release's day ended (its fixture was played on the day it was generated).
    const played = fixture.items.flatMap((i) => (i.createdAt?.S ? [i.createdAt.S] : [])).sort();
    const [firstDay, lastDay] = [played[0]!.slice(0, 10), played.at(-1)!.slice(0, 10)];
    t.clock.set(new Date(Date.parse(played.at(-1)!) + 3600_000).toISOString());
    // As after a deploy: the migrations function's run (its role checked by the IAM recorder).
    const run = (await createMigrations(t, { continueLater: async () => undefined, respond: async () => undefined })({ migrations: 'continue', requestedBy: release, round: 1 }, { ...lambdaContext, getRemainingTimeInMillis: () => 900_000 })) as { done: boolean };
    expect(run.done).toBe(true);
    const migrated = await migrationRecords(t.db, t.table, MIGRATIONS.map((m) => m.id));
    expect(MIGRATIONS.map((m) => migrated.get(m.id)?.status)).toEqual(MIGRATIONS.map(() => 'done'));
    const api = handlers(t);

    // The directory: every salesperson seller and team by name, in the hand-off picker.
    const assignees = (await call(api.directory, 'GET', '/directory/assignees', { as: alice, query: { q: 'a' } })).body.items as { id: string; name: string }[];
    expect(assignees.map((a) => a.name)).toEqual(expect.arrayContaining(['Alice Andersson']));
    expect((await call(api.directory, 'GET', '/directory/assignees', { as: alice, query: { q: 'Sales' } })).body.items).toEqual([{ type: 'team', id: 'sales-east', name: 'Sales East' }]);
    // The record lookup finds records by name (round 1 records were not indexed).
    expect((await call(api.directory, 'GET', '/records', { as: admin, query: { q: 'Ada' } })).body.items).toEqual([expect.objectContaining({ type: 'contact', id: 'ada', name: 'Ada Lovelace' })]);

    // My SMS: every conversation by the names of its record and assignee, never ids.
    const records = new Map(itemsOf(fixture, 'record').map((r) => [`${r.type!.S}/${r.id!.S}`, r.name?.S]));
    for (const seller of [alice, bob]) {
      const page = await call(api.sellerApi, 'GET', '/me/conversations', { as: seller });
      expect(page.status).toBe(200);
      for (const c of page.body.items as { id: string; record?: { type: string; id: string }; recordName?: string; assigneeName: string; assignedTo: { id: string } }[]) {
        if (c.record) expect(c.recordName, `${release} ${c.id}`).toBe(records.get(`${c.record.type}/${c.record.id}`) || c.record.id);
        expect(c.assigneeName, `${release} ${c.id}`).not.toBe(c.assignedTo.id);
        const messages = await call(api.sellerApi, 'GET', `/conversations/${c.id}/messages`, { as: seller });
        expect(messages.status).toBe(200);
        expect(messages.body.items.length).toBeGreaterThan(0);
        expect((await call(api.sellerApi, 'GET', `/conversations/${c.id}/events`, { as: seller })).status).toBe(200);
      }
    }
    const adas = (await call(api.sellerApi, 'GET', '/me/conversations', { as: alice })).body.items as { id: string; customerNumber: string; businessNumber: string; unreadCount: number }[];
    const ada = adas.find((c) => c.customerNumber === SEED.ada && c.businessNumber === SEED.aliceNumber)!;
    expect(ada).toBeDefined();
    // Ada's last reply is unread (round 1 conversations had no inbound count: their unread counts said 0).
    expect(ada.unreadCount).toBeGreaterThan(0);
    expect((await call(api.sellerApi, 'GET', '/me/unread', { as: alice })).status).toBe(200);

    // Notifications, read state: readable and markable.
    const notifications = await call(api.sellerApi, 'GET', '/me/notifications', { as: alice });
    expect(notifications.body.items.length).toBeGreaterThan(0);
    // Each inbound one names the customer and the record, as the bell shows them (round 1 stored neither).
    for (const n of (notifications.body.items as { kind: string; customerNumber?: string; record?: { name: string } }[]).filter((x) => x.kind === 'inbound_message')) {
      expect(n.customerNumber, release).toMatch(/^\+1425555/);
      expect(n.record?.name, release).toBeTruthy();
    }
    expect((await call(api.sellerApi, 'POST', `/conversations/${ada.id}/read`, { as: alice })).body.unreadCount).toBe(0);

    // Templates: listed, and a template's name stays its own (round 1 names were not claimed).
    const templates = (await call(api.sellerApi, 'GET', '/templates', { as: alice })).body.items as { name: string }[];
    expect(templates.map((x) => x.name)).toEqual(expect.arrayContaining(['Welcome', 'Renewal reminder']));
    expect((await call(api.sellerApi, 'POST', '/templates', { as: admin, body: { name: 'renewal REMINDER', body: 'Again' } })).status).toBe(409);

    // Consent: the customer who sent STOP is opted out, shown with its deciding change, and a send to them is refused.
    const consent = await call(api.privacy, 'GET', `/consent/${encodeURIComponent(SEED.stopper)}`, { as: admin });
    expect(consent.body.items).toEqual([expect.objectContaining({ businessNumber: SEED.aliceNumber, status: 'opted_out' })]);
    const stopper = adas.find((c) => c.customerNumber === SEED.stopper)!;
    expect((await call(api.outbound, 'POST', `/conversations/${stopper.id}/messages`, { as: alice, body: { body: 'Are you sure?' } })).body.error.code).toBe('OptedOut');

    // A reply in an old conversation, from today's code.
    const reply = await call(api.outbound, 'POST', `/conversations/${ada.id}/messages`, { as: alice, body: { body: 'Following up after the upgrade' }, headers: { 'idempotency-key': `upgrade-${release}` } });
    expect(reply.status).toBe(202);
    expect((await call(api.sellerApi, 'GET', `/conversations/${ada.id}/messages`, { as: alice })).body.items.map((m: { body: string }) => m.body)).toContain('Following up after the upgrade');

    // Team inboxes over old data: the reply answered Ada, who was waiting (migration 0012); the report counts it.
    const report = await call(api.sellerApi, 'GET', '/reports/response-times', { as: admin, query: { from: firstDay, to: lastDay } });
    expect(report.status).toBe(200);
    const aliceRow = (report.body.items as { principal: { id: string }; firstResponseSeconds: { median: number | null }; replySeconds: { median: number | null } }[]).find((row) => row.principal.id === 'alice');
    expect(aliceRow?.replySeconds.median ?? aliceRow?.firstResponseSeconds.median, release).toBeGreaterThan(0);
    // Availability (round 5 on): what the release stored, else available.
    const bobAway = fixture.items.some((i) => i.sk?.S === 'AVAILABILITY' && i.pk?.S === 'SELLER#bob' && i.available?.BOOL === false);
    expect((await call(api.directory, 'GET', '/me', { as: bob })).body.available).toBe(!bobAway);
    // Send later and automated steps (round 5 on): the kept message is still scheduled, the one Ada's reply canceled
    // says why, the CRM step's message says it was automated.
    if (fixture.items.some((i) => i.pk?.S?.startsWith('SCHEDULE#'))) {
      const scheduled = (await call(api.sellerApi, 'GET', '/me/scheduled', { as: alice })).body.items as { body: string; status: string }[];
      expect(scheduled.map((m) => [m.body, m.status])).toEqual([['Good morning! Ready for Friday?', 'scheduled']]);
      const thread = (await call(api.sellerApi, 'GET', `/conversations/${ada.id}/messages`, { as: alice, query: { limit: '100' } })).body.items as { body: string; status: string; statusReason?: { code: string }; automated?: string }[];
      expect(thread.find((m) => m.body === 'Reminder: the offer ends Friday.')).toMatchObject({ status: 'canceled', statusReason: { code: 'CustomerReplied' } });
      expect(thread.some((m) => m.automated === 'sms_step')).toBe(true);
    }

    // Erasure finds everything the old release wrote about the customer, notifications included.
    const erased = await call(api.privacy, 'DELETE', `/customers/${encodeURIComponent(SEED.ada)}`, { as: admin });
    expect(erased.status).toBe(200);
    const after = (await call(api.sellerApi, 'GET', '/me/notifications', { as: alice })).body.items as { preview?: string; conversationId?: string }[];
    expect(after.filter((n) => n.conversationId === ada.id)).toEqual([]);
    expect(JSON.stringify(after)).not.toContain('offer still open');
  });

  it('a second run changes nothing', async () => {
    const t = await freshTable();
    await load(t, fixture);
    await runMigrations(t);
    const second = await runMigrations(t);
    expect(second.done).toBe(true);
    // Each record kept from the first run: nothing visited again.
    const first = second.migrations.map((m) => m.visited);
    expect((await runMigrations(t)).migrations.map((m) => m.visited)).toEqual(first);
  });
});
