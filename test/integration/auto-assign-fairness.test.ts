import { beforeAll, describe, expect, it } from 'vitest';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call } from '../helpers/api';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { receiveInbound } from '../../shared/flows/receive-inbound';
import { queryAll } from '../../shared/store/dynamo-helpers';
import { keys } from '../../shared/store/keys';
import { takeTicket } from '../../shared/store/items/round-robin';
import { memberForTicket } from '../../shared/domain/auto-assign';

/**
 * Auto-assignment over time (contract, "Team inboxes"): 1,000 new conversations over 5 available salespeople give each
 * exactly 200: the turn is the team's ticket counter, taken 1,000 times in DynamoDB, sixteen at a time; and the whole inbound
 * path (lead, conversation, turn, timeline, buckets) for 50 of them gives 10 each. The whole path a thousand times cost
 * six minutes of the suite under load, a hundred times 40 s (CI stays under 15 minutes). On a table of its own: the other team-inbox tests read
 * the table's stream.
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
  it('1,000 new conversations over 5 available salespeople: 200 each (the team\'s ticket counter in DynamoDB, 1,000 atomic takes, sixteen at a time)', async () => {
    const available = ['m1', 'm2', 'm3', 'm4', 'm5'];
    const counts: Record<string, number> = {};
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < 1000; i = next++) {
        const member = (await memberForTicket(available, await takeTicket(t.db, t.table, 'fair'), async () => true))!;
        counts[member] = (counts[member] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: 16 }, lane));
    expect(counts).toEqual({ m1: 200, m2: 200, m3: 200, m4: 200, m5: 200 });
  }, 300_000);

  it('the whole inbound path, 50 new leads on the team number (eight customers writing at a time): 10 each, none to the member without the role, none left with the team', async () => {
    let next = 0;
    const lane = async () => {
      for (let i = next++; i < 50; i = next++) {
        const result = await receiveInbound(t, { provider: 'sandbox', providerMessageId: `rr-${i}`, from: `+1206555${String(i).padStart(4, '0')}`, to: RR_N, body: 'New lead' });
        expect(result.outcome).toBe('stored');
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    // Each member's assignee list holds what they got; nobody else got any, and none stayed with the team.
    const held = async (principal: { type: 'seller' | 'team'; id: string }) => (await queryAll(t.db, { TableName: t.table, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.conversationsOfAssignee(principal) } })).length;
    const counts: Record<string, number> = {};
    for (const member of ['m1', 'm2', 'm3', 'm4', 'm5', 'watcher']) counts[member] = await held({ type: 'seller', id: member });
    expect(counts).toEqual({ m1: 10, m2: 10, m3: 10, m4: 10, m5: 10, watcher: 0 });
    expect(await held({ type: 'team', id: 'rr' })).toBe(0);
  }, 300_000);
});
