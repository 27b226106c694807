/**
 * The live channel's frames (contract, "Live updates"): hints that something changed, never data. They
 * carry ids and kinds only; the console fetches what changed through the API, which enforces visibility.
 */
export type ConversationChange = 'message' | 'status' | 'read' | 'moved' | 'assigned' | 'consent' | 'erased';

export type LiveFrame = { type: 'conversation'; conversationId: string; change: ConversationChange } | { type: 'notification'; unread: number };

/** API Gateway closes a WebSocket connection after two hours (and an idle one after ten minutes). */
export const LIVE_CONNECTION_MAX_SECONDS = 2 * 60 * 60;

/**
 * A console tab's id (`?tab=` when it connects, `X-Live-Tab` with its API calls): the frames a tab's own reading
 * causes are not sent back to it. A random UUID in the console; any 8 to 64 letters, digits, `-` and `_`.
 */
export const LIVE_TAB_HEADER = 'x-live-tab';
export const isLiveTab = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9_-]{8,64}$/.test(value);

/** A team this size is posted to in rounds of this many connections at once: bounded work per change. */
export const LIVE_POST_CONCURRENCY = 25;

type Fields = Record<string, unknown>;

/** Sets (e.g. `mergedFromIds`) serialize as their sorted members. */
const setsAsLists = (_key: string, value: unknown) => (value instanceof Set ? [...(value as Set<unknown>)].sort() : value);
/** Compares stored values. */
const same = (a: unknown, b: unknown) => JSON.stringify(a, setsAsLists) === JSON.stringify(b, setsAsLists);

/**
 * What a change of a conversation item means to someone looking at it, or undefined when nothing they
 * see changed (e.g. a merge's bookkeeping). `before` is absent for an item just written: a new
 * conversation (its first message) or one that moved to this key (it carries `movedAt`).
 */
export function conversationChange(before: Fields | undefined, after: Fields): ConversationChange | undefined {
  if (!before) return after.movedAt ? 'moved' : 'message';
  if (!same(before.movedAt, after.movedAt) || !same(before.mergedFromIds, after.mergedFromIds) || before.recordName !== after.recordName) return 'moved';
  if (!same(before.assignedTo, after.assignedTo) || before.assigneeName !== after.assigneeName || before.recordOwnerId !== after.recordOwnerId || before.recordOwningTeamId !== after.recordOwningTeamId) return 'assigned';
  if (before.lastMessageAt !== after.lastMessageAt || before.messageCount !== after.messageCount || before.inboundCount !== after.inboundCount) return 'message';
  if (before.likelyOptOut !== after.likelyOptOut) return 'consent';
  return undefined;
}

/** A message's change the thread shows: its status, or its files being copied. */
export function messageChange(before: Fields | undefined, after: Fields): ConversationChange | undefined {
  if (!before) return undefined;
  if (before.status !== after.status || !same(before.statusReason, after.statusReason)) return 'status';
  if (!same(before.media, after.media)) return 'status';
  // Send later: an edit (time or text) or a deferral of a scheduled message.
  if (before.scheduledFor !== after.scheduledFor || before.body !== after.body) return 'status';
  return undefined;
}

/** The frame as sent: small JSON, one per connection. */
export function encodeFrame(frame: LiveFrame): string {
  return JSON.stringify(frame);
}

/** Open live connections a seller may have at once (tabs and devices); the next one is refused until one closes or expires. */
export const MAX_LIVE_CONNECTIONS_PER_SELLER = 10;
