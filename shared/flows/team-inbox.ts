import type { Deps } from '../deps';
import { closedPeriodStart } from '../domain/business-hours';
import { nextInTurn } from '../domain/auto-assign';
import type { TransactItem } from '../store/dynamo-helpers';
import { takeTurnItem, turnOf } from '../store/items/round-robin';
import { unansweredCount } from '../store/queries/unanswered';
import { DirectoryStore, type BusinessNumber, type Team } from '../store/items/directory';
import { availabilityOf } from '../store/items/availability';
import type { ConversationState } from '../store/items/conversation';

/**
 * The after-hours reply is due for an inbound message when its number has business hours and an auto-reply, it arrives
 * in a closed period this conversation has not been answered in (automatically or by a seller), and it comes from a
 * customer who can be written to: not a sender id, not opted out, not a consent keyword. Answers the closed period's
 * start (the conversation records it, so a second message of the period gets nothing), or undefined.
 */
export function afterHoursPeriodDue(input: { number: BusinessNumber | undefined; conversation: Pick<ConversationState, 'afterHoursPeriod'> & { lastReplyAt?: string | undefined }; at: Date; optedOut: boolean; keyword: boolean }): string | undefined {
  const { number } = input;
  if (!number?.businessHours || !number.autoReply || input.optedOut || input.keyword) return undefined;
  const period = closedPeriodStart(number.businessHours, input.at)?.toISOString();
  if (!period || input.conversation.afterHoursPeriod === period) return undefined;
  // A seller who already answered in this closed period has spoken for the business.
  if (input.conversation.lastReplyAt && input.conversation.lastReplyAt >= period) return undefined;
  return period;
}

export interface AutoAssignment {
  seller: { id: string; name: string };
  /** The turn's write: conditional on the turn read, so two new conversations at once cannot take the same turn. */
  turn: TransactItem;
}

/**
 * Auto-assignment of a new conversation on a team number (`autoAssign` on the team): the next member in turn, after the
 * one who got the last, among salespeople who are available and hold fewer than `maxOpen` unanswered conversations.
 * Undefined when the team does not auto-assign or nobody qualifies (the conversation stays with the team).
 */
export async function chooseAutoAssignee(deps: Deps, team: Team): Promise<AutoAssignment | undefined> {
  if (!team.autoAssign) return undefined;
  const directory = new DirectoryStore(deps.db, deps.table);
  const [members, turn] = await Promise.all([directory.teamMembersWithRoles(team.id), turnOf(deps.db, deps.table, team.id)]);
  const salespeople = members.filter((m) => m.salesperson).map((m) => m.sellerId);
  const availability = await availabilityOf(deps.db, deps.table, salespeople);
  const maxOpen = team.autoAssign.maxOpen;
  const chosen = await nextInTurn(salespeople, turn.last, async (sellerId) => {
    if (!availability.get(sellerId)?.available) return false;
    return maxOpen === undefined || (await unansweredCount(deps.db, deps.table, { type: 'seller', id: sellerId }, maxOpen)) < maxOpen;
  });
  if (!chosen) return undefined;
  const seller = await directory.getSeller(chosen);
  if (!seller) return undefined;
  return { seller: { id: seller.id, name: seller.name }, turn: takeTurnItem(deps.table, team.id, turn, chosen) };
}
