import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { batchGetAll, cancellationCodes, isConditionFailure, type Item, type TransactItem } from '../dynamo-helpers';
import { retryOnConflict, RETRY } from '../transact';
import type { NotificationKind } from '../../domain/notifications';

/**
 * A team's feed: one notification item for every member (`TEAM#id`, `NOTIF#id`), so a message to a team of 500
 * costs one write, not 500. The only module that writes the feed, its head and the members' places in it.
 *
 * - The head (`TEAM#id`, `FEEDHEAD`) numbers the feed: each notification gets the next `seq`, in one transaction with
 *   the head, so the numbers have no gaps and no repeats. It also keeps what left the feed: `expiredThrough` (retention
 *   removes the oldest first) and `removed` (erased, any position).
 * - A member's state (`SELLER#id`, `FEEDSTATE#TEAM#id`): `cursorSeq` (read up to here: read-all moves it),
 *   `joinedSeq` (the feed's length when they joined: nothing before is theirs), `readAbove` (read one by one past the
 *   cursor, each with a marker `FEEDREAD#team#seq`). Written only when the member reads or joins.
 * - A member's unread count is `seq - cursor - readAbove`, less what left the feed unread: a few reads, whatever the
 *   backlog.
 */

export interface TeamNotificationInput {
  teamId: string;
  id: string;
  kind: NotificationKind;
  conversationId: string;
  messageId?: string | undefined;
  createdAt: string;
  extra?: Item;
  expiresAt?: number | undefined;
}

export interface FeedHead {
  seq: number;
  expiredThrough: number;
  removed: number[];
}

export interface FeedState {
  cursorSeq: number;
  joinedSeq: number;
  readAbove: number;
}

/** Nothing written yet: an empty feed, or a member who has never read it (and was in the team before it began). */
const EMPTY_HEAD: FeedHead = { seq: 0, expiredThrough: 0, removed: [] };
const NEW_STATE: FeedState = { cursorSeq: 0, joinedSeq: 0, readAbove: 0 };

export function toHead(item: Item | undefined): FeedHead {
  if (!item) return EMPTY_HEAD;
  return { seq: (item.seq as number | undefined) ?? 0, expiredThrough: (item.expiredThrough as number | undefined) ?? 0, removed: [...((item.removed as Set<number> | undefined) ?? [])].sort((a, b) => a - b) };
}

export function toState(item: Item | undefined): FeedState {
  if (!item) return NEW_STATE;
  return { cursorSeq: (item.cursorSeq as number | undefined) ?? 0, joinedSeq: (item.joinedSeq as number | undefined) ?? 0, readAbove: (item.readAbove as number | undefined) ?? 0 };
}

/**
 * Appends a notification to a team's feed, once: a stream re-run finds its item (same id) and writes nothing.
 * 'appended' or 'existed'.
 */
export async function appendTeamNotification(db: Db, table: string, n: TeamNotificationInput): Promise<'appended' | 'existed'> {
  return retryOnConflict({ name: 'TeamFeedAppend', maxAttempts: 8 }, async () => {
    const head = await getFeedHead(db, table, n.teamId);
    const seq = head.seq + 1;
    try {
      await db.send(
        new TransactWriteCommand({
          TransactItems: [
            headAdvance(table, n.teamId, head.seq, seq),
            { Put: { TableName: table, Item: teamNotificationItem(n, seq), ConditionExpression: 'attribute_not_exists(pk)' } },
          ],
        }),
      );
      return 'appended' as const;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[1] === 'ConditionalCheckFailed') return 'existed' as const;
      // Another append took this number (or a transaction conflict): read the head again.
      return RETRY;
    }
  });
}

/**
 * Appends many notifications at once (a backlog written for the bench): up to 99 with the head per transaction, numbered
 * from the head as it is. Not for the notifier, whose appends are one per stream record.
 */
