import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call } from '../helpers/api';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { receiveInbound } from '../../shared/flows/receive-inbound';
import { queryAll } from '../../shared/store/dynamo-helpers';
import { keys } from '../../shared/store/keys';

/**
 * Auto-assignment over time (contract, "Team inboxes"): 1,000 new conversations on a team number over 5 available
 * salespeople, eight customers writing at a time, give each exactly 200. On a table of its own: the other team-inbox tests read the
 * table's stream, which these 1,000 leads would fill.
 */
const RR_N = '+14255592104';
let t: TestTable;

beforeAll(async () => {
  t = await freshTable();
  t.clock.set('2026-12-09T09:00:00.000Z');
  const org = new OrgBuilder(t);
  await org.team('rr');
  for (const id of ['m1', 'm2', 'm3', 'm4', 'm5']) await org.seller(id, { teamIds: ['rr'], name: id.toUpperCase() });
  // A member without the salesperson role is never given one.
  await org.seller('watcher', { teamIds: ['rr'], roles: [] });
  await org.number(RR_N, { type: 'team', id: 'rr' });
  expect((await call(createDirectory(t), 'PUT', '/directory/teams/rr', { as: admin, body: { name: 'Round Robin', autoAssign: { mode: 'round_robin' } } })).status).toBe(200);
});

describe('auto-assignment fairness', () => {
  it('gives each new conversation on a team number to the next available salesperson in turn: 1,000 over 5 is 200 each', async () => {
    // Eight customers writing at any moment: tickets are taken atomically, so they never wait for each other's turn.
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < 1000; i = next++) {
        const result = await receiveInbound(t, { provider: 'sandbox', providerMessageId: `rr-${i}`, from: `+1206555${String(i).padStart(4, '0')}`, to: RR_N, body: 'New lead' });
        expect(result.outcome).toBe('stored');
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    // Each member's assignee list holds what they got; nobody else got any, and none stayed with the team.
    const held = async (principal: { type: 'seller' | 'team'; id: string }) => (await queryAll(t.db, { TableName: t.table, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.conversationsOfAssignee(principal) } })).length;
    const counts: Record<string, number> = {};
    for (const member of ['m1', 'm2', 'm3', 'm4', 'm5', 'watcher']) counts[member] = await held({ type: 'seller', id: member });
    expect(counts).toEqual({ m1: 200, m2: 200, m3: 200, m4: 200, m5: 200, watcher: 0 });
    expect(await held({ type: 'team', id: 'rr' })).toBe(0);
  }, 600_000);
});
