import { BatchWriteCommand, DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { batchGetAll, isConditionFailure, type Item } from '../dynamo-helpers';
import type { ReadMark } from '../../domain/read-state';

/**
 * Read marks (`CONV#id`, `READ#seller`) and unread pointers (`SELLER#id`, `UNREADCONV#conversation`):
 * the only module that writes either.
 *
 * A mark only moves forward (its condition refuses a smaller count), so a read racing an inbound
 * message leaves that message unread, never the reverse. A pointer is a hint that a seller may have
 * unread messages in a conversation; the list re-checks every pointer against the conversation's
 * count and the seller's mark, so a stale pointer is never shown, only skipped.
 */

/** The read marks of several sellers in one conversation, by seller. */
export async function readMarksIn(db: Db, table: string, conversationId: string, sellerIds: readonly string[]): Promise<Map<string, ReadMark>> {
  const items = await batchGetAll(db, table, [...new Set(sellerIds)].map((sellerId) => keys.readMark(conversationId, sellerId)));
  return new Map(items.map((item) => [item.sellerId as string, { readCount: item.readCount as number, lastReadAt: item.lastReadAt as string }]));
}

/**
 * Marks the conversation read up to `inboundCount` for one seller, and drops their pointer if nothing newer is unread.
 * `readInTab`: the console tab that read (its live frame skips that tab); absent for a read no tab asked for.
 */
export async function markConversationRead(db: Db, table: string, sellerId: string, conversationId: string, inboundCount: number, at: string, readInTab?: string): Promise<void> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.readMark(conversationId, sellerId),
        UpdateExpression: `SET readCount = :count, lastReadAt = :at, kind = :kind, sellerId = :seller, conversationId = :conversation${readInTab ? ', readInTab = :tab' : ' REMOVE readInTab'}`,
        ConditionExpression: 'attribute_not_exists(readCount) OR readCount <= :count',
        ExpressionAttributeValues: { ':count': inboundCount, ':at': at, ':kind': 'readMark', ':seller': sellerId, ':conversation': conversationId, ...(readInTab ? { ':tab': readInTab } : {}) },
      }),
    );
  } catch (error) {
    // A later read (with a higher count) got there first: nothing to do.
    if (!isConditionFailure(error)) throw error;
  }
  await db
    .send(
      new DeleteCommand({
        TableName: table,
        Key: keys.unreadConversation(sellerId, conversationId),
        ConditionExpression: 'attribute_not_exists(pk) OR inboundCount <= :count',
        ExpressionAttributeValues: { ':count': inboundCount },
      }),
    )
    .catch((error: unknown) => {
      // The pointer was rewritten for a newer inbound message: it stays.
      if (!isConditionFailure(error)) throw error;
    });
}

/** Pointers for the sellers who have unread messages in a conversation (idempotent: a re-run writes the same items). */
export async function putUnreadPointers(db: Db, table: string, conversation: { id: string; inboundCount: number; latestInboundAt: string }, sellerIds: readonly string[]): Promise<void> {
  const puts = sellerIds.map((sellerId) => ({ PutRequest: { Item: pointerItem(conversation, { sellerId }) } }));
  for (let i = 0; i < puts.length; i += 25) {
    let request: Record<string, typeof puts> | undefined = { [table]: puts.slice(i, i + 25) };
    while (request && Object.keys(request).length > 0) {
      const out = await db.send(new BatchWriteCommand({ RequestItems: request }));
      request = out.UnprocessedItems as typeof request;
    }
  }
}

/** One pointer per team that sees a conversation (idempotent): its members' read marks decide who lists it. */
export async function putTeamUnreadPointers(db: Db, table: string, conversation: { id: string; inboundCount: number; latestInboundAt: string }, teamIds: readonly string[]): Promise<void> {
  for (const teamId of teamIds) await db.send(new PutCommand({ TableName: table, Item: pointerItem(conversation, { teamId }) }));
}

/** An unread pointer of a seller or of a team: same shape, keyed under its owner, ordered by latest inbound. */
function pointerItem(conversation: { id: string; inboundCount: number; latestInboundAt: string }, owner: { sellerId: string } | { teamId: string }): Item {
  const key = 'sellerId' in owner ? keys.unreadConversation(owner.sellerId, conversation.id) : keys.teamUnreadConversation(owner.teamId, conversation.id);
  const order = 'sellerId' in owner ? keys.unreadConversationOrder(owner.sellerId, conversation.latestInboundAt, conversation.id) : keys.teamUnreadConversationOrder(owner.teamId, conversation.latestInboundAt, conversation.id);
  return { ...key, ...order, ...keys.aboutConversation(conversation.id, key), kind: 'sellerId' in owner ? 'unreadPointer' : 'teamUnreadPointer', ...owner, conversationId: conversation.id, inboundCount: conversation.inboundCount };
}

/** Teams that no longer see a conversation lose their pointer to it. */
export async function deleteTeamUnreadPointers(db: Db, table: string, conversationId: string, teamIds: readonly string[]): Promise<void> {
  for (const teamId of teamIds) await db.send(new DeleteCommand({ TableName: table, Key: keys.teamUnreadConversation(teamId, conversationId) }));
}

/** A page of a seller's unread pointers, latest inbound first, below the cursor (a gsi1 sort key). */
export async function unreadPointers(db: Db, table: string, sellerId: string, limit: number, before?: string, teamIds: readonly string[] = []): Promise<{ items: { conversationId: string; order: string }[]; more: boolean }> {
  // The seller's own pointers and their teams', in one order (latest inbound first): a page of each, merged.
  const partitions = [keys.unreadConversationsPartition(sellerId), ...teamIds.map((teamId) => keys.teamUnreadConversationsPartition(teamId))];
  const pages = await Promise.all(
    partitions.map(async (partition) => {
      const out = await db.send(
        new QueryCommand({
          TableName: table,
          IndexName: 'gsi1',
          KeyConditionExpression: before ? 'gsi1pk = :pk AND gsi1sk < :before' : 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': partition, ...(before ? { ':before': before } : {}) },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return { items: ((out.Items ?? []) as Item[]).map((item) => ({ conversationId: item.conversationId as string, order: item.gsi1sk as string })), more: out.LastEvaluatedKey !== undefined };
    }),
  );
  const merged = pages.flatMap((page) => page.items).sort((a, b) => (a.order < b.order ? 1 : a.order > b.order ? -1 : 0));
  // Past the first `limit` of the merge, a partition's next items may come before another's: the page ends there.
  return { items: merged.slice(0, limit), more: merged.length > limit || pages.some((page) => page.more) };
}

/** Migration: a round 2 read mark names its conversation only in its key: it gets `conversationId`. True when it changed. */
export async function nameOlderReadMark(db: Db, table: string, item: Item): Promise<boolean> {
  if (item.kind !== 'readMark' || item.conversationId !== undefined || typeof item.pk !== 'string' || !item.pk.startsWith('CONV#')) return false;
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk, sk: item.sk as string },
        UpdateExpression: 'SET conversationId = :conversation',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(conversationId)',
        ExpressionAttributeValues: { ':conversation': item.pk.slice('CONV#'.length) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
