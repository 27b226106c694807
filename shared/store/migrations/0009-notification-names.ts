import { nameOlderNotification } from '../items/notification';
import { ConversationStore } from '../items/conversation';
import type { Migration } from './migration';

/** Round 1 notifications of inbound messages named neither the customer's number nor the record: the bell showed neither. */
export const notificationNames: Migration = {
  id: '0009-notification-names',
  purpose: 'name the customer and the record on notifications stored before notifications carried them',
  kinds: ['notification'],
  async migrate(deps, item) {
    if (item.notificationKind !== 'inbound_message' || item.customerNumber !== undefined) return false;
    const conversation = typeof item.conversationId === 'string' ? await new ConversationStore(deps.db, deps.table).get(item.conversationId) : undefined;
    const record = conversation && !conversation.senderId ? { type: conversation.record.type, id: conversation.record.id, name: conversation.recordName } : undefined;
    return nameOlderNotification(deps.db, deps.table, item, record);
  },
};
