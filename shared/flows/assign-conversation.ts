import type { Deps } from '../deps';
import { HttpError } from '../domain/errors';
import { notificationId } from '../domain/notifications';
import type { Principal } from '../domain/types';
import { isSalesperson } from '../domain/visibility';
import { assignItems, type ConversationState } from '../store/items/conversation';
import { newId } from '../domain/clock';
import { DirectoryStore } from '../store/items/directory';
import { notificationItems } from '../store/items/notification';
import { cancellationCodes } from '../store/dynamo-helpers';
import { writeTransaction } from '../store/transact';

/**
 * Hands a conversation off to a seller or a team. A seller's `conversation_assigned` notification is written in the
 * assignment's transaction: nobody is told of a hand-off that did not happen, and no hand-off goes untold. A team's
 * members are told by one notification in the team's feed, which the notifier writes from the assignment's stream
 * record (retried until written): every member, whatever the team's size.
 */
export async function assignConversation(deps: Deps, conversation: ConversationState, to: Principal, by: string): Promise<ConversationState> {
  const directory = new DirectoryStore(deps.db, deps.table);
  let toName: string;
  if (to.type === 'seller') {
    const seller = await directory.getSeller(to.id);
    if (!seller) throw new HttpError('NotFound', `seller ${to.id} not found`);
    if (!isSalesperson(seller)) throw new HttpError('InsufficientPrivileges', `${to.id} does not have the salesperson role`);
    toName = seller.name;
  } else {
    const team = await directory.getTeam(to.id);
    if (!team) throw new HttpError('NotFound', `team ${to.id} not found`);
    toName = team.name;
  }
  if (conversation.assignedTo.type === to.type && conversation.assignedTo.id === to.id) return conversation;
  const now = deps.clock.now();
  const at = now.toISOString();
  const notifications =
    to.type === 'seller'
      ? notificationItems(deps.table, {
          id: notificationId(at, `${conversation.id}#assigned`, 'conversation_assigned', to.id),
          sellerId: to.id,
          kind: 'conversation_assigned',
          conversationId: conversation.id,
          createdAt: at,
          extra: { by },
        })
      : [];
  try {
    await writeTransaction(deps.db, [...assignItems(deps.table, conversation, to, toName, by, at, newId(now)), ...notifications]);
  } catch (error) {
    if (cancellationCodes(error)) throw new HttpError('Conflict', 'the conversation changed while being handed off; retry');
    throw error;
  }
  return { ...conversation, assignedTo: to, assigneeName: toName };
}
