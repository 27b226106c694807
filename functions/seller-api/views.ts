import * as z from 'zod/mini';
import { ok, parseWith, type ApiResult, type RouteHandler } from '../../shared/http/api-handler';
import type { Deps } from '../../shared/deps';
import { pageQuerySchema, type CursorCodec } from '../../shared/http/cursor';
import type { Caller } from '../../shared/http/auth';
import { DirectoryStore } from '../../shared/store/items/directory';
import { RecordStore } from '../../shared/store/items/record';
import { ConversationStore, toConversationState, toPublicConversation, type ConversationState } from '../../shared/store/items/conversation';
import { scheduledOf, toPublicMessage } from '../../shared/store/items/message';
import { notificationsPage, readAllNotifications, readConversationNotifications, readOneNotification, unreadNotificationTotal, type FeedCursor } from '../../shared/store/queries/notifications';
import { notificationFor } from '../../shared/domain/notifications';
import { markConversationRead } from '../../shared/store/items/read-state';
import { timelineOf } from '../../shared/store/items/timeline';
import { answerConversations } from '../../shared/store/queries/conversation-answers';
import { unreadPage, unreadTotals } from '../../shared/store/queries/unread-conversations';
import { keys } from '../../shared/store/keys';
import type { Item } from '../../shared/store/dynamo-helpers';
import { canReadRecord, canSeeConversation, viewerFrom, type Viewer } from '../../shared/domain/visibility';
import { idSchema, phoneFields, recordTypeSchema } from '../../shared/domain/records';
import { notFound } from '../../shared/domain/errors';
import { mergedPage, type IndexSource } from '../../shared/store/queries/merged-index';
import { conversationFor, messageFor } from '../../shared/domain/messages';
import { isExpired } from '../../shared/domain/retention';
import { timeOfId } from '../../shared/domain/clock';
import { HttpError } from '../../shared/domain/errors';
import { MEDIA_DOWNLOAD_HEADERS, servedContentType, type StoredMediaItem } from '../../shared/domain/media';
import type { MediaStore } from '../../shared/media/store';
import { getMessage } from '../../shared/store/items/message';
import { isLiveTab, LIVE_TAB_HEADER } from '../../shared/domain/live';
import { responseReport, responseReportQuerySchema } from '../../shared/flows/response-report';

const conversationsQuerySchema = z.extend(pageQuerySchema, { phoneField: z.optional(z.enum(phoneFields)) });
const unreadQuerySchema = z.extend(pageQuerySchema, { unread: z.optional(z.enum(['true', 'false'])) });

