import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type Key } from '../keys';
import { isConditionFailure, type Item, type TransactItem } from '../dynamo-helpers';
import { statusesThatAccept } from '../../domain/status';
import { segmentInfo } from '../../domain/segments';
import type { Message, MessageStatus, StatusReason } from '../../domain/messages';
import type { Principal, RecordType } from '../../domain/types';
import { toPublicMedia, type StoredMediaItem } from '../../domain/media';

/**
 * The message item: the only module that writes one, and so the only owner of the rule that a
 * message leaving `queued` leaves the sparse queued index (gsi1) the sweeper reads.
 */

/** A stored message: the contract's fields plus what the notifier and reports need without extra reads. */
export interface MessageState extends Omit<Message, 'media'> {
  /** MMS files with where they come from and where our copies go. */
  media?: StoredMediaItem[] | undefined;
  provider: string;
  record: { type: RecordType; id: string };
  assignedTo: Principal;
  recordOwnerId?: string | undefined;
  recordOwningTeamId?: string | undefined;
  /** Outbound: the conversation's inbound count when the seller sent it; their send marks the conversation read up to it. */
  inboundSeen?: number | undefined;
  /** TTL (epoch seconds) when a retention period is configured. */
  expiresAt?: number | undefined;
  /** Sends: the caller's context (a sales-accelerator step), carried in the message's CRM events. */
  context?: Record<string, string> | undefined;
  /** Send later: each edit (and each deferral) is a new revision with its own schedule; only the current one fires. */
  revision?: number | undefined;
  /** Inbound: the after-hours reply is due (a leaf the automations' stream filter matches; the reply is sent once). */
  autoReplyDue?: true | undefined;
}

/**
 * A new message in a conversation: the conversation's record, assignee and record owners are copied
 * onto it (the notifier and reports read them without another lookup), and its segments counted.
 */
export function newMessage(
  conversation: { id: string; record: { type: RecordType; id: string }; assignedTo: Principal; recordOwnerId?: string | undefined; recordOwningTeamId?: string | undefined },
  fields: Pick<MessageState, 'id' | 'direction' | 'from' | 'to' | 'body' | 'createdAt' | 'status' | 'provider'> &
    Partial<Pick<MessageState, 'providerMessageId' | 'sentBy' | 'templateId' | 'routing' | 'inboundSeen' | 'expiresAt' | 'media' | 'context' | 'scheduledFor' | 'cancelOnReply' | 'automated' | 'revision'>>,
): MessageState {
  return {
    ...fields,
    statusAt: fields.createdAt,
    conversationId: conversation.id,
    segments: segmentInfo(fields.body).segments,
    record: conversation.record,
    assignedTo: conversation.assignedTo,
    recordOwnerId: conversation.recordOwnerId,
    recordOwningTeamId: conversation.recordOwningTeamId,
  };
}

/** Every status change removes the queued-index keys (a no-op when the message was not queued). */
const LEAVE_QUEUED = 'REMOVE gsi1pk, gsi1sk';

export const messageKey = (m: Pick<Message, 'conversationId' | 'createdAt' | 'id'>): Key => keys.message(m.conversationId, m.createdAt, m.id);

export function messageItem(m: MessageState): Item {
  return {
    ...messageKey(m),
    ...(m.status === 'queued' ? keys.queuedMessage(m.id, m.createdAt) : {}),
    ...(m.status === 'scheduled' && m.sentBy && m.scheduledFor ? keys.scheduledMessage(m.sentBy, m.scheduledFor, m.id) : {}),
    kind: 'message',
    ...m,
    // A leaf the media copier's stream filter can match (Lambda filters see leaves, not lists of maps).
    ...(m.media?.some((file) => file.status === 'pending') ? { mediaPending: true } : {}),
  };
}

