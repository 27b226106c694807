import type { Deps } from '../deps';
import { HttpError } from '../domain/errors';
import { notificationId } from '../domain/notifications';
import type { Principal } from '../domain/types';
import { isSalesperson } from '../domain/visibility';
import { assignItems, type ConversationState } from '../store/items/conversation';
import { newId } from '../domain/clock';
import { DirectoryStore } from '../store/items/directory';
import { notificationItem } from '../store/items/notification';
import { cancellationCodes } from '../store/dynamo-helpers';
import { writeTransaction } from '../store/transact';

/**
 * Hands a conversation off to a seller or a team. The assignment and the new assignee's
 * `conversation_assigned` notifications (every member, for a team) are one transaction: nobody is
 * told of a hand-off that did not happen, and no hand-off goes untold.
 */
export async function assignConversation(deps: Deps, conversation: ConversationState, to: Principal, by: string): Promise<ConversationState> {
  const directory = new DirectoryStore(deps.db, deps.table);
  let recipients: string[];
  let toName: string;
  if (to.type === 'seller') {
    const seller = await directory.getSeller(to.id);
    if (!seller) throw new HttpError('NotFound', `seller ${to.id} not found`);
    if (!isSalesperson(seller)) throw new HttpError('InsufficientPrivileges', `${to.id} does not have the salesperson role`);
    recipients = [to.id];
    toName = seller.name;
  } else {
    const team = await directory.getTeam(to.id);
    if (!team) throw new HttpError('NotFound', `team ${to.id} not found`);
    recipients = await directory.teamMemberIds(to.id);
    toName = team.name;
  }
  if (conversation.assignedTo.type === to.type && conversation.assignedTo.id === to.id) return conversation;
  const now = deps.clock.now();
  const at = now.toISOString();
  const notifications = recipients.slice(0, 97).map((sellerId) =>
    notificationItem(deps.table, {
      id: notificationId(at, `${conversation.id}#assigned`, 'conversation_assigned', sellerId),
      sellerId,
      kind: 'conversation_assigned',
      conversationId: conversation.id,
      createdAt: at,
      extra: { by },
    }),
  );
  try {
    await writeTransaction(deps.db, [...assignItems(deps.table, conversation, to, toName, by, at, newId(now)), ...notifications]);
  } catch (error) {
    if (cancellationCodes(error)) throw new HttpError('Conflict', 'the conversation changed while being handed off; retry');
    throw error;
  }
  return { ...conversation, assignedTo: to, assigneeName: toName };
}
