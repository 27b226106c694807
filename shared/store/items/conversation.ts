import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type Key, type Principal, type RecordType } from '../keys';
import { messageKey, messagesOf, putMessageItem, type MessageState } from './message';
import { batchGetAll, isConditionFailure, queryAll, type Item, type TransactItem } from '../dynamo-helpers';
import { preview, type Conversation } from '../../domain/messages';
import { unreadCount, type ReadMark } from '../../domain/read-state';
import { isExpired } from '../../domain/retention';
import { displayText } from '../../domain/media';
import type { Clock } from '../../domain/clock';
import { conversationEventItem, type NewConversationEvent } from './timeline';

export type { TransactItem };

/** What a sender-id conversation is keyed on instead of a record: no record has an empty id (ids are 1 to 200 characters). */
export const SENDER_ID_RECORD = { type: 'lead', id: '' } as const;

export function isSenderIdRecord(record: { type: string; id: string } | undefined): boolean {
  return record !== undefined && record.id === SENDER_ID_RECORD.id;
}

/** A conversation with the denormalized record ownership the visibility indexes need. */
export interface ConversationState extends Omit<Conversation, 'unreadCount' | 'lastReadAt' | 'optedOut' | 'replyable' | 'record' | 'recordName'> {
  /**
   * The record it is on. A sender id that is not a phone number (`AMAZON`, `72345`) gets no record: its
   * conversations carry SENDER_ID_RECORD, a reference no record can have, and answers leave it out.
   */
  record: { type: RecordType; id: string };
  recordName: string;
  /** The customer is a sender id, not a phone number: nothing can be sent to it. */
  senderId?: true;
  recordOwnerId?: string | undefined;
  recordOwningTeamId?: string | undefined;
  /** Inbound messages stored so far: read marks hold the count a seller has seen. */
  inboundCount: number;
  lastInboundAt?: string | undefined;
  /** With a retention period: when its last message expires, and with it the conversation. */
  expiresAt?: number | undefined;
  /** The customer is waiting: the first inbound message since the last seller's reply (cleared by one). */
  waitingSince?: string | undefined;
  /** A seller has replied at least once (the next response is a reply time, not a first response). */
  responded?: true;
  /** When a seller last replied (the after-hours reply is not sent in a closed period a seller has spoken in). */
  lastReplyAt?: string | undefined;
  /** The closed period (its start) whose after-hours reply this conversation got or no longer needs. */
  afterHoursPeriod?: string | undefined;
}

/** What the caller's own state adds to a conversation answer. */
export interface ReaderState {
  mark?: ReadMark | undefined;
  optedOut: boolean;
}

/** A new conversation between a customer and a business number, on a record, opened by its first message. */
export function newConversation(input: { id: string; record: { type: RecordType; id: string; name?: string | undefined; ownerId?: string | undefined; owningTeamId?: string | undefined }; customerNumber: string; businessNumber: string; assignedTo: Principal; assigneeName: string | undefined; firstMessage: { createdAt: string; body: string } }): ConversationState {
  return {
    id: input.id,
    record: { type: input.record.type, id: input.record.id },
    recordName: input.record.name || input.record.id,
    assigneeName: input.assigneeName || input.assignedTo.id,
    customerNumber: input.customerNumber,
    businessNumber: input.businessNumber,
    assignedTo: input.assignedTo,
    lastMessageAt: input.firstMessage.createdAt,
    lastMessagePreview: preview(input.firstMessage.body),
    recordOwnerId: input.record.ownerId,
    recordOwningTeamId: input.record.owningTeamId,
    inboundCount: 0,
  };
}

export function conversationKey(c: Pick<ConversationState, 'customerNumber' | 'businessNumber' | 'record'>) {
  return keys.conversation(c.customerNumber, c.businessNumber, c.record.type, c.record.id);
}

