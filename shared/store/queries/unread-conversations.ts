import type { Db } from '../../aws';
import { ConversationStore, type ConversationState, type ReaderState } from '../items/conversation';
import { unreadPointers } from '../items/read-state';
import { readerStates } from './conversation-answers';
import { canSeeConversation, type Viewer } from '../../domain/visibility';
import { unreadCount } from '../../domain/read-state';
import type { Clock } from '../../domain/clock';

export interface UnreadConversation {
  state: ConversationState;
  reader: ReaderState;
}

/**
 * The caller's unread conversations, latest inbound first, read from their unread pointers (one Query)
 * and checked against the conversations themselves (heads, items, marks: three BatchGetItem rounds).
 * A pointer whose conversation is read, gone or no longer visible is skipped, so the answer is exact
 * and its cost depends on the unread conversations, not on how many the seller can see.
 */
export async function unreadPage(db: Db, table: string, viewer: Viewer, limit: number, before?: string, clock?: Clock): Promise<{ items: UnreadConversation[]; last?: string }> {
  const conversations = new ConversationStore(db, table, clock);
  const found: UnreadConversation[] = [];
  const seen = new Set<string>();
  let position = before;
  for (;;) {
    const page = await unreadPointers(db, table, viewer.sellerId, limit + 1, position, viewer.teamIds);
    const states = await conversations.getMany(page.items.map((p) => p.conversationId));
    const candidates = [...new Set(page.items.map((p) => states.get(p.conversationId)).filter((s): s is ConversationState => s !== undefined))];
    const readers = new Map((await readerStates(db, table, viewer.sellerId, candidates)).map((reader, i) => [candidates[i]!.id, reader]));
    for (const pointer of page.items) {
      if (found.length === limit) return { items: found, last: position! };
      position = pointer.order;
      const state = states.get(pointer.conversationId);
      const reader = state && readers.get(state.id);
      if (!state || !reader || seen.has(state.id) || !canSeeConversation(viewer, state) || unreadCount(state.inboundCount, reader.mark) === 0) continue;
      seen.add(state.id);
      found.push({ state, reader });
    }
    if (!page.more) return { items: found };
  }
}

/** `GET /me/unread`: unread conversations and the unread inbound messages in them. */
export async function unreadTotals(db: Db, table: string, viewer: Viewer, clock?: Clock): Promise<{ conversations: number; messages: number }> {
  let conversations = 0;
  let messages = 0;
  let position: string | undefined;
  do {
    const page = await unreadPage(db, table, viewer, 100, position, clock);
    conversations += page.items.length;
    for (const { state, reader } of page.items) messages += unreadCount(state.inboundCount, reader.mark);
    position = page.last;
  } while (position);
  return { conversations, messages };
}
