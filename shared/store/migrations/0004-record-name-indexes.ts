import { indexOlderRecordName } from '../items/record';
import type { Migration } from './migration';

/** Round 1 records lack the record lookup's name indexes (gsi3, gsi4, gsi5): `GET /records?q=` did not find them until their next write. */
export const recordNameIndexes: Migration = {
  id: '0004-record-name-indexes',
  purpose: 'index the names of records stored before the record lookup existed',
  kinds: ['record'],
  migrate: (deps, item) => indexOlderRecordName(deps.db, deps.table, item),
};