export function conversationItem(c: ConversationState, messageCount: number): Item {
  return {
    ...conversationKey(c),
    ...keys.conversationIndexes(c),
    kind: 'conversation',
    ...c,
    messageCount,
  };
}

export function toConversationState(item: Item): ConversationState {
  return {
    id: item.id as string,
    record: item.record as ConversationState['record'],
    // Conversations stored before names were kept show the ids until their next change.
    recordName: (item.recordName as string | undefined) ?? (item.record as ConversationState['record']).id,
    customerNumber: item.customerNumber as string,
    businessNumber: item.businessNumber as string,
    assignedTo: item.assignedTo as Principal,
    assigneeName: (item.assigneeName as string | undefined) ?? (item.assignedTo as Principal).id,
    lastMessageAt: item.lastMessageAt as string,
    lastMessagePreview: (item.lastMessagePreview as string) ?? '',
    ...(item.recordOwnerId ? { recordOwnerId: item.recordOwnerId as string } : {}),
    ...(item.recordOwningTeamId ? { recordOwningTeamId: item.recordOwningTeamId as string } : {}),
    inboundCount: (item.inboundCount as number | undefined) ?? 0,
    ...(item.lastInboundAt ? { lastInboundAt: item.lastInboundAt as string } : {}),
    ...(typeof item.expiresAt === 'number' ? { expiresAt: item.expiresAt } : {}),
    ...(item.likelyOptOut === true ? { likelyOptOut: true as const } : {}),
    ...(item.senderId === true ? { senderId: true as const } : {}),
    ...(typeof item.waitingSince === 'string' ? { waitingSince: item.waitingSince } : {}),
    ...(item.responded === true ? { responded: true as const } : {}),
    ...(typeof item.lastReplyAt === 'string' ? { lastReplyAt: item.lastReplyAt } : {}),
    ...(typeof item.afterHoursPeriod === 'string' ? { afterHoursPeriod: item.afterHoursPeriod } : {}),
  };
}

/** The contract's conversation, with the caller's unread count and read time and the customer's consent. */
export function toPublicConversation(c: ConversationState, reader: ReaderState): Conversation {
  return {
    id: c.id,
    ...(c.senderId ? {} : { record: c.record, recordName: c.recordName }),
    customerNumber: c.customerNumber,
    businessNumber: c.businessNumber,
    assignedTo: c.assignedTo,
    assigneeName: c.assigneeName,
    lastMessageAt: c.lastMessageAt,
    lastMessagePreview: c.lastMessagePreview,
    unreadCount: unreadCount(c.inboundCount, reader.mark),
    ...(reader.mark ? { lastReadAt: reader.mark.lastReadAt } : {}),
    optedOut: reader.optedOut,
    ...(c.likelyOptOut ? { likelyOptOut: true as const } : {}),
    replyable: !c.senderId,
  };
}

/**
 * Transaction items that add a message to a conversation: the conversation is created (with its
 * head item) when `existing` is undefined, else its last-message fields move forward. A conversation
 * that moved or appeared meanwhile cancels the transaction, and the caller re-reads and retries.
 */
export function appendMessageItems(table: string, existing: ConversationState | undefined, next: ConversationState, message: MessageState): TransactItem[] {
  const items: TransactItem[] = [putMessageItem(table, message)];
  const inbound = message.direction === 'inbound';
  const reply = isSellerReply(message);
  if (!existing) {
    const created: ConversationState = {
      ...next,
      inboundCount: inbound ? 1 : 0,
      ...(inbound ? { lastInboundAt: message.createdAt, waitingSince: message.createdAt } : {}),
      ...(reply ? { responded: true as const, lastReplyAt: message.createdAt } : {}),
      ...(message.expiresAt ? { expiresAt: message.expiresAt } : {}),
    };
    items.push(
      { Put: { TableName: table, Item: conversationItem(created, 1), ConditionExpression: 'attribute_not_exists(pk)' } },
      // The head also records the conversation's creation: the timeline's `created` entry, with the routing decision.
      {
        Put: {
          TableName: table,
          Item: {
            ...keys.conversationHead(next.id),
            kind: 'conversationHead',
            conversationKey: conversationKey(next),
            customerNumber: next.customerNumber,
            createdAt: message.createdAt,
            record: next.record,
            ...(message.routing ? { routing: message.routing } : {}),
            ...(message.sentBy ? { createdBy: message.sentBy } : {}),
          },
        },
      },
    );
    return items;
  }
  items.push(
    advanceConversation(
      table,
      existing,
      { createdAt: message.createdAt, body: displayText(message.body, message.media), expiresAt: message.expiresAt },
      1,
      inbound ? { count: 1, latestAt: message.createdAt, likelyOptOut: next.likelyOptOut === true } : undefined,
      { reply, ...(next.afterHoursPeriod !== existing.afterHoursPeriod ? { afterHoursPeriod: next.afterHoursPeriod } : {}) },
    ),
  );
  return items;
}

