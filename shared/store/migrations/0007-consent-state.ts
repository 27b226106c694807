import { versionOlderOptOut } from '../items/opt-out';
import type { Migration } from './migration';

/** Before this round a consent state item carried no status (it meant opted out; an opt-in deleted it), and reads fell back to the history. */
export const consentState: Migration = {
  id: '0007-consent-state',
  purpose: 'version consent state items stored before states carried a status',
  kinds: ['optOut'],
  migrate: (deps, item) => versionOlderOptOut(deps.db, deps.table, item),
};
