import { beforeEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { BatchWriteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { call, lambdaContext } from '../helpers/api';
import { keys } from '../../shared/store/keys';
import { runMigrations } from '../../shared/store/migrations/runner';
import { MIGRATIONS } from '../../shared/store/migrations/index';
import { migrationRecords, releaseMigrationLease, takeMigrationLease } from '../../shared/store/items/migration';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { DirectoryStore } from '../../shared/store/items/directory';

const createDirectoryStore = (table: TestTable) => new DirectoryStore(table.db, table.table);
import { awsMigrationsIo, createHandler as createMigrations, type ContinueEvent, type MigrationsIo } from '../../functions/migrations/handler';
import type { Db } from '../../shared/aws';

/** Migrations: idempotent, resumable, recorded, one runner at a time, and started by the deploy without waiting for it. */
let t: TestTable;
beforeEach(async () => {
  t = await freshTable();
});

/** Sellers as round 2 wrote them: no assignee listing (gsi1). */
async function writeRound2Sellers(count: number) {
  const items = Array.from({ length: count }, (_, i) => ({ ...keys.seller(`old-${String(i).padStart(4, '0')}`), kind: 'seller', id: `old-${String(i).padStart(4, '0')}`, name: `Old Seller ${i}`, teamIds: [], roles: ['salesperson'] }));
  for (let i = 0; i < items.length; i += 25) await t.db.send(new BatchWriteCommand({ RequestItems: { [t.table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
}

/** Counts the writes that changed an item (conditional updates that passed), per key. */
function countingChanges(db: Db): { db: Db; changes: Map<string, number> } {
  const changes = new Map<string, number>();
  const counted = new Proxy(db, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return async (command: { constructor: { name: string }; input: { Key?: { pk: string; sk: string } } }) => {
        const answer = await (target.send as (c: unknown) => Promise<unknown>)(command);
        if (command.constructor.name === 'UpdateCommand' && command.input.Key && !command.input.Key.pk.startsWith('MIGRATION#')) {
          const key = `${command.input.Key.pk}|${command.input.Key.sk}`;
          changes.set(key, (changes.get(key) ?? 0) + 1);
        }
        return answer;
      };
    },
  });
  return { db: counted, changes };
}

describe('the migration runner', () => {
  it('round 2 sellers are missing from the assignee listing until the migrations run, then every one is listed', async () => {
    await writeRound2Sellers(3);
    const directory = createDirectory(t);
    const find = () => call(directory, 'GET', '/directory/assignees', { as: { sub: 'old-0000' }, query: { q: 'old seller' } });
    expect((await find()).body.items).toEqual([]);
    const run = await runMigrations(t);
    expect(run.done).toBe(true);
    expect((await find()).body.items.map((a: { id: string }) => a.id)).toEqual(['old-0000', 'old-0001', 'old-0002']);
    // Recorded: which ran, when, how many items; a second run changes nothing and visits nothing.
    const records = await migrationRecords(t.db, t.table, MIGRATIONS.map((m) => m.id));
    expect(records.get('0001-assignee-listing')).toMatchObject({ status: 'done', visited: 3, changed: 3, startedAt: expect.any(String), finishedAt: expect.any(String) });
    const again = await runMigrations(t);
    expect(again.migrations.find((m) => m.id === '0001-assignee-listing')).toEqual(records.get('0001-assignee-listing'));
  });

  it('a run killed midway continues from its saved place on the next run, and no item is changed twice', async () => {
    await writeRound2Sellers(230);
    const { db, changes } = countingChanges(t.db);
    const deps = { ...t, db };
    await expect(
      runMigrations(deps, {
        pageSize: 40,
        afterItem: (migration, visited) => {
          if (migration === '0001-assignee-listing' && visited === 130) throw new Error('killed');
        },
      }),
    ).rejects.toThrow('killed');
    const interrupted = (await migrationRecords(t.db, t.table, ['0001-assignee-listing'])).get('0001-assignee-listing')!;
    // Three pages of 40 were saved; the fourth was cut short.
    expect(interrupted).toMatchObject({ status: 'running', visited: 120, lastKey: expect.any(Object) });
    const run = await runMigrations(deps, { pageSize: 40 });
    expect(run.done).toBe(true);
    // The record counts what finished pages changed: the 10 items the cut-short page had changed count as unchanged on the re-visit.
    expect(run.migrations.find((m) => m.id === '0001-assignee-listing')).toMatchObject({ status: 'done', visited: 230, changed: 220 });
    // Every seller listed, and each changed by exactly one write (the re-visited page found nothing to change).
    const sellerChanges = [...changes].filter(([key]) => key.startsWith('SELLER#'));
    expect(sellerChanges).toHaveLength(230);
    expect(sellerChanges.every(([, n]) => n === 1)).toBe(true);
    const sample = (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.seller('old-0125') }))).Item!;
    expect(sample).toMatchObject({ gsi1pk: 'ASSIGNEES', gsi1sk: 'old seller 125#seller#old-0125' });
  });

  it('a run past its deadline saves its place; one runner at a time', async () => {
    await writeRound2Sellers(90);
    const first = await runMigrations(t, { pageSize: 30, deadline: 0 });
    expect(first.done).toBe(false);
    expect(first.migrations.find((m) => m.id === '0001-assignee-listing')).toMatchObject({ status: 'running', visited: 30 });
    // Another runner holding the lease: this one runs nothing until the lease is released (or runs out).
    expect(await takeMigrationLease(t.db, t.table, 'another-runner', Date.now(), Date.now() + 60_000)).toBe(true);
    expect(await runMigrations(t)).toMatchObject({ done: false, busy: true });
    await releaseMigrationLease(t.db, t.table, 'another-runner');
    const rest = await runMigrations(t, { pageSize: 30 });
    expect(rest.done).toBe(true);
    expect(rest.migrations.find((m) => m.id === '0001-assignee-listing')).toMatchObject({ status: 'done', visited: 90, changed: 90 });
  });
});

describe('0011: unread counters for notifications written before them', () => {
  it('round 3 unread notifications are counted once; the bell, a read and read-all agree before and after', async () => {
    const sellerApi = createSellerApi(t);
    const seller = { sub: 'old-reader' };
    await createDirectoryStore(t).putSeller({ id: 'old-reader', name: 'Old Reader', teamIds: [], roles: ['salesperson'] });
    // As round 3 wrote them: unread in gsi1 `UNREAD#seller`, no counter, one of them read.
    const ids = ['01KBX00000AAAAAAAAAAAAAAA1', '01KBX00000AAAAAAAAAAAAAAA2', '01KBX00000AAAAAAAAAAAAAAA3'];
    for (const [i, id] of ids.entries()) {
      const read = i === 0;
      await t.db.send(new BatchWriteCommand({ RequestItems: { [t.table]: [{ PutRequest: { Item: { ...keys.notification('old-reader', id), ...(read ? {} : { gsi1pk: 'UNREAD#old-reader', gsi1sk: id }), kind: 'notification', id, sellerId: 'old-reader', notificationKind: 'conversation_assigned', conversationId: 'c-old', createdAt: '2026-11-28T10:00:00.000Z', read, by: 'admin' } } }] } }));
    }
    const unread = async () => (await call(sellerApi, 'GET', '/me/unread', { as: seller })).body.notifications as number;
    // Counted on the old index until the migration runs: right already.
    expect(await unread()).toBe(2);
    expect((await call(sellerApi, 'POST', `/me/notifications/${ids[1]}/read`, { as: seller })).status).toBe(200);
    expect(await unread()).toBe(1);
    expect((await runMigrations(t)).done).toBe(true);
    expect((await migrationRecords(t.db, t.table, ['0011-notification-counters'])).get('0011-notification-counters')).toMatchObject({ status: 'done', changed: 1 });
    expect(await unread()).toBe(1);
    expect((await call(sellerApi, 'GET', '/me/notifications?unread=true', { as: seller })).body.items.map((n: { id: string }) => n.id)).toEqual([ids[2]]);
    // A second run counts nothing again.
    await runMigrations(t);
    expect(await unread()).toBe(1);
    expect((await call(sellerApi, 'POST', `/me/notifications/${ids[2]}/read`, { as: seller })).status).toBe(200);
    expect(await unread()).toBe(0);
    expect((await call(sellerApi, 'POST', '/me/notifications/read-all', { as: seller })).body).toEqual({ updated: 0 });
  });
});

describe('0012: waiting customers and answered conversations from before team inboxes', () => {
  it('marks the customer waiting since the first message after the last seller reply, and answered conversations, once', async () => {
    const conversation = (id: string, messageCount: number) => ({ ...keys.conversation('+14255590001', '+14255590099', 'contact', id), kind: 'conversation', id: `c-${id}`, record: { type: 'contact', id }, customerNumber: '+14255590001', businessNumber: '+14255590099', assignedTo: { type: 'seller', id: 'old' }, lastMessageAt: '2026-12-01T10:05:00.000Z', messageCount, inboundCount: 2 });
    const message = (conversationId: string, at: string, fields: Record<string, unknown>) => ({ ...keys.message(conversationId, at, `m-${at}`), kind: 'message', id: `m-${at}`, conversationId, createdAt: at, ...fields });
    const items = [
      // Answered, then two more messages from the customer: waiting since the first of them.
      conversation('waits', 4),
      message('c-waits', '2026-12-01T10:00:00.000Z', { direction: 'inbound' }),
      message('c-waits', '2026-12-01T10:01:00.000Z', { direction: 'outbound', sentBy: 'old', status: 'delivered' }),
      message('c-waits', '2026-12-01T10:04:00.000Z', { direction: 'inbound' }),
      message('c-waits', '2026-12-01T10:05:00.000Z', { direction: 'inbound' }),
      // Only an automated step went out after the customer wrote: still waiting, never answered.
      conversation('automated', 2),
      message('c-automated', '2026-12-01T09:00:00.000Z', { direction: 'inbound' }),
      message('c-automated', '2026-12-01T09:30:00.000Z', { direction: 'outbound', sentBy: 'old', automated: 'sms_step', status: 'delivered' }),
      // Answered last: not waiting.
      conversation('answered', 2),
      message('c-answered', '2026-12-01T08:00:00.000Z', { direction: 'inbound' }),
      message('c-answered', '2026-12-01T08:10:00.000Z', { direction: 'outbound', sentBy: 'old', status: 'sent' }),
    ];
    for (let i = 0; i < items.length; i += 25) await t.db.send(new BatchWriteCommand({ RequestItems: { [t.table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
    expect((await runMigrations(t)).done).toBe(true);
    const stored = async (id: string) => (await t.db.send(new GetCommand({ TableName: t.table, Key: keys.conversation('+14255590001', '+14255590099', 'contact', id) }))).Item!;
    expect(await stored('waits')).toMatchObject({ waitingSince: '2026-12-01T10:04:00.000Z', responded: true });
    expect(await stored('automated')).toMatchObject({ waitingSince: '2026-12-01T09:00:00.000Z' });
    expect((await stored('automated')).responded).toBeUndefined();
    expect((await stored('answered')).waitingSince).toBeUndefined();
    expect(await stored('answered')).toMatchObject({ responded: true });
    expect((await migrationRecords(t.db, t.table, ['0012-conversation-waiting'])).get('0012-conversation-waiting')).toMatchObject({ status: 'done', changed: 3 });
  });
});

describe('the migrations function (after every deploy)', () => {
  const lambda = mockClient(LambdaClient);
  beforeEach(() => lambda.reset());

  const recordingIo = () => {
    const io = { continued: [] as ContinueEvent[], answers: [] as { url: string; body: Record<string, unknown> }[] };
    const impl: MigrationsIo = {
      continueLater: async (event) => void io.continued.push(event),
      respond: async (url, body) => void io.answers.push({ url, body: JSON.parse(body) as Record<string, unknown> }),
    };
    return { io, impl };
  };
  const cfnEvent = (RequestType: 'Create' | 'Update' | 'Delete') => ({ RequestType, ResponseURL: 'https://cloudformation-custom-resource-response.example/answer', StackId: 'arn:aws:cloudformation:us-east-1:123456789012:stack/s/1', RequestId: `req-${RequestType}`, LogicalResourceId: 'Migrations', ResourceProperties: { Migrations: MIGRATIONS.map((m) => m.id).join(',') } });

  it('answers CloudFormation at once and starts the runs in the background; Delete starts nothing', async () => {
    const { io, impl } = recordingIo();
    const handler = createMigrations(t, impl);
    await handler(cfnEvent('Create'), lambdaContext);
    expect(io.answers).toEqual([{ url: 'https://cloudformation-custom-resource-response.example/answer', body: expect.objectContaining({ Status: 'SUCCESS', RequestId: 'req-Create', LogicalResourceId: 'Migrations', PhysicalResourceId: 'sms-crm-migrations' }) }]);
    expect(io.continued).toEqual([{ migrations: 'continue', requestedBy: 'req-Create', round: 1 }]);
    await handler(cfnEvent('Delete'), lambdaContext);
    expect(io.continued).toHaveLength(1);
    expect(io.answers[1]!.body.Status).toBe('SUCCESS');
  });

  it('a failure to start the runs fails the deploy\'s request, with a reason and no internals', async () => {
    const { io, impl } = recordingIo();
    const handler = createMigrations(t, { ...impl, continueLater: () => Promise.reject(Object.assign(new Error('AccessDenied: arn…'), { name: 'AccessDeniedException' })) });
    await handler(cfnEvent('Update'), lambdaContext);
    expect(io.answers[0]!.body).toMatchObject({ Status: 'FAILED', Reason: 'the migrations could not be started: AccessDeniedException' });
  });

  it('each run works until a minute before its timeout, then invokes itself again (Lambda Invoke, asynchronous) until done', async () => {
    await writeRound2Sellers(250);
    lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
    process.env.AWS_LAMBDA_FUNCTION_NAME = 'Migrations';
    const handler = createMigrations(t, awsMigrationsIo(new LambdaClient({ region: 'us-east-1' })));
    // A context with a minute left: the run saves its place after its first page.
    const short = { ...lambdaContext, awsRequestId: 'run-1', getRemainingTimeInMillis: () => 60_000 };
    const first = (await handler({ migrations: 'continue', requestedBy: 'req-Create', round: 1 }, short)) as { done: boolean };
    expect(first.done).toBe(false);
    const invocations = lambda.commandCalls(InvokeCommand).map((c) => ({ name: c.args[0].input.FunctionName, type: c.args[0].input.InvocationType, event: JSON.parse(Buffer.from(c.args[0].input.Payload as Uint8Array).toString()) as unknown }));
    expect(invocations).toEqual([{ name: 'Migrations', type: 'Event', event: { migrations: 'continue', requestedBy: 'req-Create', round: 2 } }]);
    const rest = (await handler({ migrations: 'continue', requestedBy: 'req-Create', round: 2 }, { ...lambdaContext, awsRequestId: 'run-2', getRemainingTimeInMillis: () => 900_000 })) as { done: boolean };
    expect(rest.done).toBe(true);
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  });
});
