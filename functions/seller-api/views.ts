import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod';
import { ok, parseWith, type RouteHandler } from '../../shared/http/api-handler';
import type { Deps } from '../../shared/deps';
import { pageQuerySchema, type CursorCodec } from '../../shared/http/cursor';
import type { Caller } from '../../shared/http/auth';
import { DirectoryStore } from '../../shared/store/items/directory';
import { RecordStore } from '../../shared/store/items/record';
import { ConversationStore, toConversationState, toPublicConversation, toPublicMessage } from '../../shared/store/items/conversation';
import { keys } from '../../shared/store/keys';
import { isConditionFailure, type Item } from '../../shared/store/dynamo-helpers';
import { canReadRecord, canSeeConversation, viewerFrom, type Viewer } from '../../shared/domain/visibility';
import { idSchema, phoneFields, recordTypeSchema } from '../../shared/domain/records';
import { notFound } from '../../shared/domain/errors';
import { mergedPage, type IndexSource } from '../../shared/store/queries/merged-index';
import { conversationFor, messageFor } from '../../shared/domain/messages';

const conversationsQuerySchema = pageQuerySchema.extend({ phoneField: z.enum(phoneFields).optional() });
const notificationsQuerySchema = pageQuerySchema.extend({ unread: z.enum(['true', 'false']).optional() });