export async function appendTeamNotificationsInBulk(db: Db, table: string, teamId: string, list: readonly Omit<TeamNotificationInput, 'teamId'>[]): Promise<void> {
  for (let i = 0; i < list.length; i += 99) {
    const head = await getFeedHead(db, table, teamId);
    const slice = list.slice(i, i + 99);
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          headAdvance(table, teamId, head.seq, head.seq + slice.length),
          ...slice.map((n, j) => ({ Put: { TableName: table, Item: teamNotificationItem({ ...n, teamId }, head.seq + j + 1), ConditionExpression: 'attribute_not_exists(pk)' } })),
        ],
      }),
    );
  }
}

/** The head moves from `from` to `to`, only if no other append moved it since it was read. */
function headAdvance(table: string, teamId: string, from: number, to: number): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: keys.teamFeedHead(teamId),
      UpdateExpression: 'SET seq = :seq, kind = :kind, teamId = :team',
      ConditionExpression: from === 0 ? 'attribute_not_exists(seq) OR seq = :zero' : 'seq = :previous',
      ExpressionAttributeValues: { ':seq': to, ':kind': 'teamFeedHead', ':team': teamId, ...(from === 0 ? { ':zero': 0 } : { ':previous': from }) },
    },
  };
}

function teamNotificationItem(n: TeamNotificationInput, seq: number): Item {
  const itemKey = keys.teamNotification(n.teamId, n.id);
  return {
    ...itemKey,
    ...keys.teamFeedOrder(n.teamId, seq),
    ...keys.aboutConversation(n.conversationId, itemKey),
    kind: 'teamNotification',
    id: n.id,
    teamId: n.teamId,
    seq,
    notificationKind: n.kind,
    conversationId: n.conversationId,
    ...(n.messageId ? { messageId: n.messageId } : {}),
    createdAt: n.createdAt,
    ...n.extra,
    ...(n.expiresAt ? { expiresAt: n.expiresAt } : {}),
  };
}

export async function getTeamNotification(db: Db, table: string, teamId: string, id: string): Promise<Item | undefined> {
  return (await db.send(new GetCommand({ TableName: table, Key: keys.teamNotification(teamId, id), ConsistentRead: true }))).Item;
}

/** The team notifications among those named (team and id), 100 keys a BatchGetItem. */
export async function teamNotificationsNamed(db: Db, table: string, named: readonly { teamId: string; id: string }[]): Promise<Item[]> {
  return batchGetAll(db, table, named.map((n) => keys.teamNotification(n.teamId, n.id)));
}

export async function markTeamNotificationPublished(db: Db, table: string, teamId: string, id: string, at: string): Promise<void> {
  await db.send(new UpdateCommand({ TableName: table, Key: keys.teamNotification(teamId, id), UpdateExpression: 'SET publishedAt = :at', ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeValues: { ':at': at } })).catch((error: unknown) => {
    // Erased since: nothing left to mark.
    if (!isConditionFailure(error)) throw error;
  });
}

