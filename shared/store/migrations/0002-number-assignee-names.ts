import { DirectoryStore } from '../items/directory';
import type { Migration } from './migration';

/** Round 3 kept the assignee's name on each business number (new conversations carry it): numbers stored before lack it. */
export const numberAssigneeNames: Migration = {
  id: '0002-number-assignee-names',
  purpose: 'name the assignee on business numbers stored before numbers carried it',
  kinds: ['number'],
  migrate: (deps, item) => new DirectoryStore(deps.db, deps.table).nameOlderNumberAssignee(item),
};