/** The seller's views. Every route decides visibility with canSeeConversation; not visible = 404. */
export function viewRoutes(deps: Deps, cursors: CursorCodec, media: () => MediaStore): Record<string, RouteHandler> {
  const directory = new DirectoryStore(deps.db, deps.table);
  const records = new RecordStore(deps.db, deps.table);
  const conversations = new ConversationStore(deps.db, deps.table, deps.clock);

  const viewerOf = async (caller: Caller): Promise<Viewer> => viewerFrom(caller, await directory.getSeller(caller.sellerId));

  /** Conversation answers carry the caller's unread count and read time, and the customer's consent. */
  const answer = (viewer: Viewer, states: readonly ConversationState[]) => answerConversations(deps.db, deps.table, viewer, states);

  const visibleConversation = async (caller: Caller, id: string) => {
    const [conversation, viewer] = await Promise.all([conversations.get(id), viewerOf(caller)]);
    if (!conversation || !canSeeConversation(viewer, conversation)) throw notFound('conversation');
    return { conversation, viewer };
  };

  /** Reads a record's conversations (gsi1, newest first), keeping the visible ones, until a page is full. */
  const recordConversations = async (viewer: Viewer, type: z.infer<typeof recordTypeSchema>, id: string, limit: number, start: Item | undefined, customerNumber?: string) => {
    const found: ConversationState[] = [];
    let next = start;
    do {
      const page = await conversations.pageOfRecord(type, id, limit, next);
      for (const { state, position } of page.items) {
        if (found.length === limit) break;
        if (canSeeConversation(viewer, state) && (!customerNumber || state.customerNumber === customerNumber)) found.push(state);
        next = position;
      }
      if (!page.lastKey) next = undefined;
    } while (found.length < limit && next);
    return { items: await answer(viewer, found), lastKey: found.length === limit ? next : undefined };
  };

  return {
    'GET /me/conversations': async ({ caller, query }) => {
      const page = parseWith(unreadQuerySchema, query, 'query');
      const viewer = await viewerOf(caller);
      const unread = page.unread === 'true';
      const scope = `me/conversations:${caller.sellerId}:${caller.isAdmin}:${unread}`;
      const before = await cursors.decode<string>(page.cursor, scope);
      if (unread) {
        const { items, last } = await unreadPage(deps.db, deps.table, viewer, page.limit, before, deps.clock);
        return ok({ items: items.map(({ state, reader }) => conversationFor(viewer, toPublicConversation(state, reader))), ...(last ? { nextCursor: await cursors.encode(last, scope) } : {}) });
      }
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
      // The index partitions hold what the rule allows; the rule itself still has the last word.
      const now = deps.clock.now();
      const visible = items.filter((item) => !isExpired(item, now)).map(toConversationState).filter((conversation) => canSeeConversation(viewer, conversation));
      return ok({ items: await answer(viewer, visible), ...(last ? { nextCursor: await cursors.encode(last, scope) } : {}) });
    },

    'GET /me/unread': async ({ caller }) => {
      const viewer = await viewerOf(caller);
      const [totals, notifications] = await Promise.all([unreadTotals(deps.db, deps.table, viewer, deps.clock), unreadNotificationTotal(deps.db, deps.table, viewer)]);
      return ok({ ...totals, notifications });
    },

    'POST /conversations/{id}/read': async ({ caller, params, headers }) => {
      const tab = liveTabOf(headers);
      const { conversation, viewer } = await visibleConversation(caller, params.id ?? '');
      const at = deps.clock.now().toISOString();
      await markConversationRead(deps.db, deps.table, caller.sellerId, conversation.id, conversation.inboundCount, at, tab);
      await readConversationNotifications(deps.db, deps.table, viewer, conversation.id, at, tab);
      return ok((await answer(viewer, [conversation]))[0]);
    },

    'GET /conversations/{id}/events': async ({ caller, params, query }) => {
      const page = parseWith(pageQuerySchema, query, 'query');
      const { conversation } = await visibleConversation(caller, params.id ?? '');
      const scope = `conversations/${conversation.id}/events`;
      const after = await cursors.decode<number>(page.cursor, scope);
      // A timeline holds a handful of entries: read whole, paged here.
      const events = await timelineOf(deps.db, deps.table, conversation);
      const start = after ?? 0;
      const items = events.slice(start, start + page.limit);
      return ok({ items, ...(start + page.limit < events.length ? { nextCursor: await cursors.encode(start + page.limit, scope) } : {}) });
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
      return ok((await answer(viewer, [conversation]))[0]);
    },

    'GET /conversations/{id}/messages': async ({ caller, params, query }) => {
      const page = parseWith(pageQuerySchema, query, 'query');
      const { conversation, viewer } = await visibleConversation(caller, params.id ?? '');
      const scope = `conversations/${conversation.id}/messages`;
      const start = await cursors.decode<Item>(page.cursor, scope);
      const { items, lastKey } = await conversations.messages(conversation.id, { limit: page.limit, startAfter: start });
      return ok({ items: items.map((item) => messageFor(viewer, toPublicMessage(item))), ...(lastKey ? { nextCursor: await cursors.encode(lastKey, scope) } : {}) });
    },

    'GET /conversations/{id}/messages/{messageId}/media/{mediaId}': async ({ caller, params }): Promise<ApiResult> => {
      const { conversation, viewer } = await visibleConversation(caller, params.id ?? '');
      // A file is the message's content: whoever may not read the body does not learn it exists.
      if (!viewer.readsBodies) throw notFound('media');
      const createdAt = timeOfId(params.messageId ?? '');
      const message = createdAt && (await getMessage(deps.db, deps.table, keys.message(conversation.id, createdAt.toISOString(), params.messageId ?? '')));
      if (!message || isExpired(message, deps.clock.now())) throw notFound('message');
      const file = ((message.media ?? []) as StoredMediaItem[]).find((m) => m.id === params.mediaId);
      if (!file) throw notFound('media');
      if (file.status !== 'stored') throw new HttpError('NotFound', `the file is ${file.status === 'pending' ? 'not copied yet' : 'not available: its copy failed'}`);
      const store = media();
      const url = await store.downloadUrl(file.storageKey, file.contentType);
      if (url) return { status: 302, headers: { location: url, 'cache-control': 'no-store' } };
      const stored = await store.get(file.storageKey);
      if (!stored) throw notFound('media');
      return { status: 200, body: stored.bytes, headers: { 'content-type': servedContentType(file.contentType), 'cache-control': 'private, no-store', ...MEDIA_DOWNLOAD_HEADERS } };
    },

    /** Team inboxes: response times per seller or team (admins: all; a seller: their own row and their teams'). */
    'GET /reports/response-times': async ({ caller, query }) => ok(await responseReport(deps, caller, parseWith(responseReportQuerySchema, query, 'query'))),

    /** Send later: the caller's scheduled messages, soonest first, in conversations they still see. */
    'GET /me/scheduled': async ({ caller, query }) => {
      const page = parseWith(pageQuerySchema, query, 'query');
      const scope = `me/scheduled:${caller.sellerId}`;
      const after = await cursors.decode<Item>(page.cursor, scope);
      const viewer = await viewerOf(caller);
      const { items, lastKey } = await scheduledOf(deps.db, deps.table, caller.sellerId, { limit: page.limit, startAfter: after });
      const seen = await conversations.getMany([...new Set(items.map((m) => m.conversationId as string))]);
      const shown = items.filter((m) => {
        const conversation = seen.get(m.conversationId as string);
        return conversation !== undefined && canSeeConversation(viewer, conversation);
      });
      return ok({ items: shown.map((m) => messageFor(viewer, toPublicMessage(m))), ...(lastKey ? { nextCursor: await cursors.encode(lastKey, scope) } : {}) });
    },
    'GET /me/notifications': async ({ caller, query }) => {
      const page = parseWith(unreadQuerySchema, query, 'query');
      const unread = page.unread === 'true';
      const scope = `me/notifications:${caller.sellerId}:${unread}`;
      const cursor = await cursors.decode<FeedCursor>(page.cursor, scope);
      const viewer = await viewerOf(caller);
      const { items, cursor: next } = await notificationsPage(deps.db, deps.table, viewer, { unread, limit: page.limit, cursor, now: deps.clock.now() });
      // What a notification quotes is decided now: the reader's role and the conversation's visibility today.
      const quoting = items.filter((n) => n.preview !== undefined || n.customerNumber !== undefined);
      const conversationsNow = viewer.readsBodies ? await conversations.getMany([...new Set(quoting.flatMap((n) => (n.conversationId ? [n.conversationId] : [])))]) : new Map();
      const shown = items.map((n) => {
        const conversation = n.conversationId ? conversationsNow.get(n.conversationId) : undefined;
        return notificationFor(viewer, n, conversation !== undefined && canSeeConversation(viewer, conversation));
      });
      return ok({ items: shown, ...(next ? { nextCursor: await cursors.encode(next, scope) } : {}) });
    },

    'POST /me/notifications/read-all': async ({ caller, headers }) => {
      const tab = liveTabOf(headers);
      return ok({ updated: await readAllNotifications(deps.db, deps.table, await viewerOf(caller), deps.clock.now().toISOString(), tab) });
    },

    'POST /me/notifications/{id}/read': async ({ caller, params, headers }) => {
      const tab = liveTabOf(headers);
      const id = params.id ?? '';
      if (!/^[0-9A-Z]{26}$/.test(id)) throw notFound('notification');
      // Another seller's notification is simply not under this caller's key, nor in a feed of their teams: 404.
      const notification = await readOneNotification(deps.db, deps.table, await viewerOf(caller), id, deps.clock.now().toISOString(), tab);
      if (!notification) throw notFound('notification');
      return ok(notification);
    },
  };
}

/** The console tab that asks (`X-Live-Tab`): its own reading is not echoed to it over the live channel. */
function liveTabOf(headers: Record<string, string>): string | undefined {
  const tab = headers[LIVE_TAB_HEADER];
  if (tab === undefined) return undefined;
  if (!isLiveTab(tab)) throw new HttpError('ValidationError', 'X-Live-Tab must be 8 to 64 letters, digits, "-" or "_"');
  return tab;
}
