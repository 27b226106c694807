import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import type { IndexName } from '../table-definition';
import type { Item } from '../dynamo-helpers';

export interface IndexSource {
  index: IndexName;
  partition: string;
}

/**
 * Newest-first page over several index partitions that share one sort-key order
 * (`lastMessageAt#id`): each is queried below the cursor, the results merged and de-duplicated by
 * id (a conversation can be visible through its number and its record at once). The queries are not
 * one snapshot: a message landing between them leaves one partition with the old position and the
 * next with the new, so the newest position of each conversation wins. The cursor is the last sort
 * key returned, so every item appears once across pages.
 */
export async function mergedPage(db: Db, table: string, sources: IndexSource[], limit: number, before?: string): Promise<{ items: Item[]; last?: string }> {
  const pages = await Promise.all(
    sources.map(async ({ index, partition }) => {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: index,
          KeyConditionExpression: before ? `${index}pk = :pk AND ${index}sk < :before` : `${index}pk = :pk`,
          ExpressionAttributeValues: { ':pk': partition, ...(before ? { ':before': before } : {}) },
          ScanIndexForward: false,
          Limit: limit + 1,
        }),
      );
      return (out.Items ?? []).map((item) => ({ item, order: item[`${index}sk`] as string }));
    }),
  );
  const newestById = new Map<string, { item: Item; order: string }>();
  for (const entry of pages.flat()) {
    const id = entry.item.id as string;
    const seen = newestById.get(id);
    if (!seen || entry.order > seen.order) newestById.set(id, entry);
  }
  const sorted = [...newestById.values()].sort((a, b) => (a.order < b.order ? 1 : a.order > b.order ? -1 : 0));
  const items = sorted.slice(0, limit);
  return { items: items.map(({ item }) => item), ...(sorted.length > limit ? { last: items[items.length - 1]!.order } : {}) };
}
