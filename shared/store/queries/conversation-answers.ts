import type { Db } from '../../aws';
import { keys } from '../keys';
import { batchGetAll } from '../dynamo-helpers';
import { toPublicConversation, type ConversationState, type ReaderState } from '../items/conversation';
import { conversationFor } from '../../domain/messages';
import { meansOptedOut } from '../items/opt-out';
import type { Viewer } from '../../domain/visibility';

/**
 * What a conversation answer adds for its caller: their read mark, and whether the customer opted
 * out of the business number. One BatchGetItem for a whole page (marks and opt-outs together).
 */
export async function readerStates(db: Db, table: string, sellerId: string, conversations: readonly ConversationState[]): Promise<ReaderState[]> {
  if (conversations.length === 0) return [];
  const markKeys = conversations.map((c) => keys.readMark(c.id, sellerId));
  const optOutKeys = [...new Map(conversations.map((c) => [`${c.customerNumber} ${c.businessNumber}`, keys.optOut(c.customerNumber, c.businessNumber)])).values()];
  const found = new Map((await batchGetAll(db, table, [...new Map([...markKeys, ...optOutKeys].map((k) => [`${k.pk} ${k.sk}`, k])).values()])).map((item) => [`${item.pk as string} ${item.sk as string}`, item]));
  return conversations.map((c) => {
    const markKey = keys.readMark(c.id, sellerId);
    const optOutKey = keys.optOut(c.customerNumber, c.businessNumber);
    const mark = found.get(`${markKey.pk} ${markKey.sk}`);
    return {
      ...(mark ? { mark: { readCount: mark.readCount as number, lastReadAt: mark.lastReadAt as string } } : {}),
      optedOut: meansOptedOut(found.get(`${optOutKey.pk} ${optOutKey.sk}`)),
    };
  });
}

/** Conversations as the caller sees them: their read state, the consent, and the text only if they may read it. */
export async function answerConversations(db: Db, table: string, viewer: Viewer, states: readonly ConversationState[]) {
  const readers = await readerStates(db, table, viewer.sellerId, states);
  return states.map((state, i) => conversationFor(viewer, toPublicConversation(state, readers[i]!)));
}
