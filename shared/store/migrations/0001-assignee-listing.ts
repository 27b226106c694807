import { DirectoryStore } from '../items/directory';
import type { Migration } from './migration';

/**
 * Round 3 added the assignee listing (gsi1 `ASSIGNEES`, behind `GET /directory/assignees` and the hand-off picker):
 * sellers with the salesperson role and teams stored before it appeared there only after their next write.
 */
export const assigneeListing: Migration = {
  id: '0001-assignee-listing',
  purpose: 'list sellers (salesperson role) and teams stored before the assignee listing existed',
  kinds: ['seller', 'team'],
  migrate: (deps, item) => new DirectoryStore(deps.db, deps.table).listOlderAssignee(item),
};
