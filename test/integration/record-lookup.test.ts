import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, type Identity } from '../helpers/api';
import { createHandler as createDirectory } from '../../functions/directory/handler';

/** The record lookup of the move dialog (contract: GET /records?q=&type=). */
let t: TestTable;
let directory: ReturnType<typeof createDirectory>;
const as = (sub: string): Identity => ({ sub });
const lookup = (who: Identity, query: string) => call(directory, 'GET', `/records?${query}`, { as: who });
const names = async (who: Identity, query: string) => (await lookup(who, query)).body.items.map((r: { name: string }) => r.name);

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('east');
  await org.seller('alice', { teamIds: ['east'] });
  await org.seller('bob');
  await org.record('contact', 'c1', { name: 'Ada Lovelace', mobile: '+14255583001', ownerId: 'alice' });
  await org.record('account', 'a1', { name: 'Adams Foods', business: '+14255583001', owningTeamId: 'east' });
  await org.record('opportunity', 'o1', { name: 'adamant deal', ownerId: 'alice', owningTeamId: 'east' });
  await org.record('lead', 'l1', { name: 'Adele Bob', mobile: '+14255583002', ownerId: 'bob' });
  await org.record('contact', 'c2', { name: 'Åsa Öberg', ownerId: 'alice', state: 'inactive' });
  await org.record('contact', 'c3', { name: 'Bertil', ownerId: 'alice' });
  directory = createDirectory(t);
});

describe('by name', () => {
  it('matches the start of the name in any case, ordered by name, among records the caller may read', async () => {
    expect(await names(as('alice'), 'q=AD')).toEqual(['Ada Lovelace', 'adamant deal', 'Adams Foods']);
    expect(await names(as('bob'), 'q=ad')).toEqual(['Adele Bob']);
    expect(await names(admin, 'q=ad')).toEqual(['Ada Lovelace', 'adamant deal', 'Adams Foods', 'Adele Bob']);
    expect(await names(as('alice'), 'q=%C3%A5sa')).toEqual(['Åsa Öberg']);
    expect((await lookup(as('alice'), 'q=ada')).body.items[0]).toEqual({ type: 'contact', id: 'c1', name: 'Ada Lovelace', state: 'active' });
  });

  it('filters by type and pages with a cursor', async () => {
    expect(await names(as('alice'), 'q=ad&type=account')).toEqual(['Adams Foods']);
    const first = await lookup(as('alice'), 'q=ad&limit=2');
    expect(first.body.items.map((r: { name: string }) => r.name)).toEqual(['Ada Lovelace', 'adamant deal']);
    const second = await lookup(as('alice'), `q=ad&limit=2&cursor=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.items.map((r: { name: string }) => r.name)).toEqual(['Adams Foods']);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it('a record that changes owner leaves the old owner\'s lookup and joins the new one\'s', async () => {
    const org = new OrgBuilder(t);
    await org.record('contact', 'c3', { name: 'Bertil', ownerId: 'bob' });
    expect(await names(as('alice'), 'q=be')).toEqual([]);
    expect(await names(as('bob'), 'q=be')).toEqual(['Bertil']);
  });
});

describe('by phone number', () => {
  it('matches phone, business or mobile exactly, national format too, among readable records', async () => {
    expect(await names(as('alice'), 'q=%2B14255583001')).toEqual(['Ada Lovelace', 'Adams Foods']);
    expect(await names(as('alice'), 'q=(425)%20558-3001')).toEqual(['Ada Lovelace', 'Adams Foods']);
    expect(await names(as('alice'), 'q=%2B14255583002')).toEqual([]);
    expect(await names(admin, 'q=%2B14255583002')).toEqual(['Adele Bob']);
  });
});

describe('bad lookups', () => {
  it('answers 400 for a missing or one-letter query, or an unknown type', async () => {
    for (const query of ['', 'q=a', 'q=%20a%20', 'q=ad&type=planet', `q=${'x'.repeat(201)}`]) {
      const answer = await lookup(as('alice'), query);
      expect(answer.status).toBe(400);
      expect(answer.body.error.code).toBe('ValidationError');
    }
  });
});
