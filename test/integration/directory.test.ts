import { beforeAll, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable, type TestTable } from '../helpers/table';
import { admin, call } from '../helpers/api';
import { OrgBuilder } from '../helpers/org';
import { createHandler as createRecordSync } from '../../functions/record-sync/handler';
import { keys } from '../../shared/store/keys';
import { lambdaContext } from '../helpers/api';

let t: TestTable;
let org: OrgBuilder;

beforeAll(async () => {
  t = await freshTable();
  org = new OrgBuilder(t);
  await org.team('east');
  await org.seller('alice', { teamIds: ['east'] });
  await org.seller('bob', { teamIds: [] });
});

describe('records: upsert and read back', () => {
  it.each(['contact', 'account', 'opportunity', 'lead'])('a %s is stored and read back', async (type) => {
    const body = { name: `Ada ${type}`, phone: '+14255550100', ownerId: 'alice', state: 'active', modifiedAt: '2026-10-01T10:00:00Z' };
    const put = await call(org.directory, 'PUT', `/records/${type}/r-${type}`, { as: admin, body });
    expect(put.status).toBe(200);
    const got = await call(org.directory, 'GET', `/records/${type}/r-${type}`, { as: admin });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({ type, id: `r-${type}`, name: `Ada ${type}`, phone: '+14255550100', ownerId: 'alice', state: 'active', modifiedAt: '2026-10-01T10:00:00.000Z' });
  });

  it('stores a national-format number as E.164 with the default region', async () => {
    const put = await call(org.directory, 'PUT', '/records/contact/national', {
      as: admin,
      body: { name: 'National', mobile: '(425) 555-0123', business: '425.555.0199', state: 'active' },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ mobile: '+14255550123', business: '+14255550199' });
    const got = await call(org.directory, 'GET', '/records/contact/national', { as: admin });
    expect(got.body.mobile).toBe('+14255550123');
  });

  it('returns every record holding one number from a single Query', async () => {
    const shared = '+14255550177';
    await org.record('contact', 'share-c', { phone: shared });
    await org.record('account', 'share-a', { business: shared });
    await org.record('opportunity', 'share-o', { mobile: '4255550177' });
    const out = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.phonePartition(shared) } }));
    const found = (out.Items ?? []).filter((i) => i.kind === 'phoneIndex').map((i) => `${i.type}/${i.id}`).sort();
    expect(found).toEqual(['account/share-a', 'contact/share-c', 'opportunity/share-o']);
    expect(out.LastEvaluatedKey).toBeUndefined();
  });

  it('drops a number from the phone index when the record no longer holds it', async () => {
    await org.record('contact', 'mover', { phone: '+14255550188' });
    await org.record('contact', 'mover', { phone: '+14255550189' });
    const old = await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.phonePartition('+14255550188') } }));
    expect(old.Items ?? []).toHaveLength(0);
  });

  it('answers 400 InvalidPhoneNumber for a value that cannot be a phone number', async () => {
    const put = await call(org.directory, 'PUT', '/records/contact/bad', { as: admin, body: { name: 'Bad', phone: 'call me maybe', state: 'active' } });
    expect(put.status).toBe(400);
    expect(put.body.error.code).toBe('InvalidPhoneNumber');
    expect(put.body.error.message).toContain('phone');
  });

  it('answers 400 ValidationError for a body that breaks the schema', async () => {
    const put = await call(org.directory, 'PUT', '/records/contact/bad2', { as: admin, body: { name: '', state: 'sleeping' } });
    expect(put.status).toBe(400);
    expect(put.body.error).toMatchObject({ code: 'ValidationError' });
    const wrongType = await call(org.directory, 'PUT', '/records/person/x', { as: admin, body: { name: 'x', state: 'active' } });
    expect(wrongType.status).toBe(400);
    const notJson = await call(org.directory, 'PUT', '/records/contact/x', { as: admin, body: '{nope' });
    expect(notJson.body.error.code).toBe('ValidationError');
  });
});