/** A message a seller wrote and sent (not an automated one): it answers a waiting customer and stops the response clock. */
export function isSellerReply(message: Pick<MessageState, 'direction' | 'sentBy' | 'automated'>): boolean {
  return message.direction === 'outbound' && typeof message.sentBy === 'string' && message.automated === undefined;
}

/**
 * A scheduled message joins its conversation (created with it when missing) without moving the conversation: it
 * has not been sent. With cancelOnReply its key is remembered on the conversation (`scheduledOnReply`), so the
 * inbound message that cancels it needs no read and no write beyond the one it makes anyway (it clears the set).
 */
export function scheduleMessageItems(table: string, existing: ConversationState | undefined, conversation: ConversationState, message: MessageState, cancelOnReply: boolean): TransactItem[] {
  const remembered = cancelOnReply ? { scheduledOnReply: new Set([messageKey(message).sk]) } : {};
  if (!existing) {
    const items = appendMessageItems(table, undefined, conversation, message);
    const created = items[1] as { Put: { Item: Item } };
    Object.assign(created.Put.Item, remembered);
    return items;
  }
  return [
    putMessageItem(table, message),
    {
      Update: {
        TableName: table,
        Key: conversationKey(existing),
        UpdateExpression: `ADD messageCount :one${cancelOnReply ? ', scheduledOnReply :sk' : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND id = :id',
        ExpressionAttributeValues: { ':one': 1, ':id': existing.id, ...(cancelOnReply ? { ':sk': remembered.scheduledOnReply } : {}) },
      },
    },
  ];
}

/** A sent scheduled message moves its conversation forward as a send does (the notifier's frame and My SMS order follow). */
export async function advanceForSent(db: Db, table: string, clock: Clock, conversationId: string, latest: { createdAt: string; body: string; expiresAt?: number | undefined }): Promise<void> {
  const store = new ConversationStore(db, table, clock);
  for (let attempt = 0; attempt < 5; attempt++) {
    const conversation = await store.get(conversationId);
    if (!conversation || conversation.lastMessageAt >= latest.createdAt) return;
    try {
      await db.send(new UpdateCommand(advanceConversation(table, conversation, latest, 0).Update as ConstructorParameters<typeof UpdateCommand>[0]));
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}

/**
 * Adds `added` messages to a conversation; when `latest` is newer than its last message, the last-message
 * fields and every index sort key move forward with it (lists stay newest first). Cancels if the
 * conversation moved away meanwhile, a newer message moved it further, or its record changed owner.
 */
export function advanceConversation(
  table: string,
  conversation: ConversationState,
  latest: { createdAt: string; body: string; expiresAt?: number | undefined },
  added: number,
  inbound?: { count: number; latestAt: string; likelyOptOut?: boolean },
  effects: { reply?: boolean; afterHoursPeriod?: string | undefined } = {},
): TransactItem {
  const values: Item = { ':added': added, ':id': conversation.id };
  const sets: string[] = [];
  const removes: string[] = [];
  if (effects.afterHoursPeriod) {
    sets.push('afterHoursPeriod = :afterHours');
    values[':afterHours'] = effects.afterHoursPeriod;
  }
  if (effects.reply) {
    // The customer is answered: the response clock stops (the sender recorded the wait it ends).
    sets.push('responded = :responded', 'lastReplyAt = :replyAt');
    values[':responded'] = true;
    values[':replyAt'] = latest.createdAt;
    removes.push('waitingSince');
  }
  if (inbound?.likelyOptOut) {
    sets.push('likelyOptOut = :likely');
    values[':likely'] = true;
  }
  const adds = ['messageCount :added'];
  const conditions = ['attribute_exists(pk)', 'id = :id'];
  if (inbound && inbound.count > 0) {
    adds.push('inboundCount :inbound');
    values[':inbound'] = inbound.count;
    // The latest inbound time orders the unread list; a merged older batch never moves it back.
    if (!conversation.lastInboundAt || inbound.latestAt > conversation.lastInboundAt) {
      sets.push('lastInboundAt = :inboundAt');
      values[':inboundAt'] = inbound.latestAt;
    }
    // The first message since the last reply starts the customer's wait; later ones leave it.
    sets.push('waitingSince = if_not_exists(waitingSince, :waitingFrom)');
    values[':waitingFrom'] = inbound.latestAt;
  }
  if (latest.createdAt >= conversation.lastMessageAt) {
    // Moving forward only: a message that read an older position and lost the race to a newer one
    // is cancelled, and its retry reads the newer position and leaves it.
    const indexes = keys.conversationIndexes({ ...conversation, lastMessageAt: latest.createdAt });
    sets.push('lastMessageAt = :at', 'lastMessagePreview = :preview');
    values[':at'] = latest.createdAt;
    values[':preview'] = preview(latest.body);
    // The conversation lives as long as its newest message.
    if (latest.expiresAt) {
      sets.push('expiresAt = :expiresAt');
      values[':expiresAt'] = latest.expiresAt;
    }
    for (const name of ['gsi1sk', 'gsi2sk', 'gsi3sk', 'gsi4sk', 'gsi5sk'] as const) {
      if (indexes[name]) {
        sets.push(`${name} = :${name}`);
        values[`:${name}`] = indexes[name];
      }
    }
    // The owner indexes this read saw must still be the item's: an owner written meanwhile
    // (RecordStore.setOwner) cancels the write, and the retry moves the new owner's position too.
    conditions.push(
      'lastMessageAt <= :at',
      conversation.recordOwnerId ? 'recordOwnerId = :ownerSeen' : 'attribute_not_exists(recordOwnerId)',
      conversation.recordOwningTeamId ? 'recordOwningTeamId = :teamSeen' : 'attribute_not_exists(recordOwningTeamId)',
    );
    if (conversation.recordOwnerId) values[':ownerSeen'] = conversation.recordOwnerId;
    if (conversation.recordOwningTeamId) values[':teamSeen'] = conversation.recordOwningTeamId;
  }
  // An inbound message clears the scheduled messages it cancels (the notifier cancels them from this change).
  if (inbound && inbound.count > 0) removes.push('scheduledOnReply');
  const clears = removes.length ? ` REMOVE ${removes.join(', ')}` : '';
  return {
    Update: {
      TableName: table,
      Key: conversationKey(conversation),
      UpdateExpression: `${sets.length ? `SET ${sets.join(', ')} ` : ''}ADD ${adds.join(', ')}${clears}`,
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeValues: values,
    },
  };
}

/**
 * Migration: a conversation stored before names were kept gets its record's and assignee's names, unless it moved
 * or was handed off meanwhile (that write named it). True when it changed.
 */
export async function nameOlderConversation(db: Db, table: string, item: Item, names: { recordName: string; assigneeName: string }): Promise<boolean> {
  if (item.kind !== 'conversation' || (item.recordName !== undefined && item.assigneeName !== undefined)) return false;
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk as string, sk: item.sk as string },
        UpdateExpression: 'SET recordName = if_not_exists(recordName, :recordName), assigneeName = if_not_exists(assigneeName, :assigneeName)',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(recordName) OR attribute_not_exists(assigneeName)) AND #record = :record AND assignedTo = :assignee',
        ExpressionAttributeNames: { '#record': 'record' },
        ExpressionAttributeValues: { ':recordName': names.recordName, ':assigneeName': names.assigneeName, ':record': item.record, ':assignee': item.assignedTo },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Migration: a round 1 conversation has no `inboundCount` (read state did not exist): its inbound messages are counted,
 * so unread counts and the unread list know them; skipped when a message arrived meanwhile (the count would be stale).
 * True when it changed.
 */
export async function countOlderConversationInbound(db: Db, table: string, item: Item): Promise<boolean> {
  if (item.kind !== 'conversation' || item.inboundCount !== undefined) return false;
  let inbound = 0;
  let latest: string | undefined;
  let startAfter: Item | undefined;
  do {
    const page = await messagesOf(db, table, item.id as string, { limit: 200, startAfter, consistent: true, oldestFirst: true });
    for (const message of page.items) {
      if (message.direction !== 'inbound') continue;
      inbound++;
      latest = message.createdAt as string;
    }
    startAfter = page.lastKey;
  } while (startAfter);
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk as string, sk: item.sk as string },
        UpdateExpression: `SET inboundCount = :inbound${latest ? ', lastInboundAt = :latest' : ''}`,
        ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(inboundCount)${item.messageCount === undefined ? '' : ' AND messageCount = :counted'}`,
        ExpressionAttributeValues: { ':inbound': inbound, ...(latest ? { ':latest': latest } : {}), ...(item.messageCount === undefined ? {} : { ':counted': item.messageCount }) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export class ConversationStore {
  /** With a clock, reads treat conversations and messages past their retention (`expiresAt`) as gone: TTL deletes lazily. */
  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly clock?: Clock,
  ) {}

  private live = (item: Item | undefined): item is Item => item !== undefined && !(this.clock && isExpired(item, this.clock.now()));

  /** Conversation by id: the head item gives its current key. */
  async get(conversationId: string): Promise<ConversationState | undefined> {
    // A move commits the new item and the head together: a head read just before it names a key that is gone
    // a moment later. Reading the head again (consistently) finds where the conversation went.
    let previousKey: string | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const head = (await this.db.send(new GetCommand({ TableName: this.table, Key: keys.conversationHead(conversationId), ...(attempt > 0 ? { ConsistentRead: true } : {}) }))).Item;
      if (!head) return undefined;
      const key = JSON.stringify(head.conversationKey);
      if (key === previousKey) return undefined;
      previousKey = key;
      const item = (await this.db.send(new GetCommand({ TableName: this.table, Key: head.conversationKey as Item, ConsistentRead: true }))).Item;
      if (item) return this.live(item) ? toConversationState(item) : undefined;
    }
    return undefined;
  }

  /** Where a conversation's item is now (its head's key), or undefined once it is erased or expired. */
  async currentKey(conversationId: string): Promise<Key | undefined> {
    const head = (await this.db.send(new GetCommand({ TableName: this.table, Key: keys.conversationHead(conversationId) }))).Item;
    return head?.conversationKey as Key | undefined;
  }

  /** Conversations by id (a merged one resolves to the survivor), in two BatchGetItem rounds: heads, then items. */
  async getMany(conversationIds: readonly string[]): Promise<Map<string, ConversationState>> {
    const heads = await batchGetAll(this.db, this.table, [...new Set(conversationIds)].map((id) => keys.conversationHead(id)));
    const items = await batchGetAll(this.db, this.table, [...new Map(heads.map((h) => [JSON.stringify(h.conversationKey), h.conversationKey as Item])).values()]);
    const byKey = new Map(items.filter(this.live).map((item) => [`${item.pk as string} ${item.sk as string}`, toConversationState(item)]));
    const found = new Map<string, ConversationState>();
    for (const head of heads) {
      const key = head.conversationKey as Key;
      const state = byKey.get(`${key.pk} ${key.sk}`);
      if (state) found.set((head.pk as string).slice('CONV#'.length), state);
    }
    return found;
  }

  async messages(conversationId: string, options: { limit: number; startAfter?: Item | undefined }) {
    const page = await messagesOf(this.db, this.table, conversationId, options);
    return { ...page, items: page.items.filter(this.live) };
  }

  /** The conversation stored at a natural key (customer, business number, record), with its message count. */
  async at(key: Key): Promise<{ state: ConversationState; messageCount: number } | undefined> {
    const item = (await this.db.send(new GetCommand({ TableName: this.table, Key: key, ConsistentRead: true }))).Item;
    return item ? { state: toConversationState(item), messageCount: (item.messageCount as number) ?? 0 } : undefined;
  }

  async clearLikelyOptOut(conversation: ConversationState): Promise<void> {
    const { Update } = clearLikelyOptOutItem(this.table, conversation) as { Update: ConstructorParameters<typeof UpdateCommand>[0] };
    await this.db.send(new UpdateCommand(Update));
  }

  /** Marks a conversation as merging into another, so a repeated request finishes the merge. */
  async markMerging(source: ConversationState, targetId: string): Promise<void> {
    await this.db.send(new UpdateCommand({ TableName: this.table, Key: conversationKey(source), UpdateExpression: 'SET mergingInto = :target', ExpressionAttributeValues: { ':target': targetId } }));
  }

  /** One page of a record's conversations (gsi1), newest first, with each item's index position for cursors. */
  async pageOfRecord(type: RecordType, id: string, limit: number, startAfter?: Item) {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.conversationsOfRecord(type, id) },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: startAfter,
      }),
    );
    const items = (out.Items ?? []).filter(this.live).map((item) => ({ state: toConversationState(item), position: { pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk } as Item }));
    return { items, lastKey: out.LastEvaluatedKey };
  }

  /** Every conversation held by a record (gsi1), newest first. */
  async ofRecord(type: RecordType, id: string): Promise<ConversationState[]> {
    const items = await queryAll(this.db, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.conversationsOfRecord(type, id) },
      ScanIndexForward: false,
    });
    return items.filter(this.live).map(toConversationState);
  }
}

