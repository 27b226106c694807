import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { cancellationCodes, isConditionFailure, type Item, type TransactItem } from '../dynamo-helpers';
import type { Notification, NotificationKind } from '../../domain/notifications';
import { lastNotificationIdAt } from '../../domain/notifications';

/**
 * A seller's own notification (`SELLER#id`, `NOTIF#id`; unread ones also in gsi1 `UNREADN#id`) and the seller's
 * notification state (`SELLER#id`, `NOTIFSTATE`: `unread`, the counter every unread notification adds one to, and
 * `readThroughId`, where read-all put the line): the only module that writes either. A team's notifications are one
 * item for every member (team-feed.ts). Counting and read-all cost one item, whatever the backlog.
 *
 * Round 3 and earlier wrote unread notifications to gsi1 `UNREAD#id` without counting them: they are counted on
 * that index (an empty partition once migration 0011 has counted them) and listed with the others.
 */

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

export interface NotificationState {
  unread: number;
  readThroughId: string;
}

function itemOf(n: NewNotification, counted: boolean): Item {
  return {
    ...keys.notification(n.sellerId, n.id),
    ...(counted ? keys.countedUnreadNotification(n.sellerId, n.id) : {}),
    ...keys.aboutConversation(n.conversationId, keys.notification(n.sellerId, n.id)),
    kind: 'notification',
    id: n.id,
    sellerId: n.sellerId,
    notificationKind: n.kind,
    conversationId: n.conversationId,
    messageId: n.messageId,
    createdAt: n.createdAt,
    read: !counted,
    ...(counted ? { counted: true } : {}),
    ...n.extra,
    ...(n.expiresAt ? { expiresAt: n.expiresAt } : {}),
  };
}

/** One more unread notification on the seller's counter (refused when read-all already covers it). */
function counterUp(table: string, sellerId: string, id?: string): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: keys.notificationState(sellerId),
      UpdateExpression: 'SET kind = :kind, sellerId = :seller ADD unread :one REMOVE changedAt, readInTab',
      ...(id ? { ConditionExpression: 'attribute_not_exists(readThroughId) OR readThroughId < :id' } : {}),
      ExpressionAttributeValues: { ':kind': 'notificationState', ':seller': sellerId, ':one': 1, ...(id ? { ':id': id } : {}) },
    },
  };
}

/** A notification as transaction items (the item and its count), written with the change it tells of. */
export function notificationItems(table: string, n: NewNotification): TransactItem[] {
  return [{ Put: { TableName: table, Item: itemOf(n, true), ConditionExpression: 'attribute_not_exists(pk)' } }, counterUp(table, n.sellerId)];
}

/**
 * Written once, counted once: a stream re-run writes the same id and changes nothing. A notification that read-all
 * already covers (its message is older than the seller's last read-all) is written read, and not counted.
 */
export async function putNotification(db: Db, table: string, n: NewNotification): Promise<void> {
  try {
    await db.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table, Item: itemOf(n, true), ConditionExpression: 'attribute_not_exists(pk)' } }, counterUp(table, n.sellerId, n.id)] }));
  } catch (error) {
    const codes = cancellationCodes(error);
    if (!codes) throw error;
    if (codes[0] === 'ConditionalCheckFailed') return;
    if (codes[1] !== 'ConditionalCheckFailed') throw error;
    try {
      await db.send(new PutCommand({ TableName: table, Item: itemOf(n, false), ConditionExpression: 'attribute_not_exists(pk)' }));
    } catch (again) {
      if (!isConditionFailure(again)) throw again;
    }
  }
}

export async function getNotification(db: Db, table: string, sellerId: string, id: string): Promise<Item | undefined> {
  return (await db.send(new GetCommand({ TableName: table, Key: keys.notification(sellerId, id), ConsistentRead: true }))).Item;
}

export async function markPublished(db: Db, table: string, sellerId: string, id: string, at: string): Promise<void> {
  await db.send(new UpdateCommand({ TableName: table, Key: keys.notification(sellerId, id), UpdateExpression: 'SET publishedAt = :at', ExpressionAttributeValues: { ':at': at } }));
}