/** A new message, in the transaction that adds it to its conversation. */
export function putMessageItem(table: string, m: MessageState): TransactItem {
  return { Put: { TableName: table, Item: messageItem(m), ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** A message moving into another conversation (a merge): same message, new key. */
export function movedMessageItems(table: string, message: Item, target: { id: string; record: { type: RecordType; id: string } }, at: string): { items: TransactItem[]; movedKey: Key } {
  const movedKey = keys.message(target.id, message.createdAt as string, message.id as string);
  return {
    movedKey,
    items: [
      // `movedAt` tells the stream's consumers this is a message they have seen, not a new one.
      { Put: { TableName: table, Item: { ...message, ...movedKey, conversationId: target.id, record: target.record, movedAt: at } } },
      { Delete: { TableName: table, Key: { pk: message.pk, sk: message.sk } } },
    ],
  };
}

const messageFields = ['id', 'conversationId', 'direction', 'from', 'to', 'body', 'createdAt', 'status', 'statusAt', 'statusReason', 'providerMessageId', 'sentBy', 'templateId', 'segments', 'routing', 'context', 'scheduledFor', 'cancelOnReply', 'automated'] as const;

export function toPublicMessage(item: Item): Message {
  const out: Record<string, unknown> = {};
  for (const field of messageFields) if (item[field] !== undefined && item[field] !== null) out[field] = item[field];
  // Items stored before statusAt existed.
  out.statusAt ??= item.statusUpdatedAt ?? item.createdAt;
  if (Array.isArray(item.media) && item.media.length > 0) out.media = toPublicMedia(item.media as StoredMediaItem[]);
  return out as unknown as Message;
}

export async function getMessage(db: Db, table: string, key: Key): Promise<Item | undefined> {
  return (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
}

/** A conversation's messages, newest first, a page at a time. */
export async function messagesOf(db: Db, table: string, conversationId: string, options: { limit: number; startAfter?: Item | undefined; consistent?: boolean; oldestFirst?: boolean }) {
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.conversationHead(conversationId).pk, ':prefix': keys.messagePrefix },
      ScanIndexForward: options.oldestFirst ?? false,
      Limit: options.limit,
      ExclusiveStartKey: options.startAfter,
      ...(options.consistent ? { ConsistentRead: true } : {}),
    }),
  );
  return { items: (out.Items ?? []) as Item[], lastKey: out.LastEvaluatedKey };
}

/** The provider accepted a queued send: `sent` with its id (in the transaction that writes the id's pointer). */
export function markSentItem(table: string, key: Key, providerMessageId: string, at: string): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: `SET #status = :sent, providerMessageId = :pid, statusAt = :at ${LEAVE_QUEUED}`,
      ConditionExpression: '#status = :queued',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':sent': 'sent', ':pid': providerMessageId, ':at': at, ':queued': 'queued' },
    },
  };
}

/**
 * A queued message leaves `queued` for `failed` or `unknown` with its reason (the provider refused,
 * timed out, or the send was interrupted). False when it had already left `queued`.
 */
export async function leaveQueued(db: Db, table: string, key: Key, change: { status: 'failed' | 'unknown'; reason: StatusReason; at: string; providerMessageId?: string | undefined }): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `SET #status = :status, statusReason = :reason, statusAt = :at${change.providerMessageId ? ', providerMessageId = :pid' : ''} ${LEAVE_QUEUED}`,
        ConditionExpression: '#status = :queued',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': change.status,
          ':reason': change.reason,
          ':at': change.at,
          ':queued': 'queued',
          ...(change.providerMessageId ? { ':pid': change.providerMessageId } : {}),
        },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** A delivery report's status, only from the statuses that accept it: a final status never moves. */
export async function applyStatus(db: Db, table: string, key: Key, report: { status: MessageStatus; statusReason?: StatusReason | undefined; occurredAt: string }): Promise<'applied' | 'ignored'> {
  const accepting = statusesThatAccept(report.status);
  if (accepting.length === 0) return 'ignored';
  const values: Item = { ':status': report.status, ':at': report.occurredAt };
  accepting.forEach((s, i) => (values[`:from${i}`] = s));
  const sets = ['#status = :status', 'statusAt = :at'];
  if (report.statusReason) {
    sets.push('statusReason = :reason');
    values[':reason'] = report.statusReason;
  }
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')} ${LEAVE_QUEUED}${report.statusReason ? '' : ', statusReason'}`,
        ConditionExpression: `attribute_exists(pk) AND #status IN (${accepting.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
    return 'applied';
  } catch (error) {
    if (isConditionFailure(error)) return 'ignored';
    throw error;
  }
}

/** One page of messages still queued since before `before`, in one shard of the queued index. */
export async function queuedBefore(db: Db, table: string, shard: string, before: string, startAfter?: Item) {
  const page = await db.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :shard AND gsi1sk < :before',
      ExpressionAttributeValues: { ':shard': shard, ':before': before },
      ExclusiveStartKey: startAfter,
    }),
  );
  return { keys: (page.Items ?? []).map((item) => ({ pk: item.pk as string, sk: item.sk as string })), lastKey: page.LastEvaluatedKey };
}

/** Records the outcome of copying one file; only a file still pending changes (a re-run changes nothing). */
export async function setMediaState(db: Db, table: string, key: Key, index: number, mediaId: string, outcome: { status: 'stored'; size: number } | { status: 'failed'; reason: StatusReason }): Promise<boolean> {
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: outcome.status === 'stored' ? `SET media[${index}].#status = :status, media[${index}].size = :detail` : `SET media[${index}].#status = :status, media[${index}].reason = :detail`,
        ConditionExpression: `media[${index}].id = :id AND media[${index}].#status = :pending`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': outcome.status, ':detail': outcome.status === 'stored' ? outcome.size : outcome.reason, ':id': mediaId, ':pending': 'pending' },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Send later. A scheduled message leaves `scheduled` once: for `queued` when its current revision fires (it joins
 * the queued index the sweeper reads), or for `canceled`. Every change is conditional on `scheduled` and on the
 * revision the caller read, so a fire racing an edit, a cancel or a second fire changes nothing.
 */
