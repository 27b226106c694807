import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { freshTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { call } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { canSeeConversation, viewerFrom } from '../../shared/domain/visibility';
import { toConversationState } from '../../shared/store/items/conversation';

/**
 * For random organisations (sellers in random teams, numbers assigned to sellers or teams, records
 * owned by a seller, a team or nobody, customers texting random numbers), each seller's "My SMS"
 * lists exactly the conversations that canSeeConversation allows them: not one more, not one less.
 */
const sellerIds = ['s0', 's1', 's2', 's3'];
const teamIds = ['t0', 't1'];
const principal = fc.oneof(fc.constantFrom(...sellerIds).map((id) => ({ type: 'seller' as const, id })), fc.constantFrom(...teamIds).map((id) => ({ type: 'team' as const, id })));
const org = fc.record({
  memberships: fc.array(fc.subarray(teamIds), { minLength: sellerIds.length, maxLength: sellerIds.length }),
  numbers: fc.array(principal, { minLength: 3, maxLength: 3 }),
  owners: fc.array(fc.record({ ownerId: fc.option(fc.constantFrom(...sellerIds), { nil: undefined }), owningTeamId: fc.option(fc.constantFrom(...teamIds), { nil: undefined }) }), { minLength: 5, maxLength: 5 }),
  texts: fc.array(fc.record({ customer: fc.nat({ max: 6 }), number: fc.nat({ max: 2 }) }), { minLength: 3, maxLength: 10 }),
});

describe('My SMS is exactly the visibility rule (property-based)', () => {
  it('for random organisations, every seller sees exactly what canSeeConversation allows', async () => {
    await fc.assert(
      fc.asyncProperty(org, async (plan) => {
        const t = await freshTable();
        const builder = new OrgBuilder(t);
        for (const team of teamIds) await builder.team(team);
        for (const [i, seller] of sellerIds.entries()) await builder.seller(seller, { teamIds: plan.memberships[i] ?? [] });
        const numbers = plan.numbers.map((_, i) => `+1425558${String(1000 + i)}`);
        for (const [i, assignee] of plan.numbers.entries()) await builder.number(numbers[i]!, assignee);
        // Customers 0-4 hold a record each; 5 and 6 are unknown (a lead is created for them).
        for (const [i, owner] of plan.owners.entries()) {
          await builder.record('contact', `r${i}`, { mobile: `+1425559${String(1000 + i)}`, ...(owner.ownerId ? { ownerId: owner.ownerId } : {}), ...(owner.owningTeamId ? { owningTeamId: owner.owningTeamId } : {}) });
        }
        const receive = inboundSender(t);
        for (const [i, text] of plan.texts.entries()) {
          t.clock.advance(1000);
          await receive({ from: `+1425559${String(1000 + text.customer)}`, to: numbers[text.number]!, body: `text ${i}` });
        }
        const stored = (await t.db.send(new ScanCommand({ TableName: t.table, FilterExpression: 'kind = :c', ExpressionAttributeValues: { ':c': 'conversation' } }))).Items ?? [];
        const conversations = stored.map(toConversationState);
        const api = createSellerApi(t);
        for (const [i, seller] of sellerIds.entries()) {
          const viewer = viewerFrom({ sellerId: seller, isAdmin: false }, { teamIds: plan.memberships[i] ?? [], roles: ['salesperson'] });
          const expected = conversations.filter((c) => canSeeConversation(viewer, c)).map((c) => c.id).sort();
          const listed = (await call(api, 'GET', '/me/conversations?limit=100', { as: { sub: seller } })).body.items.map((c: { id: string }) => c.id).sort();
          expect(listed, seller).toEqual(expected);
        }
      }),
      { numRuns: 8 },
    );
  }, 120_000);
});