/** A team notification left the feed: retention (the oldest go first) or an erasure (anywhere). Unread counts leave it out. */
export async function recordLeftFeed(db: Db, table: string, teamId: string, seq: number, byTtl: boolean): Promise<void> {
  await db
    .send(
      new UpdateCommand({
        TableName: table,
        Key: keys.teamFeedHead(teamId),
        ...(byTtl
          ? { UpdateExpression: 'SET expiredThrough = :seq', ConditionExpression: 'attribute_not_exists(expiredThrough) OR expiredThrough < :seq', ExpressionAttributeValues: { ':seq': seq } }
          : { UpdateExpression: 'ADD removed :seqs', ExpressionAttributeValues: { ':seqs': new Set([seq]) } }),
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}

export async function feedHeads(db: Db, table: string, teamIds: readonly string[]): Promise<Map<string, FeedHead>> {
  const items = await batchGetAll(db, table, teamIds.map((teamId) => keys.teamFeedHead(teamId)));
  return new Map(teamIds.map((teamId) => [teamId, toHead(items.find((item) => item.teamId === teamId))]));
}

export async function feedStates(db: Db, table: string, sellerId: string, teamIds: readonly string[]): Promise<Map<string, FeedState>> {
  const items = await batchGetAll(db, table, teamIds.map((teamId) => keys.teamFeedState(sellerId, teamId)));
  return new Map(teamIds.map((teamId) => [teamId, toState(items.find((item) => item.teamId === teamId))]));
}

/** Where a member's unread part of the feed starts: past their cursor, their joining and what expired. */
export function unreadFrom(head: FeedHead, state: FeedState): number {
  return Math.max(state.cursorSeq, state.joinedSeq, head.expiredThrough);
}

/** The read markers a member holds among `seqs` (of one team). */
export async function readMarkersAmong(db: Db, table: string, sellerId: string, teamId: string, seqs: readonly number[]): Promise<Set<number>> {
  if (seqs.length === 0) return new Set();
  const items = await batchGetAll(db, table, seqs.map((seq) => keys.teamFeedRead(sellerId, teamId, seq)));
  return new Set(items.map((item) => item.seq as number));
}

/**
 * A member's unread count in one team feed. One read each of head and state (the caller has them); more only when
 * notifications left the feed past the member's cursor (rare: an erasure, or retention overtaking a reader).
 */
export async function unreadInFeed(db: Db, table: string, sellerId: string, teamId: string, head: FeedHead, state: FeedState): Promise<number> {
  const from = unreadFrom(head, state);
  if (head.seq <= from) return 0;
  let readPast = state.readAbove;
  if (from > state.cursorSeq) {
    // The marker counter counts from the cursor: count those past the later start instead.
    const out = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': keys.seller(sellerId).pk, ':from': keys.teamFeedRead(sellerId, teamId, from + 1).sk, ':to': keys.teamFeedRead(sellerId, teamId, 999_999_999_999).sk },
        Select: 'COUNT',
      }),
    );
    readPast = out.Count ?? 0;
  }
  const removedPast = head.removed.filter((seq) => seq > from);
  const removedAndRead = await readMarkersAmong(db, table, sellerId, teamId, removedPast);
  return Math.max(0, head.seq - from - readPast - (removedPast.length - removedAndRead.size));
}

/** A page of a team's feed, newest first, from a member's joining on; `unread`: only past their start, in feed order. */
export async function teamFeedPage(db: Db, table: string, teamId: string, head: FeedHead, state: FeedState, options: { unread: boolean; limit: number; startAfter?: Item | undefined }) {
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      ...(options.unread
        ? {
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk > :from',
            ExpressionAttributeValues: { ':pk': keys.teamFeedPartition(teamId), ':from': keys.feedSeq(unreadFrom(head, state)) },
          }
        : {
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            FilterExpression: 'seq > :joined',
            ExpressionAttributeValues: { ':pk': keys.teamFeedHead(teamId).pk, ':prefix': keys.notificationPrefix, ':joined': state.joinedSeq },
          }),
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: options.startAfter,
    }),
  );
  return { items: (out.Items ?? []) as Item[], lastKey: out.LastEvaluatedKey as Item | undefined };
}

/** Whether a member has read a team notification: behind their cursor, or marked one by one. */
export function readByPosition(item: Item, state: FeedState, head: FeedHead): boolean {
  return (item.seq as number) <= Math.max(state.cursorSeq, head.expiredThrough);
}

/**
 * Marks one team notification read for a member: a marker and their counter, in one transaction (once: a second
 * read finds the marker). Nothing to write when it is behind their cursor.
 */