export async function claimScheduled(db: Db, table: string, key: Key, seen: { revision: number; id: string; createdAt: string }, change: { body: string; segments: number; at: string }): Promise<boolean> {
  const queued = keys.queuedMessage(seen.id, seen.createdAt);
  return conditionally(db, {
    TableName: table,
    Key: key,
    UpdateExpression: 'SET #status = :queued, statusAt = :at, body = :body, #segments = :segments, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk',
    ConditionExpression: `#status = :scheduled AND ${revisionIs}`,
    ExpressionAttributeNames: { '#status': 'status', '#segments': 'segments' },
    ExpressionAttributeValues: { ':queued': 'queued', ':scheduled': 'scheduled', ':at': change.at, ':body': change.body, ':segments': change.segments, ':gsi1pk': queued.gsi1pk, ':gsi1sk': queued.gsi1sk, ':revision': seen.revision },
  });
}

/** A scheduled message ends `canceled` with its reason (only from `scheduled`; `revision` when the caller's read must still hold). */
export async function cancelScheduled(db: Db, table: string, key: Key, change: { reason: StatusReason; at: string; revision?: number | undefined }): Promise<boolean> {
  return conditionally(db, {
    TableName: table,
    Key: key,
    UpdateExpression: `SET #status = :canceled, statusReason = :reason, statusAt = :at ${LEAVE_QUEUED}`,
    ConditionExpression: `#status = :scheduled${change.revision === undefined ? '' : ` AND ${revisionIs}`}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':canceled': 'canceled', ':scheduled': 'scheduled', ':reason': change.reason, ':at': change.at, ...(change.revision === undefined ? {} : { ':revision': change.revision }) },
  });
}

/** An edit or a deferral: a new revision (its schedule made first), the new time and text, while still `scheduled`. */
export async function reviseScheduled(
  db: Db,
  table: string,
  key: Key,
  seen: { revision: number; sentBy: string; id: string },
  change: { scheduledFor: string; body?: string | undefined; segments?: number | undefined; dropTemplate?: boolean; expiresAt?: number | undefined },
): Promise<boolean> {
  const index = keys.scheduledMessage(seen.sentBy, change.scheduledFor, seen.id);
  const sets = ['scheduledFor = :at', 'revision = :next', 'gsi1sk = :gsi1sk'];
  const values: Item = { ':at': change.scheduledFor, ':next': seen.revision + 1, ':gsi1sk': index.gsi1sk, ':scheduled': 'scheduled', ':revision': seen.revision };
  if (change.body !== undefined) {
    sets.push('body = :body', '#segments = :segments');
    values[':body'] = change.body;
    values[':segments'] = change.segments;
  }
  if (change.expiresAt !== undefined) {
    sets.push('expiresAt = :expiresAt');
    values[':expiresAt'] = change.expiresAt;
  }
  return conditionally(db, {
    TableName: table,
    Key: key,
    UpdateExpression: `SET ${sets.join(', ')}${change.dropTemplate ? ' REMOVE templateId' : ''}`,
    ConditionExpression: `#status = :scheduled AND ${revisionIs}`,
    ExpressionAttributeNames: { '#status': 'status', ...(change.body !== undefined ? { '#segments': 'segments' } : {}) },
    ExpressionAttributeValues: values,
  });
}

/** Every scheduled message is stored with revision 0 (scheduling is new in this release: no older item lacks it). */
const revisionIs = 'revision = :revision';

/** A seller's scheduled messages, soonest first, a page at a time. */
export async function scheduledOf(db: Db, table: string, sellerId: string, options: { limit: number; startAfter?: Item | undefined }) {
  const page = await db.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.scheduledPartition(sellerId) },
      Limit: options.limit,
      ExclusiveStartKey: options.startAfter,
    }),
  );
  return { items: (page.Items ?? []) as Item[], lastKey: page.LastEvaluatedKey };
}

async function conditionally(db: Db, input: ConstructorParameters<typeof UpdateCommand>[0]): Promise<boolean> {
  try {
    await db.send(new UpdateCommand(input));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
