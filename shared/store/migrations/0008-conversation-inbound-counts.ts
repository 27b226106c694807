import { countOlderConversationInbound } from '../items/conversation';
import type { Migration } from './migration';

/** Round 1 conversations carry no inbound count (read state came in round 2): their unread counts showed 0. */
export const conversationInboundCounts: Migration = {
  id: '0008-conversation-inbound-counts',
  purpose: 'count the inbound messages of conversations stored before read state existed',
  kinds: ['conversation'],
  migrate: (deps, item) => countOlderConversationInbound(deps.db, deps.table, item),
};