/**
 * Moving a conversation to another record: its item moves to the new natural key (only if no message
 * arrived since it was read) and its head follows, in one transaction.
 */
export function moveConversationItems(table: string, current: { state: ConversationState; messageCount: number }, moved: ConversationState, event: NewConversationEvent): TransactItem[] {
  return [
    conversationEventItem(table, current.state.id, event, { record: moved.record, customerNumber: moved.customerNumber, businessNumber: moved.businessNumber }),
    { Delete: { TableName: table, Key: conversationKey(current.state), ConditionExpression: 'id = :id AND messageCount = :count', ExpressionAttributeValues: { ':id': current.state.id, ':count': current.messageCount } } },
    // `movedAt`: the stream's readers tell a moved conversation from a new one.
    { Put: { TableName: table, Item: { ...conversationItem(moved, current.messageCount), movedAt: event.at }, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Update: { TableName: table, Key: keys.conversationHead(current.state.id), UpdateExpression: 'SET conversationKey = :key', ExpressionAttributeValues: { ':key': conversationKey(moved) } } },
  ];
}

/** The end of a merge: the source goes, and its id resolves to the surviving conversation. */
export function finishMergeItems(table: string, source: ConversationState, target: ConversationState, event: NewConversationEvent, from: { type: RecordType; id: string }): TransactItem[] {
  return [
    conversationEventItem(table, target.id, event, { record: target.record, customerNumber: target.customerNumber, businessNumber: target.businessNumber }, { mergedFrom: from }),
    // The survivor remembers the ids merged into it: an erasure finds their heads and timelines through it.
    { Update: { TableName: table, Key: conversationKey(target), UpdateExpression: 'ADD mergedFromIds :ids', ExpressionAttributeValues: { ':ids': new Set([source.id]) } } },
    { Delete: { TableName: table, Key: conversationKey(source) } },
    { Update: { TableName: table, Key: keys.conversationHead(source.id), UpdateExpression: 'SET conversationKey = :key, mergedInto = :target', ExpressionAttributeValues: { ':key': conversationKey(target), ':target': target.id } } },
  ];
}

/** A hand-off: the conversation moves to the new assignee's list, only if nobody reassigned it meanwhile. */
export function assignItems(table: string, conversation: ConversationState, to: Principal, toName: string, by: string, at: string, eventId: string): TransactItem[] {
  return [conversationEventItem(table, conversation.id, { id: eventId, kind: 'assigned', at, by, detail: { from: conversation.assignedTo, to, fromName: conversation.assigneeName, toName } }, { record: conversation.record, customerNumber: conversation.customerNumber, businessNumber: conversation.businessNumber }), {
    Update: {
      TableName: table,
      Key: conversationKey(conversation),
      UpdateExpression: 'SET assignedTo = :to, assigneeName = :name, gsi2pk = :partition, assignedBy = :by, assignedAt = :at',
      ConditionExpression: 'id = :id AND assignedTo = :from',
      ExpressionAttributeValues: { ':to': to, ':name': toName, ':partition': keys.conversationsOfAssignee(to), ':by': by, ':at': at, ':id': conversation.id, ':from': conversation.assignedTo },
    },
  }];
}

/** A likely opt-out handled (the customer's choice recorded, or dismissed): the flag goes. */
export function clearLikelyOptOutItem(table: string, conversation: ConversationState): TransactItem {
  return { Update: { TableName: table, Key: conversationKey(conversation), UpdateExpression: 'REMOVE likelyOptOut', ConditionExpression: 'id = :id', ExpressionAttributeValues: { ':id': conversation.id } } };
}

/**
 * Migration: a conversation stored before team inboxes does not know whether its customer is waiting (`waitingSince`,
 * counted by auto-assignment's `maxOpen`) or whether a seller ever answered (`responded`: the next response is a reply
 * time). Both are read from its messages, oldest first; skipped when a message arrived meanwhile. True when it changed.
 */
export async function markOlderConversationWaiting(db: Db, table: string, item: Item): Promise<boolean> {
  if (item.kind !== 'conversation' || item.waitingSince !== undefined || item.responded !== undefined) return false;
  let waitingSince: string | undefined;
  let responded = false;
  let startAfter: Item | undefined;
  do {
    const page = await messagesOf(db, table, item.id as string, { limit: 200, startAfter, consistent: true, oldestFirst: true });
    for (const message of page.items) {
      if (message.direction === 'inbound') waitingSince ??= message.createdAt as string;
      else if (message.status !== 'scheduled' && message.status !== 'canceled' && isSellerReply(message as unknown as MessageState)) {
        responded = true;
        waitingSince = undefined;
      }
    }
    startAfter = page.lastKey;
  } while (startAfter);
  if (!waitingSince && !responded) return false;
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: { pk: item.pk as string, sk: item.sk as string },
        UpdateExpression: `SET ${[waitingSince ? 'waitingSince = :since' : '', responded ? 'responded = :responded' : ''].filter(Boolean).join(', ')}`,
        ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(waitingSince) AND attribute_not_exists(responded)${item.messageCount === undefined ? '' : ' AND messageCount = :counted'}`,
        ExpressionAttributeValues: { ...(waitingSince ? { ':since': waitingSince } : {}), ...(responded ? { ':responded': true } : {}), ...(item.messageCount === undefined ? {} : { ':counted': item.messageCount }) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
