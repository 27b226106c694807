import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { batchGetAll, isConditionFailure, type Item, type TransactItem } from '../dynamo-helpers';
import type { Notification, NotificationKind } from '../../domain/notifications';
import { isExpired } from '../../domain/retention';

/** A seller's notification (`SELLER#id`, `NOTIF#id`; unread ones also in gsi1 `UNREAD#id`): the only module that writes one. */

export interface NewNotification {
  id: string;
  sellerId: string;
  kind: NotificationKind;
  conversationId: string;
  messageId?: string;
  createdAt: string;
  /** Only with the text for a seller who may read it. */
  extra?: Item;
  /** A notification quoting a message expires with it. */
  expiresAt?: number | undefined;
}

/** A notification as a transaction item, written with the change it tells of. */
export function notificationItem(table: string, n: NewNotification): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: { ...keys.notification(n.sellerId, n.id), ...keys.unreadNotification(n.sellerId, n.id), ...keys.aboutConversation(n.conversationId, keys.notification(n.sellerId, n.id)), kind: 'notification', id: n.id, sellerId: n.sellerId, notificationKind: n.kind, conversationId: n.conversationId, messageId: n.messageId, createdAt: n.createdAt, read: false, ...n.extra, ...(n.expiresAt ? { expiresAt: n.expiresAt } : {}) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Written once: a stream re-run writes the same id and changes nothing. */
export async function putNotification(db: Db, table: string, n: NewNotification): Promise<void> {
  try {
    await db.send(new PutCommand(notificationItem(table, n).Put!));
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

/** The notifications that exist among those named (sellers' and ids), 100 keys a BatchGetItem. */
export async function notificationsNamed(db: Db, table: string, named: readonly { sellerId: string; id: string }[]): Promise<Item[]> {
  return batchGetAll(db, table, named.map((n) => keys.notification(n.sellerId, n.id)));
}

export async function getNotification(db: Db, table: string, sellerId: string, id: string): Promise<Item | undefined> {
  return (await db.send(new GetCommand({ TableName: table, Key: keys.notification(sellerId, id), ConsistentRead: true }))).Item;
}

export async function markPublished(db: Db, table: string, sellerId: string, id: string, at: string): Promise<void> {
  await db.send(new UpdateCommand({ TableName: table, Key: keys.notification(sellerId, id), UpdateExpression: 'SET publishedAt = :at', ExpressionAttributeValues: { ':at': at } }));
}

/** A seller's notifications, newest first, or only the unread ones (the sparse index). */
export async function notificationsOf(db: Db, table: string, sellerId: string, options: { unread: boolean; limit: number; startAfter?: Item | undefined; now?: Date }) {
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      ...(options.unread
        ? { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.unreadPartition(sellerId) } }
        : { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': keys.seller(sellerId).pk, ':prefix': keys.notificationPrefix } }),
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: options.startAfter,
    }),
  );
  // Past their retention, notifications are gone even before TTL deletes them.
  const live = (out.Items ?? []).filter((item) => !options.now || !isExpired(item, options.now));
  return { items: live.map(toPublicNotification), lastKey: out.LastEvaluatedKey };
}

/**
 * Marks one of the seller's notifications read; undefined when the seller has no such notification. `readInTab`: the
 * console tab that read it (the bell frame skips that tab).
 */
export async function markRead(db: Db, table: string, sellerId: string, id: string, at: string, readInTab?: string): Promise<Notification | undefined> {
  try {
    const out = await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.notification(sellerId, id),
        UpdateExpression: `SET #read = :true, readAt = if_not_exists(readAt, :at)${readInTab ? ', readInTab = :tab' : ''} REMOVE gsi1pk, gsi1sk${readInTab ? '' : ', readInTab'}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#read': 'read' },
        ExpressionAttributeValues: { ':true': true, ':at': at, ...(readInTab ? { ':tab': readInTab } : {}) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toPublicNotification(out.Attributes as Item);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

export function toPublicNotification(item: Item): Notification {
  return {
    id: item.id as string,
    kind: item.notificationKind as NotificationKind,
    ...(item.conversationId ? { conversationId: item.conversationId as string } : {}),
    ...(item.messageId ? { messageId: item.messageId as string } : {}),
    createdAt: item.createdAt as string,
    read: item.read === true,
    ...(item.notificationKind === 'inbound_message' && typeof item.preview === 'string' ? { preview: item.preview } : {}),
    ...(item.notificationKind === 'inbound_message' && item.customerNumber ? { customerNumber: item.customerNumber as string } : {}),
    ...(item.notificationKind === 'inbound_message' && item.record ? { record: item.record as Notification['record'] & object } : {}),
    ...(item.notificationKind === 'conversation_assigned' && item.by ? { by: item.by as string } : {}),
  };
}

/**
 * Marks every unread notification of a seller (or only those of one conversation) created up to `at` read; answers
 * how many changed. Only up to `at`: a stream record handled again later (a retried batch, a replay) marks nothing
 * that arrived after it, such as the customer's reply to the send that marks them.
 */
export async function markAllRead(db: Db, table: string, sellerId: string, at: string, conversationId?: string, readInTab?: string): Promise<number> {
  let updated = 0;
  let startAfter: Item | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ...(conversationId
          ? { FilterExpression: 'createdAt <= :at AND conversationId = :conversation', ExpressionAttributeValues: { ':pk': keys.unreadPartition(sellerId), ':at': at, ':conversation': conversationId } }
          : { FilterExpression: 'createdAt <= :at', ExpressionAttributeValues: { ':pk': keys.unreadPartition(sellerId), ':at': at } }),
        ExclusiveStartKey: startAfter,
      }),
    );
    for (const item of page.Items ?? []) if (await markRead(db, table, sellerId, item.id as string, at, readInTab)) updated++;
    startAfter = page.LastEvaluatedKey;
  } while (startAfter);
  return updated;
}

/** How many unread notifications a seller has (counted on the sparse index, no items returned). */
export async function unreadNotificationCount(db: Db, table: string, sellerId: string): Promise<number> {
  let total = 0;
  let startAfter: Item | undefined;
  do {
    const page = await db.send(
      new QueryCommand({ TableName: table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.unreadPartition(sellerId) }, Select: 'COUNT', ExclusiveStartKey: startAfter }),
    );
    total += page.Count ?? 0;
    startAfter = page.LastEvaluatedKey;
  } while (startAfter);
  return total;
}

/**
 * Migration: a notification stored before items about a conversation were indexed by it (round 1) gets its gsi2 entry,
 * so that erasing the customer finds it (a notification quotes the message). True when it changed.
 */
export async function indexOlderNotification(db: Db, table: string, item: Item): Promise<boolean> {
  if (item.kind !== 'notification' || item.gsi2pk || typeof item.conversationId !== 'string') return false;
  const about = keys.aboutConversation(item.conversationId, { pk: item.pk as string, sk: item.sk as string });
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk as string, sk: item.sk as string },
        UpdateExpression: 'SET gsi2pk = :pk, gsi2sk = :sk',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(gsi2pk)',
        ExpressionAttributeValues: { ':pk': about.gsi2pk, ':sk': about.gsi2sk },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Migration: a round 1 notification of an inbound message names neither the customer's number nor the record (the
 * bell said "New SMS from" and nothing): both come from what it stored (`from`) and its conversation's record. True
 * when it changed.
 */
export async function nameOlderNotification(db: Db, table: string, item: Item, record: { type: string; id: string; name: string } | undefined): Promise<boolean> {
  if (item.kind !== 'notification' || item.notificationKind !== 'inbound_message' || item.customerNumber !== undefined || typeof item.from !== 'string') return false;
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk as string, sk: item.sk as string },
        UpdateExpression: `SET customerNumber = :customer${record ? ', #record = if_not_exists(#record, :record)' : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(customerNumber)',
        ...(record ? { ExpressionAttributeNames: { '#record': 'record' } } : {}),
        ExpressionAttributeValues: { ':customer': item.from, ...(record ? { ':record': record } : {}) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