export async function markTeamNotificationRead(db: Db, table: string, sellerId: string, item: Item, state: FeedState, at: string, readInTab?: string): Promise<'marked' | 'already'> {
  const teamId = item.teamId as string;
  const seq = item.seq as number;
  if (seq <= state.cursorSeq) return 'already';
  try {
    await db.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: table,
              Item: { ...keys.teamFeedRead(sellerId, teamId, seq), kind: 'teamFeedRead', sellerId, teamId, seq, id: item.id, readAt: at, ...(readInTab ? { readInTab } : {}), ...(item.expiresAt ? { expiresAt: item.expiresAt } : {}) },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
          stateUpdate(table, sellerId, teamId, { UpdateExpression: `SET kind = :kind, sellerId = :seller, teamId = :team, changedAt = :at${readInTab ? ', readInTab = :tab' : ''} ADD readAbove :one${readInTab ? '' : ' REMOVE readInTab'}`, ExpressionAttributeValues: { ':one': 1, ':at': at, ...(readInTab ? { ':tab': readInTab } : {}) } }),
        ],
      }),
    );
    return 'marked';
  } catch (error) {
    if (cancellationCodes(error)?.[0] === 'ConditionalCheckFailed') return 'already';
    throw error;
  }
}

/** Read-all in one team feed: the cursor moves to the feed's end; answers how many were unread. One write. */
export async function markTeamFeedRead(db: Db, table: string, sellerId: string, teamId: string, head: FeedHead, state: FeedState, at: string, readInTab?: string): Promise<number> {
  const unread = await unreadInFeed(db, table, sellerId, teamId, head, state);
  if (head.seq <= state.cursorSeq) return 0;
  await db
    .send(
      new UpdateCommand({
        ...stateUpdate(table, sellerId, teamId, {
          UpdateExpression: `SET cursorSeq = :seq, readAbove = :zero, kind = :kind, sellerId = :seller, teamId = :team, changedAt = :at${readInTab ? ', readInTab = :tab' : ' REMOVE readInTab'}`,
          ConditionExpression: 'attribute_not_exists(cursorSeq) OR cursorSeq < :seq',
          ExpressionAttributeValues: { ':seq': head.seq, ':zero': 0, ':at': at, ...(readInTab ? { ':tab': readInTab } : {}) },
        }).Update,
      }),
    )
    .catch((error: unknown) => {
      // A later read-all moved it further already.
      if (!isConditionFailure(error)) throw error;
    });
  return unread;
}

/** A member joins a team: the feed so far is not theirs (its length now is where they start). In the joining transaction. */
export function joinFeedItem(table: string, sellerId: string, teamId: string, head: FeedHead, at: string): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: { ...keys.teamFeedState(sellerId, teamId), kind: 'teamFeedState', sellerId, teamId, cursorSeq: head.seq, joinedSeq: head.seq, readAbove: 0, changedAt: at },
    },
  };
}

export async function getFeedHead(db: Db, table: string, teamId: string): Promise<FeedHead> {
  return toHead((await db.send(new GetCommand({ TableName: table, Key: keys.teamFeedHead(teamId), ConsistentRead: true }))).Item);
}

function stateUpdate(table: string, sellerId: string, teamId: string, update: { UpdateExpression: string; ConditionExpression?: string; ExpressionAttributeValues: Item }): TransactItem & { Update: NonNullable<TransactItem['Update']> } {
  return {
    Update: {
      TableName: table,
      Key: keys.teamFeedState(sellerId, teamId),
      UpdateExpression: update.UpdateExpression,
      ...(update.ConditionExpression ? { ConditionExpression: update.ConditionExpression } : {}),
      ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ':kind': 'teamFeedState', ':seller': sellerId, ':team': teamId },
    },
  };
}

/** The notifications of one conversation in a team feed past `fromSeq` (a member reading the conversation reads them). */
export async function teamNotificationsAbout(db: Db, table: string, teamId: string, conversationId: string): Promise<Item[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk AND begins_with(gsi2sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.aboutConversationPartition(conversationId), ':prefix': `${keys.teamFeedHead(teamId).pk}#${keys.notificationPrefix}` },
      ScanIndexForward: false,
      Limit: 100,
    }),
  );
  return (out.Items ?? []) as Item[];
}
