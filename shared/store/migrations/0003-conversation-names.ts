import { DirectoryStore } from '../items/directory';
import { RecordStore } from '../items/record';
import { nameOlderConversation } from '../items/conversation';
import type { Principal, RecordType } from '../../domain/types';
import type { Migration } from './migration';

/**
 * Round 3 kept names on conversations (`recordName`, `assigneeName`: rows and threads titled by name); conversations
 * stored before showed ids until their next change. Each gets the names its record and assignee have now (an
 * unnamed record or a deleted assignee keeps the id, as a new conversation would).
 */
export const conversationNames: Migration = {
  id: '0003-conversation-names',
  purpose: 'name the record and the assignee on conversations stored before names were kept',
  kinds: ['conversation'],
  async migrate(deps, item) {
    if (item.recordName !== undefined && item.assigneeName !== undefined) return false;
    const record = item.record as { type: RecordType; id: string };
    const assignee = item.assignedTo as Principal;
    const [stored, assigneeName] = await Promise.all([new RecordStore(deps.db, deps.table).get(record.type, record.id), new DirectoryStore(deps.db, deps.table).principalName(assignee)]);
    return nameOlderConversation(deps.db, deps.table, item, { recordName: stored?.name || record.id, assigneeName: assigneeName ?? assignee.id });
  },
};
