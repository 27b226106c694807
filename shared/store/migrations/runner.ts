import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { randomUUID } from 'node:crypto';
import type { Deps } from '../../deps';
import type { Item } from '../dynamo-helpers';
import { migrationRecords, releaseMigrationLease, saveMigrationRecord, takeMigrationLease, type MigrationRecord } from '../items/migration';
import { count, logger } from '../../observability';
import type { Migration } from './migration';
import { MIGRATIONS } from './index';

/** Items read per scan page; progress is saved after each page. */
const PAGE_SIZE = 100;
/** A runner's lease lasts this long past its last page (a crashed runner blocks others no longer). */
const LEASE_MS = 2 * 60_000;

export interface MigrationRun {
  /** Every migration is done. */
  done: boolean;
  /** Another runner holds the lease: nothing was run. */
  busy?: boolean;
  migrations: MigrationRecord[];
}

export interface RunOptions {
  migrations?: readonly Migration[];
  /** Stop after the page that passes this time (epoch ms), progress saved: the next run continues. */
  deadline?: number;
  /** Who runs (the lease's owner): a Lambda request id, a process. */
  owner?: string;
  pageSize?: number;
  /** Called after each item (tests interrupt a run here). */
  afterItem?: (migration: string, visited: number) => void;
}

/**
 * Applies the migrations in order, each resumable: a migration's record holds its scan position and counts, saved
 * after every page, so a run that times out or crashes continues where the last page ended. A migration already
 * done is skipped; one runner at a time (a lease). Answers whether everything is done.
 */
export async function runMigrations(deps: Deps, options: RunOptions = {}): Promise<MigrationRun> {
  const migrations = options.migrations ?? MIGRATIONS;
  const owner = options.owner ?? randomUUID();
  // Leases and deadlines are wall-clock time (Lambda's); the records' timestamps come from the clock.
  const now = () => Date.now();
  if (!(await takeMigrationLease(deps.db, deps.table, owner, now(), now() + LEASE_MS))) {
    return { done: false, busy: true, migrations: [...(await migrationRecords(deps.db, deps.table, migrations.map((m) => m.id))).values()] };
  }
  const records = await migrationRecords(deps.db, deps.table, migrations.map((m) => m.id));
  try {
    for (const migration of migrations) {
      let record = records.get(migration.id) ?? { id: migration.id, status: 'running', startedAt: deps.clock.now().toISOString(), visited: 0, changed: 0 };
      if (record.status === 'done') continue;
      for (;;) {
        const page = await deps.db.send(
          new ScanCommand({
            TableName: deps.table,
            Limit: options.pageSize ?? PAGE_SIZE,
            ...(record.lastKey ? { ExclusiveStartKey: record.lastKey } : {}),
            ...(migration.kinds
              ? { FilterExpression: `kind IN (${migration.kinds.map((_, i) => `:k${i}`).join(', ')})`, ExpressionAttributeValues: Object.fromEntries(migration.kinds.map((k, i) => [`:k${i}`, k])) }
              : {}),
          }),
        );
        let { visited, changed } = record;
        for (const item of (page.Items ?? []) as Item[]) {
          if (await migration.migrate(deps, item)) changed++;
          visited++;
          options.afterItem?.(migration.id, visited);
        }
        count('MigrationItemsVisited', page.Items?.length ?? 0);
        count('MigrationItemsChanged', changed - record.changed);
        const finished = !page.LastEvaluatedKey;
        record = { id: record.id, status: finished ? 'done' : 'running', startedAt: record.startedAt, visited, changed, ...(finished ? { finishedAt: deps.clock.now().toISOString() } : { lastKey: page.LastEvaluatedKey as Item }) };
        await saveMigrationRecord(deps.db, deps.table, record);
        records.set(record.id, record);
        if (finished) {
          logger.info('migration done', { migration: record.id, visited, changed });
          count('MigrationsCompleted');
          break;
        }
        if (options.deadline !== undefined && now() >= options.deadline) return { done: false, migrations: [...records.values()] };
        if (!(await takeMigrationLease(deps.db, deps.table, owner, now(), now() + LEASE_MS))) return { done: false, busy: true, migrations: [...records.values()] };
      }
    }
    return { done: true, migrations: migrations.map((m) => records.get(m.id)!) };
  } finally {
    await releaseMigrationLease(deps.db, deps.table, owner);
  }
}

/** One line for an operator: what ran, how many items it visited and changed. */
export function describeMigrationRun(run: MigrationRun): string {
  if (run.busy) return 'Migrations: another runner holds the lease; they continue there.';
  if (run.migrations.length === 0) return 'Migrations: none to run.';
  const parts = run.migrations.map((m) => `${m.id} ${m.status}${m.status === 'done' ? ` (visited ${m.visited}, changed ${m.changed})` : ` at item ${m.visited}`}`);
  return `Migrations${run.done ? ' (all done)' : ''}: ${parts.join('; ')}`;
}
