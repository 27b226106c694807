import { countOlderNotification } from '../items/notification';
import type { Migration } from './migration';

/**
 * Round 4 counts each seller's unread notifications as they are written and read (the bell no longer counts the
 * backlog): those written before are counted here, one transaction each, so a read racing the migration is never
 * counted twice or not at all.
 */
export const notificationCounters: Migration = {
  id: '0011-notification-counters',
  purpose: "count unread notifications written before sellers' unread counters existed",
  kinds: ['notification'],
  migrate: (deps, item) => countOlderNotification(deps.db, deps.table, item),
};
