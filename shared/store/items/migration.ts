import { GetCommand, PutCommand, UpdateCommand, BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { isConditionFailure, type Item } from '../dynamo-helpers';

/**
 * Migration records (`MIGRATION#id` / `STATE`) and the runners' lease (`MIGRATION#LEASE` / `LEASE`): the only module that
 * writes either. A record says which migration ran, when it started and finished, how many items it visited and
 * changed, and where its scan stands (`lastKey`), so a run cut short (a timeout, a crash) continues from there.
 */
export interface MigrationRecord {
  id: string;
  status: 'running' | 'done';
  startedAt: string;
  finishedAt?: string;
  visited: number;
  /** Items a finished page changed (a page cut short is visited again, and what it had changed counts as unchanged). */
  changed: number;
  /** The scan's position after the last page finished (absent before the first page and once done). */
  lastKey?: Item;
}

export async function migrationRecords(db: Db, table: string, ids: readonly string[]): Promise<Map<string, MigrationRecord>> {
  const out = new Map<string, MigrationRecord>();
  for (let i = 0; i < ids.length; i += 100) {
    const answer = await db.send(new BatchGetCommand({ RequestItems: { [table]: { Keys: ids.slice(i, i + 100).map((id) => keys.migration(id)), ConsistentRead: true } } }));
    for (const item of answer.Responses?.[table] ?? []) out.set(item.id as string, toRecord(item));
  }
  return out;
}

function toRecord(item: Item): MigrationRecord {
  return {
    id: item.id as string,
    status: item.status as MigrationRecord['status'],
    startedAt: item.startedAt as string,
    ...(item.finishedAt ? { finishedAt: item.finishedAt as string } : {}),
    visited: (item.visited as number | undefined) ?? 0,
    changed: (item.changed as number | undefined) ?? 0,
    ...(item.lastKey ? { lastKey: JSON.parse(item.lastKey as string) as Item } : {}),
  };
}

/** Saves a migration's progress; a record already `done` is never written again (a second runner's late page). */
export async function saveMigrationRecord(db: Db, table: string, record: MigrationRecord): Promise<void> {
  const { lastKey, ...rest } = record;
  try {
    await db.send(
      new PutCommand({
        TableName: table,
        Item: { ...keys.migration(record.id), kind: 'migration', ...rest, ...(lastKey ? { lastKey: JSON.stringify(lastKey) } : {}) },
        ConditionExpression: 'attribute_not_exists(#status) OR #status <> :done',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done' },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/**
 * Takes (or renews) the runners' lease until `until` (epoch ms): one runner at a time, so two deploys in a row, or a
 * local `npm run migrate` beside a running stack, never scan the same migration twice at once. False when another
 * runner holds it.
 */
export async function takeMigrationLease(db: Db, table: string, owner: string, now: number, until: number): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.migrationLease(),
        UpdateExpression: 'SET kind = :kind, #owner = :owner, leaseUntil = :until',
        ConditionExpression: 'attribute_not_exists(leaseUntil) OR leaseUntil < :now OR #owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':kind': 'migrationLease', ':owner': owner, ':until': until, ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export async function releaseMigrationLease(db: Db, table: string, owner: string): Promise<void> {
  await db
    .send(
      new UpdateCommand({
        TableName: table,
        Key: keys.migrationLease(),
        UpdateExpression: 'SET leaseUntil = :zero',
        ConditionExpression: '#owner = :owner',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':zero': 0, ':owner': owner },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

export async function migrationLeaseHolder(db: Db, table: string): Promise<{ owner: string; leaseUntil: number } | undefined> {
  const item = (await db.send(new GetCommand({ TableName: table, Key: keys.migrationLease(), ConsistentRead: true }))).Item;
  return item ? { owner: item.owner as string, leaseUntil: item.leaseUntil as number } : undefined;
}
