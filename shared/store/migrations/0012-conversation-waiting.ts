import { markOlderConversationWaiting } from '../items/conversation';
import type { Migration } from './migration';

/** Conversations stored before team inboxes: whether the customer waits for an answer (maxOpen) and whether a seller ever answered. */
export const conversationWaiting: Migration = {
  id: '0012-conversation-waiting',
  purpose: 'mark conversations whose customer waits for an answer, and those a seller has answered, from their messages',
  kinds: ['conversation'],
  migrate: (deps, item) => markOlderConversationWaiting(deps.db, deps.table, item),
};