/** The seller's views. Every route decides visibility with canSeeConversation; not visible = 404. */
export function viewRoutes(deps: Deps, cursors: CursorCodec): Record<string, RouteHandler> {
  const directory = new DirectoryStore(deps.db, deps.table);
  const records = new RecordStore(deps.db, deps.table);
  const conversations = new ConversationStore(deps.db, deps.table);

  const viewerOf = async (caller: Caller): Promise<Viewer> => viewerFrom(caller, await directory.getSeller(caller.sellerId));

  const visibleConversation = async (caller: Caller, id: string) => {
    const [conversation, viewer] = await Promise.all([conversations.get(id), viewerOf(caller)]);
    if (!conversation || !canSeeConversation(viewer, conversation)) throw notFound('conversation');
    return { conversation, viewer };
  };

  /** Reads a record's conversations (gsi1, newest first), keeping the visible ones, until a page is full. */
  const recordConversations = async (viewer: Viewer, type: z.infer<typeof recordTypeSchema>, id: string, limit: number, start: Item | undefined, customerNumber?: string) => {
    const found: Item[] = [];
    let next = start;
    do {
      const out = await deps.db.send(
        new QueryCommand({
          TableName: deps.table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :pk',
          ExpressionAttributeValues: { ':pk': keys.conversationsOfRecord(type, id) },
          ScanIndexForward: false,
          Limit: limit,
          ExclusiveStartKey: next,
        }),
      );
      for (const item of out.Items ?? []) {
        if (found.length === limit) break;
        const conversation = toConversationState(item);
        if (canSeeConversation(viewer, conversation) && (!customerNumber || conversation.customerNumber === customerNumber)) found.push(item);
        next = { pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk };
      }
      if (!out.LastEvaluatedKey) next = undefined;
    } while (found.length < limit && next);
    return { items: found.map((item) => conversationFor(viewer, toPublicConversation(toConversationState(item)))), lastKey: found.length === limit ? next : undefined };
  };

  return {
    'GET /me/conversations': async ({ caller, query }) => {
      const page = parseWith(pageQuerySchema, query, 'query');
      const viewer = await viewerOf(caller);
      const scope = `me/conversations:${caller.sellerId}:${caller.isAdmin}`;
      const before = await cursors.decode<string>(page.cursor, scope);
      const sources: IndexSource[] = viewer.isAdmin
        ? keys.allConversationsShards().map((partition) => ({ index: 'gsi5' as const, partition }))
        : [
            { index: 'gsi2', partition: keys.conversationsOfAssignee({ type: 'seller', id: viewer.sellerId }) },
            { index: 'gsi3', partition: keys.conversationsOfOwnerSeller(viewer.sellerId) },
            ...viewer.teamIds.flatMap((teamId): IndexSource[] => [
              { index: 'gsi2', partition: keys.conversationsOfAssignee({ type: 'team', id: teamId }) },
              { index: 'gsi4', partition: keys.conversationsOfOwnerTeam(teamId) },
            ]),
          ];
      const { items, last } = await mergedPage(deps.db, deps.table, sources, page.limit, before);
      return ok({
        // The index partitions hold what the rule allows; the rule itself still has the last word.
        items: items
          .map(toConversationState)
          .filter((conversation) => canSeeConversation(viewer, conversation))
          .map((conversation) => conversationFor(viewer, toPublicConversation(conversation))),
        ...(last ? { nextCursor: await cursors.encode(last, scope) } : {}),
      });
    },

    'GET /records/{type}/{id}/conversations': async ({ caller, params, query }) => {
      const type = parseWith(recordTypeSchema, params.type, 'type');
      const id = parseWith(idSchema, params.id, 'id');
      const page = parseWith(conversationsQuerySchema, query, 'query');
      const [record, viewer] = await Promise.all([records.get(type, id), viewerOf(caller)]);
      if (!record) throw notFound('record');
      const readable = canReadRecord(viewer, record);
      // Filtering by a field of a record the caller may not read would reveal that field's number.
      if (!readable && page.phoneField) throw notFound('record');
      const customerNumber = page.phoneField ? record[page.phoneField] : undefined;
      const scope = `records/${type}/${id}/conversations:${caller.sellerId}:${page.phoneField ?? ''}`;
      const start = await cursors.decode<Item>(page.cursor, scope);
      if (page.phoneField && !customerNumber) return ok({ items: [] });
      const { items, lastKey } = await recordConversations(viewer, type, id, page.limit, start, customerNumber);
      // A record the caller can neither read nor see a conversation of looks exactly like a missing one.
      if (!readable && !start && items.length === 0) throw notFound('record');
      return ok({ items, ...(lastKey ? { nextCursor: await cursors.encode(lastKey, scope) } : {}) });
    },

    'GET /records/contact/{id}/related': async ({ caller, params }) => {
      const id = parseWith(idSchema, params.id, 'id');
      const [contact, viewer] = await Promise.all([records.get('contact', id), viewerOf(caller)]);
      if (!contact) throw notFound('contact');
      if (!canReadRecord(viewer, contact) && (await recordConversations(viewer, 'contact', id, 1, undefined)).items.length === 0) throw notFound('contact');
      const opportunities = await records.opportunitiesOfContact(id);
      const items = [];
      for (const opportunity of opportunities.sort((a, b) => b.modifiedAt.localeCompare(a.modifiedAt))) {
        const { items: visible } = await recordConversations(viewer, 'opportunity', opportunity.id, 100, undefined);
        if (canReadRecord(viewer, opportunity)) items.push({ record: opportunity, conversations: visible });
        // Seen only through a conversation: the reference, never the record's fields.
        else if (visible.length > 0) items.push({ record: { type: opportunity.type, id: opportunity.id }, conversations: visible });
      }
      return ok({ items });
    },

    'GET /conversations/{id}': async ({ caller, params }) => {
      const { conversation, viewer } = await visibleConversation(caller, params.id ?? '');
      return ok(conversationFor(viewer, toPublicConversation(conversation)));
    },

    'GET /conversations/{id}/messages': async ({ caller, params, query }) => {
      const page = parseWith(pageQuerySchema, query, 'query');
      const { conversation, viewer } = await visibleConversation(caller, params.id ?? '');
      const scope = `conversations/${conversation.id}/messages`;
      const start = await cursors.decode<Item>(page.cursor, scope);
      const { items, lastKey } = await conversations.messages(conversation.id, { limit: page.limit, startAfter: start });
      return ok({ items: items.map((item) => messageFor(viewer, toPublicMessage(item))), ...(lastKey ? { nextCursor: await cursors.encode(lastKey, scope) } : {}) });
    },

    'GET /me/notifications': async ({ caller, query }) => {
      const page = parseWith(notificationsQuerySchema, query, 'query');
      const unread = page.unread === 'true';
      const scope = `me/notifications:${caller.sellerId}:${unread}`;
      const start = await cursors.decode<Item>(page.cursor, scope);
      const out = await deps.db.send(
        new QueryCommand({
          TableName: deps.table,
          ...(unread
            ? { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.unreadPartition(caller.sellerId) } }
            : {
                KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
                ExpressionAttributeValues: { ':pk': keys.seller(caller.sellerId).pk, ':prefix': keys.notificationPrefix },
              }),
          ScanIndexForward: false,
          Limit: page.limit,
          ExclusiveStartKey: start,
        }),
      );
      return ok({
        items: (out.Items ?? []).map(toPublicNotification),
        ...(out.LastEvaluatedKey ? { nextCursor: await cursors.encode(out.LastEvaluatedKey, scope) } : {}),
      });
    },

    'POST /me/notifications/{id}/read': async ({ caller, params }) => {
      const id = params.id ?? '';
      if (!/^[0-9A-Z]{26}$/.test(id)) throw notFound('notification');
      try {
        const out = await deps.db.send(
          new UpdateCommand({
            TableName: deps.table,
            Key: keys.notification(caller.sellerId, id),
            UpdateExpression: 'SET #read = :true, readAt = if_not_exists(readAt, :at) REMOVE gsi1pk, gsi1sk',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#read': 'read' },
            ExpressionAttributeValues: { ':true': true, ':at': deps.clock.now().toISOString() },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return ok(toPublicNotification(out.Attributes as Item));
      } catch (error) {
        // Another seller's notification is simply not under this caller's key: 404.
        if (isConditionFailure(error)) throw notFound('notification');
        throw error;
      }
    },
  };
}

function toPublicNotification(item: Item) {
  return {
    id: item.id as string,
    kind: item.notificationKind as string,
    ...(item.conversationId ? { conversationId: item.conversationId as string } : {}),
    ...(item.messageId ? { messageId: item.messageId as string } : {}),
    createdAt: item.createdAt as string,
    read: item.read === true,
  };
}
