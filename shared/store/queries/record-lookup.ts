import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type RecordType } from '../keys';
import type { IndexName } from '../table-definition';
import type { Item } from '../dynamo-helpers';
import { canReadRecord, type Viewer } from '../../domain/visibility';
import type { PhoneIndexEntry } from '../items/record';

export interface FoundRecord {
  type: RecordType;
  id: string;
  name: string;
  state: 'active' | 'inactive';
}

/** After every string that starts with the prefix (DynamoDB compares UTF-8 bytes; U+10FFFF encodes highest). */
const PREFIX_END = '\u{10FFFF}';

/**
 * Records whose name starts with `prefix` among those the viewer may read, ordered by name: one
 * Query per partition that can hold them (the viewer's own, each of their teams'; for admins the
 * one shard of the prefix's first two letters), merged. The cursor is the last sort key returned.
 */
export async function recordsByName(db: Db, table: string, viewer: Viewer, input: { prefix: string; type?: RecordType | undefined; limit: number; after?: string | undefined }): Promise<{ items: FoundRecord[]; last?: string }> {
  const sources: { index: IndexName; partition: string }[] = viewer.isAdmin
    ? [{ index: 'gsi5', partition: keys.recordNamesStartingWith(input.prefix) }]
    : [{ index: 'gsi3', partition: keys.recordNamesOfOwnerSeller(viewer.sellerId) }, ...viewer.teamIds.map((teamId) => ({ index: 'gsi4' as const, partition: keys.recordNamesOfOwnerTeam(teamId) }))];
  const prefix = keys.recordNamePrefix(input.prefix);
  const from = input.after !== undefined && input.after >= prefix ? `${input.after}\u0000` : prefix;
  const pages = await Promise.all(
    sources.map(async ({ index, partition }) => {
      const found: Item[] = [];
      let start: Record<string, unknown> | undefined;
      // A type filter may leave a page short: read on until this source can fill the page or is done.
      do {
        const out = await db.send(
          new QueryCommand({
            TableName: table,
            IndexName: index,
            KeyConditionExpression: `${index}pk = :pk AND ${index}sk BETWEEN :from AND :to`,
            ...(input.type ? { FilterExpression: '#type = :type', ExpressionAttributeNames: { '#type': 'type' } } : {}),
            ExpressionAttributeValues: { ':pk': partition, ':from': from, ':to': `${prefix}${PREFIX_END}`, ...(input.type ? { ':type': input.type } : {}) },
            Limit: input.limit + 1,
            ExclusiveStartKey: start,
          }),
        );
        found.push(...((out.Items ?? []) as Item[]).map((item) => ({ ...item, order: item[`${index}sk`] })));
        start = out.LastEvaluatedKey;
      } while (start && found.length <= input.limit);
      return found;
    }),
  );
  const byOrder = new Map<string, Item>();
  for (const item of pages.flat()) byOrder.set(item.order as string, item);
  const sorted = [...byOrder.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).filter(([, item]) => canReadRecord(viewer, item as { ownerId?: string; owningTeamId?: string }));
  const page = sorted.slice(0, input.limit);
  return { items: page.map(([, item]) => found(item)), ...(sorted.length > input.limit ? { last: page.at(-1)![0] } : {}) };
}

/** Records holding a number (phone, business or mobile) among those the viewer may read: one Query of the number's partition. */
export async function recordsByNumber(db: Db, table: string, viewer: Viewer, e164: string, type?: RecordType): Promise<FoundRecord[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.phonePartition(e164), ':prefix': keys.phoneRecordPrefix },
    }),
  );
  return ((out.Items ?? []) as unknown as PhoneIndexEntry[])
    .filter((entry) => (!type || entry.type === type) && canReadRecord(viewer, entry))
    .map(found)
    .sort((a, b) => a.name.toLocaleLowerCase('en-US').localeCompare(b.name.toLocaleLowerCase('en-US')) || a.type.localeCompare(b.type) || a.id.localeCompare(b.id));
}

function found(item: Item | PhoneIndexEntry): FoundRecord {
  const record = item as PhoneIndexEntry;
  return { type: record.type, id: record.id, name: record.name, state: record.state };
}
