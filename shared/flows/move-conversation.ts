import type { Deps } from '../deps';
import { cancellationCodes } from '../store/dynamo-helpers';
import { advanceConversation, ConversationStore, conversationKey, finishMergeItems, moveConversationItems, type ConversationState, type TransactItem } from '../store/items/conversation';
import { messagesOf, movedMessageItems } from '../store/items/message';
import { repointItem } from '../store/items/provider-message';
import type { CrmRecord } from '../domain/records';
import { HttpError } from '../domain/errors';
import { retryOnConflict, RETRY, writeTransaction } from '../store/transact';
import { newId } from '../domain/clock';
import type { Key } from '../store/keys';
import { displayText } from '../domain/media';

const MESSAGES_PER_TRANSACTION = 30;

/**
 * Moves a conversation to another record. Messages live under the conversation, so an ordinary
 * move is one transaction over the conversation and its head item: it happens whole or not at all.
 * When the target already holds a conversation with this customer on this number, the two merge:
 * the source is marked, its messages move across in batches (each batch atomic, every step safe to
 * repeat), and the source is removed last; a crash half-way is finished by the next request.
 */
export async function moveConversation(deps: Deps, source: ConversationState, target: CrmRecord, by: string): Promise<ConversationState> {
  if (source.record.type === target.type && source.record.id === target.id) return source;
  const conversations = new ConversationStore(deps.db, deps.table);
  if (source.senderId) throw new HttpError('Conflict', 'a conversation with a sender id that is not a phone number has no record to move from');
  const targetKey = conversationKey({ ...source, record: { type: target.type, id: target.id } });
  return retryOnConflict({ name: 'Move', exhausted: () => new HttpError('Conflict', 'the conversation kept changing while being moved; retry'), maxAttempts: 5 }, async () => {
    const current = await reload(conversations, source);
    const existingTarget = await conversations.at(targetKey);
    if (existingTarget) return mergeInto(deps, current, existingTarget.state, by);

    const moved: ConversationState = { ...current.state, record: { type: target.type, id: target.id }, recordName: target.name || target.id, recordOwnerId: target.ownerId, recordOwningTeamId: target.owningTeamId };
    try {
      const at = deps.clock.now();
      const event = { id: newId(at), kind: 'moved' as const, at: at.toISOString(), by, detail: { from: current.state.record, to: moved.record } };
      await writeTransaction(deps.db, moveConversationItems(deps.table, current, moved, event));
      return moved;
    } catch (error) {
      // A message arrived, or the target conversation appeared, meanwhile: look again.
      if (!cancellationCodes(error)) throw error;
      return RETRY;
    }
  });
}

async function reload(conversations: ConversationStore, conversation: ConversationState): Promise<{ state: ConversationState; messageCount: number }> {
  const current = await conversations.at(conversationKey(conversation));
  if (!current) throw new HttpError('Conflict', 'the conversation changed while being moved; retry');
  return current;
}

async function mergeInto(deps: Deps, source: { state: ConversationState; messageCount: number }, target: ConversationState, by: string): Promise<ConversationState> {
  const conversations = new ConversationStore(deps.db, deps.table);
  const targetKey = conversationKey(target);
  await conversations.markMerging(source.state, target.id);
  const exhausted = () => new HttpError('Conflict', 'the target conversation kept changing while being merged into; retry');
  let more = true;
  while (more) more = await retryOnConflict({ name: 'MergeBatch', exhausted, maxAttempts: 5 }, () => mergeBatch(deps, source.state, targetKey));
  // Last: the source goes, and its id resolves to the merged conversation.
  const at = deps.clock.now();
  await writeTransaction(deps.db, finishMergeItems(deps.table, source.state, target, { id: newId(at), kind: 'merged', at: at.toISOString(), by, detail: { fromConversationId: source.state.id } }, source.state.record));
  return (await conversations.at(targetKey))!.state;
}

/**
 * Moves the source's oldest messages into the target in one transaction; false once none is left.
 * The target is read afresh each time: a message reaching it meanwhile cancels the batch (nothing of
 * it is written) and the retry builds it again over the newer target.
 */
async function mergeBatch(deps: Deps, source: ConversationState, targetKey: Key): Promise<boolean | typeof RETRY> {
  const { db, table } = deps;
  const [{ items: messages }, current] = await Promise.all([
    messagesOf(db, table, source.id, { limit: MESSAGES_PER_TRANSACTION, consistent: true, oldestFirst: true }),
    new ConversationStore(db, table).at(targetKey),
  ]);
  if (!current) throw new HttpError('Conflict', 'the target conversation changed while being merged into; retry');
  if (messages.length === 0) return false;
  const target = current.state;
  const items: TransactItem[] = [];
  let latest = '';
  let latestBody = '';
  let latestExpiry: number | undefined;
  let inbound = 0;
  let latestInbound = '';
  for (const message of messages) {
    if (message.direction === 'inbound') {
      inbound++;
      if ((message.createdAt as string) > latestInbound) latestInbound = message.createdAt as string;
    }
    const moved = movedMessageItems(table, message, target, deps.clock.now().toISOString());
    items.push(...moved.items);
    if (message.providerMessageId && message.provider) items.push(repointItem(table, message.provider as string, message.providerMessageId as string, target.id, moved.movedKey));
    if ((message.createdAt as string) > latest) {
      latest = message.createdAt as string;
      latestBody = displayText(message.body as string, message.media as { contentType: string }[] | undefined);
      latestExpiry = message.expiresAt as number | undefined;
    }
  }
  items.push(advanceConversation(table, target, { createdAt: latest, body: latestBody, expiresAt: latestExpiry }, messages.length, { count: inbound, latestAt: latestInbound }));
  try {
    await writeTransaction(db, items);
    return true;
  } catch (error) {
    if (!cancellationCodes(error)) throw error;
    return RETRY;
  }
}
