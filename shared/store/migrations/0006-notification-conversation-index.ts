import { indexOlderNotification } from '../items/notification';
import type { Migration } from './migration';

/** Round 1 notifications are not indexed by their conversation (gsi2): erasing the customer would not find the previews they quote. */
export const notificationConversationIndex: Migration = {
  id: '0006-notification-conversation-index',
  purpose: 'index notifications stored before erasure found them by conversation',
  kinds: ['notification'],
  migrate: (deps, item) => indexOlderNotification(deps.db, deps.table, item),
};
