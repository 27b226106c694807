import type { Deps } from '../deps';
import { closedPeriodStart } from '../domain/business-hours';
import { memberForTicket } from '../domain/auto-assign';
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
}

/**
 * Auto-assignment of a new conversation on a team number (`autoAssign` on the team): the team's next ticket decides
 * whose turn it is among the salespeople who are available; one holding `maxOpen` unanswered conversations passes it
 * on. `ticket` is taken once per inbound message (its retries reuse it). Undefined when the team does not auto-assign
 * or nobody qualifies (the conversation stays with the team).
 */
export async function chooseAutoAssignee(deps: Deps, team: Team, ticket: () => Promise<number>): Promise<AutoAssignment | undefined> {
  if (!team.autoAssign) return undefined;
  const directory = new DirectoryStore(deps.db, deps.table);
  const members = await directory.teamMembersWithRoles(team.id);
  const salespeople = members.filter((m) => m.salesperson).map((m) => m.sellerId);
  const availability = await availabilityOf(deps.db, deps.table, salespeople);
  const available = salespeople.filter((id) => availability.get(id)?.available);
  if (available.length === 0) return undefined;
  const maxOpen = team.autoAssign.maxOpen;
  const chosen = await memberForTicket(available, await ticket(), async (sellerId) => maxOpen === undefined || (await unansweredCount(deps.db, deps.table, { type: 'seller', id: sellerId }, maxOpen)) < maxOpen);
  if (!chosen) return undefined;
  const seller = await directory.getSeller(chosen);
  return seller ? { seller: { id: seller.id, name: seller.name } } : undefined;
}