export async function notificationState(db: Db, table: string, sellerId: string): Promise<NotificationState> {
  const item = (await db.send(new GetCommand({ TableName: table, Key: keys.notificationState(sellerId), ConsistentRead: true }))).Item;
  return { unread: Math.max(0, (item?.unread as number | undefined) ?? 0), readThroughId: (item?.readThroughId as string | undefined) ?? '' };
}

/** A gsi1 partition of unread notifications, past the read-all line (a key condition cannot compare with an empty string). */
function pastLine(partition: string, state: NotificationState) {
  return state.readThroughId
    ? { KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk > :line', ExpressionAttributeValues: { ':pk': partition, ':line': state.readThroughId } }
    : { KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': partition } };
}

/** Read: marked so, or behind the seller's last read-all. */
export function isReadPersonal(item: Item, state: NotificationState): boolean {
  return item.read === true || (item.id as string) <= state.readThroughId;
}

/**
 * A page of one of a seller's own notification sources, newest first: every notification (`unread` false), or the
 * unread ones counted (`counted`) or written before counting (`legacy`) past the read-all line.
 */
export async function personalNotificationsPage(db: Db, table: string, sellerId: string, state: NotificationState, options: { source: 'all' | 'counted' | 'legacy'; limit: number; startAfter?: Item | undefined }) {
  const partition = options.source === 'counted' ? keys.countedUnreadPartition(sellerId) : keys.unreadPartition(sellerId);
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      ...(options.source === 'all'
        ? { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': keys.seller(sellerId).pk, ':prefix': keys.notificationPrefix } }
        : { IndexName: 'gsi1', ...pastLine(partition, state) }),
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: options.startAfter,
    }),
  );
  return { items: (out.Items ?? []) as Item[], lastKey: out.LastEvaluatedKey as Item | undefined };
}

/**
 * Marks one of the seller's notifications read; undefined when the seller has no such notification. `readInTab`: the
 * console tab that read it (the bell frame skips that tab). A counted one leaves the counter in the same transaction.
 */
export async function markRead(db: Db, table: string, sellerId: string, id: string, at: string, readInTab?: string, known?: { item: Item; state: NotificationState }): Promise<Notification | undefined> {
  const [item, state] = known ? [known.item, known.state] : await Promise.all([getNotification(db, table, sellerId, id), notificationState(db, table, sellerId)]);
  if (!item) return undefined;
  if (isReadPersonal(item, state)) return toPublicNotification({ ...item, read: true });
  const update = {
    TableName: table,
    Key: keys.notification(sellerId, id),
    UpdateExpression: `SET #read = :true, readAt = if_not_exists(readAt, :at)${readInTab ? ', readInTab = :tab' : ''} REMOVE gsi1pk, gsi1sk${readInTab ? '' : ', readInTab'}`,
    ConditionExpression: 'attribute_exists(pk) AND #read = :false',
    ExpressionAttributeNames: { '#read': 'read' },
    ExpressionAttributeValues: { ':true': true, ':false': false, ':at': at, ...(readInTab ? { ':tab': readInTab } : {}) },
  };
  try {
    if (item.counted === true) {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [{ Update: update }, { Update: { TableName: table, Key: keys.notificationState(sellerId), UpdateExpression: 'ADD unread :minus REMOVE changedAt, readInTab', ExpressionAttributeValues: { ':minus': -1 } } }],
        }),
      );
    } else {
      await db.send(new UpdateCommand(update));
    }
  } catch (error) {
    // Read meanwhile (another tab): it is read either way.
    if (!isConditionFailure(error) && cancellationCodes(error)?.[0] !== 'ConditionalCheckFailed') throw error;
  }
  return toPublicNotification({ ...item, read: true });
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
    ...((item.notificationKind === 'delivery_failed' || item.notificationKind === 'scheduled_canceled') && item.statusReason ? { statusReason: item.statusReason as Notification['statusReason'] & object } : {}),
  };
}

/**
 * Read-all of a seller's own notifications: the line moves to `at` and the counter to zero, one write whatever the
 * backlog. Answers how many were unread.
 */
