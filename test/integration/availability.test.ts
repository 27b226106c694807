import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, type Identity } from '../helpers/api';
import { createHandler as createDirectory } from '../../functions/directory/handler';

/** Availability for auto-assignment (contract, "Team inboxes"): the seller's own switch, and an admin's for them. */
const carol: Identity = { sub: 'carol' };
let t: TestTable;
let directory: ReturnType<typeof createDirectory>;

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('east', 'Sales East');
  await org.seller('carol', { teamIds: ['east'], name: 'Carol' });
  directory = createDirectory(t);
});

describe('availability', () => {
  it('GET /me answers the caller with their roles, teams and availability (available until they switch)', async () => {
    const me = await call(directory, 'GET', '/me', { as: carol });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ id: 'carol', name: 'Carol', roles: ['salesperson'], teamIds: ['east'], available: true });
    // Someone the directory does not know yet: no roles, no teams.
    expect((await call(directory, 'GET', '/me', { as: { sub: 'newcomer' } })).body).toEqual({ id: 'newcomer', name: 'newcomer', roles: [], teamIds: [], available: true });
  });

  it('the seller switches it; the admin sees it and may switch it for them; an admin\'s profile write keeps it', async () => {
    t.clock.set('2026-12-07T17:00:00.000Z');
    expect((await call(directory, 'PUT', '/me/availability', { as: carol, body: { available: false } })).body).toMatchObject({ id: 'carol', available: false });
    expect((await call(directory, 'GET', '/me', { as: carol })).body.available).toBe(false);
    expect((await call(directory, 'GET', '/directory/sellers/carol', { as: admin })).body).toMatchObject({ id: 'carol', available: false });
    await new OrgBuilder(t).seller('carol', { teamIds: ['east'], name: 'Carol C.' });
    expect((await call(directory, 'GET', '/me', { as: carol })).body).toMatchObject({ name: 'Carol C.', available: false });
    expect((await call(directory, 'PUT', '/directory/sellers/carol/availability', { as: admin, body: { available: true } })).body.available).toBe(true);
    expect((await call(directory, 'GET', '/me', { as: carol })).body.available).toBe(true);
  });

  it('only admins read or set another seller\'s; bad input is a 400; an unknown seller a 404', async () => {
    expect((await call(directory, 'PUT', '/directory/sellers/carol/availability', { as: carol, body: { available: false } })).status).toBe(403);
    expect((await call(directory, 'GET', '/directory/sellers/carol', { as: carol })).status).toBe(403);
    expect((await call(directory, 'PUT', '/me/availability', { as: carol, body: { available: 'no' } })).body.error.code).toBe('ValidationError');
    expect((await call(directory, 'PUT', '/me/availability', { as: carol, body: {} })).status).toBe(400);
    expect((await call(directory, 'PUT', '/directory/sellers/nobody/availability', { as: admin, body: { available: false } })).status).toBe(404);
    expect((await call(directory, 'GET', '/directory/sellers/nobody', { as: admin })).status).toBe(404);
  });
});