describe('identity and roles', () => {
  it('answers 401 Unauthorized without a valid identity', async () => {
    const response = await call(org.directory, 'GET', '/me/numbers');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({ error: { code: 'Unauthorized', message: expect.any(String) } });
    const empty = await call(org.directory, 'GET', '/me/numbers', { as: { sub: '' } });
    expect(empty.status).toBe(401);
  });

  it('answers 403 InsufficientPrivileges to a non-admin writing the directory', async () => {
    for (const [path, body] of [
      ['/directory/teams/west', { name: 'West' }],
      ['/directory/sellers/mallory', { name: 'M', teamIds: [], roles: ['salesperson'] }],
      ['/directory/numbers/+14255550100', { assignedTo: { type: 'seller', id: 'alice' }, provider: 'sandbox' }],
      ['/records/contact/c-mallory', { name: 'M', state: 'active' }],
    ] as const) {
      const response = await call(org.directory, 'PUT', path, { as: { sub: 'alice' }, body });
      expect(response.status, path).toBe(403);
      expect(response.body.error.code).toBe('InsufficientPrivileges');
    }
  });

  it('hides a record from a seller who neither owns it nor is in its team', async () => {
    await org.record('contact', 'alices', { ownerId: 'alice' });
    expect((await call(org.directory, 'GET', '/records/contact/alices', { as: { sub: 'alice' } })).status).toBe(200);
    const bob = await call(org.directory, 'GET', '/records/contact/alices', { as: { sub: 'bob' } });
    expect(bob.status).toBe(404);
    expect(bob.body.error.code).toBe('NotFound');
  });
});

describe('directory', () => {
  it('lists the numbers a seller may send from: theirs and their teams', async () => {
    await org.number('+14255550001', { type: 'seller', id: 'alice' });
    await org.number('14255550002', { type: 'team', id: 'east' });
    await org.number('%2B14255550003', { type: 'seller', id: 'bob' });
    const alice = await call(org.directory, 'GET', '/me/numbers', { as: { sub: 'alice' } });
    expect(alice.body.items.map((n: { number: string }) => n.number)).toEqual(['+14255550001', '+14255550002']);
    const bob = await call(org.directory, 'GET', '/me/numbers', { as: { sub: 'bob' } });
    expect(bob.body.items).toEqual([{ number: '+14255550003', assignedTo: { type: 'seller', id: 'bob' }, assigneeName: 'bob', provider: 'sandbox' }]);
  });

  it('refuses a number assigned to nobody that exists', async () => {
    const response = await call(org.directory, 'PUT', '/directory/numbers/+14255550009', { as: admin, body: { assignedTo: { type: 'team', id: 'ghosts' }, provider: 'twilio' } });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('ValidationError');
  });

  it('moves a seller between teams', async () => {
    await org.team('west');
    await org.seller('carol', { teamIds: ['east'] });
    await org.seller('carol', { teamIds: ['west'] });
    const numbers = await call(org.directory, 'GET', '/me/numbers', { as: { sub: 'carol' } });
    expect(numbers.body.items).toEqual([]);
  });
});

