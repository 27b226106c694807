import { config } from './config';
import { db as defaultDb, type Db } from './aws';
import { systemClock, type Clock } from './domain/clock';
import { parseQuietHours, type QuietWindow } from './domain/quiet-hours';
import { DirectoryStore } from './store/items/directory';
import { RecordStore } from './store/items/record';

/** What handlers need from the outside world; tests pass DynamoDB Local and mocks. */
export interface Deps {
  db: Db;
  table: string;
  clock: Clock;
  defaultRegion: string;
  /** Days a message is kept (DynamoDB TTL); none = kept until erased. */
  retentionDays?: number | undefined;
  /** No text reaches a customer inside this window of their local time (unless they wrote in the last 24 hours). */
  quietHours?: QuietWindow | undefined;
  /** Send later: how far ahead `sendAt` must be, in seconds (default 60). */
  scheduleMinLeadSeconds?: number | undefined;
}

export function defaultDeps(): Deps {
  return { db: defaultDb(), table: config().TABLE_NAME, clock: systemClock, defaultRegion: config().DEFAULT_REGION, retentionDays: config().RETENTION_DAYS, quietHours: parseQuietHours(config().QUIET_HOURS), scheduleMinLeadSeconds: config().SCHEDULE_MIN_LEAD_SECONDS };
}

export function directoryStores(deps: Deps) {
  return {
    directory: new DirectoryStore(deps.db, deps.table),
    records: new RecordStore(deps.db, deps.table),
  };
}
