import type { Deps } from '../deps';
import { HttpError } from '../domain/errors';
import { canAssignConversation, canSeeConversation, type Viewer } from '../domain/visibility';
import { ConversationStore, type ConversationState } from '../store/items/conversation';
import { isConditionFailure } from '../store/dynamo-helpers';
import { RETRY, retryOnConflict } from '../store/transact';

/**
 * A likely opt-out the customer did not mean: the flag goes. A move of the conversation meanwhile changes its key,
 * so the conversation is read again and the flag cleared where it is now (never a 500); answers the conversation.
 */
export async function dismissLikelyOptOut(deps: Deps, conversation: ConversationState, viewer: Viewer): Promise<ConversationState> {
  const conversations = new ConversationStore(deps.db, deps.table, deps.clock);
  return retryOnConflict({ name: 'DismissLikelyOptOut', maxAttempts: 5, exhausted: () => new HttpError('Conflict', 'the conversation kept changing while the likely opt-out was dismissed; retry') }, async (attempt) => {
    const current = attempt === 1 ? conversation : await conversations.get(conversation.id);
    if (!current || !canSeeConversation(viewer, current) || !canAssignConversation(viewer, current)) throw new HttpError('Conflict', 'the conversation changed while the likely opt-out was dismissed; read it again');
    if (!current.likelyOptOut) return current;
    try {
      await conversations.clearLikelyOptOut(current);
    } catch (error) {
      if (isConditionFailure(error)) return RETRY;
      throw error;
    }
    const { likelyOptOut: _dismissed, ...rest } = current;
    return rest;
  });
}