describe('EventBridge RecordUpserted', () => {
  const event = (detail: Record<string, unknown>) => ({
    version: '0', id: 'evt-1', 'detail-type': 'RecordUpserted', source: 'crm', account: '1', time: '2026-11-01T00:00:00Z', region: 'us-east-1', resources: [], detail,
  });

  it('upserts the record and skips an older one arriving late', async () => {
    const sync = createRecordSync(t);
    const newer = await sync(event({ type: 'lead', id: 'eb-1', name: 'Newer', mobile: '+14255550144', state: 'active', modifiedAt: '2026-11-02T00:00:00Z' }) as never, lambdaContext);
    expect(newer).toEqual({ applied: true });
    const older = await sync(event({ type: 'lead', id: 'eb-1', name: 'Older', state: 'inactive', modifiedAt: '2026-11-01T00:00:00Z' }) as never, lambdaContext);
    expect(older).toMatchObject({ applied: false, reason: 'stale' });
    const got = await call(org.directory, 'GET', '/records/lead/eb-1', { as: admin });
    expect(got.body).toMatchObject({ name: 'Newer', mobile: '+14255550144' });
  });

  it('a newer version that drops a number or an opportunity\'s contact removes its index entry and link', async () => {
    const sync = createRecordSync(t);
    await sync(event({ type: 'lead', id: 'eb-3', name: 'Moving', mobile: '+14255550145', state: 'active', modifiedAt: '2026-11-02T00:00:00Z' }) as never, lambdaContext);
    await sync(event({ type: 'lead', id: 'eb-3', name: 'Moving', mobile: '+14255550146', state: 'active', modifiedAt: '2026-11-03T00:00:00Z' }) as never, lambdaContext);
    const phoneIndex = async (number: string) => (await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `PHONE#${number}` } }))).Items ?? [];
    expect(await phoneIndex('+14255550145')).toEqual([]);
    expect((await phoneIndex('+14255550146')).map((i) => i.sk)).toEqual(['RECORD#lead#eb-3']);

    const links = async (contact: string) => ((await t.db.send(new QueryCommand({ TableName: t.table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :o)', ExpressionAttributeValues: { ':pk': `RECORD#contact#${contact}`, ':o': 'OPPORTUNITY#' } }))).Items ?? []).map((i) => i.sk);
    await sync(event({ type: 'opportunity', id: 'eb-deal', name: 'Deal', contactIds: ['eb-c1', 'eb-c2'], state: 'active', modifiedAt: '2026-11-02T00:00:00Z' }) as never, lambdaContext);
    await sync(event({ type: 'opportunity', id: 'eb-deal', name: 'Deal', contactIds: ['eb-c1'], state: 'active', modifiedAt: '2026-11-03T00:00:00Z' }) as never, lambdaContext);
    expect(await links('eb-c1')).toEqual(['OPPORTUNITY#eb-deal']);
    expect(await links('eb-c2')).toEqual([]);

    // The same through the admin API.
    const put = (contactIds: string[]) => call(org.directory, 'PUT', '/records/opportunity/api-deal', { as: admin, body: { name: 'API deal', contactIds, state: 'active' } });
    expect((await put(['api-c1', 'api-c2'])).status).toBe(200);
    expect((await put(['api-c2'])).status).toBe(200);
    expect(await links('api-c1')).toEqual([]);
    expect(await links('api-c2')).toEqual(['OPPORTUNITY#api-deal']);
  });

  it('drops an invalid event instead of retrying it forever', async () => {
    const sync = createRecordSync(t);
    expect(await sync(event({ type: 'lead', id: 'eb-2', name: 'X', mobile: 'nope', state: 'active' }) as never, lambdaContext)).toMatchObject({ applied: false, reason: 'invalid' });
  });
});

describe('GET /directory/assignees', () => {
  it('any seller finds salesperson sellers and teams by the start of their name, any case, names only, by name', async () => {
    await org.seller('quinn', { name: 'Quinn Berg' });
    await org.seller('quentin', { name: 'Quentin Roleless', roles: [] });
    await org.seller('quiet', { name: 'quiet Björk' });
    await org.team('q-team', 'Quäst Team');
    await org.team('sales-north', 'Sales Northwest');
    const find = (q: string, who = 'quiet') => call(org.directory, 'GET', '/directory/assignees', { as: { sub: who }, query: { q } });
    const found = await find('Qu');
    expect(found.status).toBe(200);
    expect(found.body.items).toEqual([
      { type: 'team', id: 'q-team', name: 'Quäst Team' },
      { type: 'seller', id: 'quiet', name: 'quiet Björk' },
      { type: 'seller', id: 'quinn', name: 'Quinn Berg' },
    ]);
    expect((await find('quinn b')).body.items).toEqual([{ type: 'seller', id: 'quinn', name: 'Quinn Berg' }]);
    expect((await find('SALES NORTHW')).body.items).toEqual([{ type: 'team', id: 'sales-north', name: 'Sales Northwest' }]);
    expect((await find('zz')).body.items).toEqual([]);
    // Losing the role takes a seller off the list; a renamed one is found by the new name only.
    await org.seller('quinn', { name: 'Quinn Berg', roles: [] });
    expect((await find('quinn')).body.items).toEqual([]);
    await org.seller('quinn', { name: 'Qwen Berg' });
    expect((await find('qwen')).body.items).toEqual([{ type: 'seller', id: 'quinn', name: 'Qwen Berg' }]);
    expect((await find('quinn')).body.items).toEqual([]);
  });

  it('needs q (400), and a token (the JWT authorizer, before the function)', async () => {
    const missing = await call(org.directory, 'GET', '/directory/assignees', { as: { sub: 'quiet' } });
    expect(missing.status).toBe(400);
    expect(missing.body.error.code).toBe('ValidationError');
  });
});
