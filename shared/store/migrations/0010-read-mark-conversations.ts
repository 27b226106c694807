import { nameOlderReadMark } from '../items/read-state';
import type { Migration } from './migration';

/** Round 2 read marks named their conversation only in their key (the notifier read it from there). */
export const readMarkConversations: Migration = {
  id: '0010-read-mark-conversations',
  purpose: 'name the conversation on read marks stored before marks carried it',
  kinds: ['readMark'],
  migrate: (deps, item) => nameOlderReadMark(deps.db, deps.table, item),
};