export async function markAllPersonalRead(db: Db, table: string, sellerId: string, at: string, readInTab?: string): Promise<number> {
  const state = await notificationState(db, table, sellerId);
  const unread = state.unread + (await legacyUnreadCount(db, table, sellerId, state));
  const line = lastNotificationIdAt(at);
  if (line <= state.readThroughId) return 0;
  await db
    .send(
      new UpdateCommand({
        TableName: table,
        Key: keys.notificationState(sellerId),
        UpdateExpression: `SET readThroughId = :line, unread = :zero, kind = :kind, sellerId = :seller, changedAt = :at${readInTab ? ', readInTab = :tab' : ' REMOVE readInTab'}`,
        ConditionExpression: 'attribute_not_exists(readThroughId) OR readThroughId < :line',
        ExpressionAttributeValues: { ':line': line, ':zero': 0, ':kind': 'notificationState', ':seller': sellerId, ':at': at, ...(readInTab ? { ':tab': readInTab } : {}) },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  return unread;
}

/**
 * Marks a seller's own unread notifications of one conversation created up to `at` read; answers how many changed.
 * Only up to `at`: a stream record handled again later (a retried batch, a replay) marks nothing that arrived after
 * it, such as the customer's reply to the send that marks them. Reads the conversation's notifications of this
 * seller only (gsi2), never their whole backlog.
 */
export async function markConversationNotificationsRead(db: Db, table: string, sellerId: string, conversationId: string, at: string, readInTab?: string): Promise<number> {
  const state = await notificationState(db, table, sellerId);
  const prefix = `${keys.seller(sellerId).pk}#${keys.notificationPrefix}`;
  let updated = 0;
  let startAfter: Item | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk BETWEEN :from AND :to',
        FilterExpression: '#read = :false AND createdAt <= :at',
        ExpressionAttributeNames: { '#read': 'read' },
        ExpressionAttributeValues: { ':pk': keys.aboutConversationPartition(conversationId), ':from': prefix + state.readThroughId, ':to': `${prefix}~`, ':false': false, ':at': at },
        ExclusiveStartKey: startAfter,
      }),
    );
    for (const item of (page.Items ?? []) as Item[]) if (!isReadPersonal(item, state) && (await markRead(db, table, sellerId, item.id as string, at, readInTab, { item, state }))) updated++;
    startAfter = page.LastEvaluatedKey;
  } while (startAfter);
  return updated;
}

/** Unread notifications written before counting began (past the read-all line): none once migration 0011 ran. */
async function legacyUnreadCount(db: Db, table: string, sellerId: string, state: NotificationState): Promise<number> {
  let total = 0;
  let startAfter: Item | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi1',
        ...pastLine(keys.unreadPartition(sellerId), state),
        Select: 'COUNT',
        ExclusiveStartKey: startAfter,
      }),
    );
    total += page.Count ?? 0;
    startAfter = page.LastEvaluatedKey;
  } while (startAfter);
  return total;
}

/** How many of a seller's own notifications are unread: the counter, plus any written before it (none after 0011). */
export async function unreadPersonalCount(db: Db, table: string, sellerId: string, known?: NotificationState): Promise<number> {
  const state = known ?? (await notificationState(db, table, sellerId));
  return state.unread + (await legacyUnreadCount(db, table, sellerId, state));
}

/**
 * Migration 0011: an unread notification written before the counter (round 3 and earlier) is counted: it moves to
 * the counted index and adds one to its seller's counter, in one transaction (a read racing it either came first,
 * and it is no longer unread, or comes after and takes the one off). True when it changed.
 */
export async function countOlderNotification(db: Db, table: string, item: Item): Promise<boolean> {
  if (item.kind !== 'notification' || item.counted === true || item.read === true || item.gsi1pk !== keys.unreadPartition(item.sellerId as string)) return false;
  const sellerId = item.sellerId as string;
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: table,
              Key: { pk: item.pk as string, sk: item.sk as string },
              UpdateExpression: 'SET gsi1pk = :counted, counted = :true',
              ConditionExpression: 'gsi1pk = :legacy AND #read = :false',
              ExpressionAttributeNames: { '#read': 'read' },
              ExpressionAttributeValues: { ':counted': keys.countedUnreadNotification(sellerId, item.id as string).gsi1pk, ':legacy': keys.unreadPartition(sellerId), ':true': true, ':false': false },
            },
          },
          counterUp(table, sellerId),
        ],
      }),
    );
    return true;
  } catch (error) {
    if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return false;
    throw error;
  }
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
