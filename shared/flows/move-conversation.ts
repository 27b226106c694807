import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../deps';
import { keys } from '../store/keys';
import { cancellationCodes, type Item } from '../store/dynamo-helpers';
import { advanceConversation, conversationItem, conversationKey, toConversationState, type ConversationState, type TransactItem } from '../store/items/conversation';
import type { CrmRecord } from '../domain/records';
import { HttpError } from '../domain/errors';
import { retryOnConflict, RETRY } from '../store/transact';
import { preview } from '../domain/messages';

const MESSAGES_PER_TRANSACTION = 30;

/**
 * Moves a conversation to another record. Messages live under the conversation, so an ordinary
 * move is one transaction over the conversation and its head item: it happens whole or not at all.
 * When the target already holds a conversation with this customer on this number, the two merge:
 * the source is marked, its messages move across in batches (each batch atomic, every step safe to
 * repeat), and the source is removed last; a crash half-way is finished by the next request.
 */
export async function moveConversation(deps: Deps, source: ConversationState, target: CrmRecord): Promise<ConversationState> {
  if (source.record.type === target.type && source.record.id === target.id) return source;
  const targetKey = conversationKey({ ...source, record: { type: target.type, id: target.id } });
  return retryOnConflict({ name: 'Move', exhausted: () => new HttpError('Conflict', 'the conversation kept changing while being moved; retry'), maxAttempts: 5 }, async () => {
    const current = await reload(deps, source);
    const existingTarget = (await deps.db.send(new GetCommand({ TableName: deps.table, Key: targetKey, ConsistentRead: true }))).Item;
    if (existingTarget) return mergeInto(deps, current, toConversationState(existingTarget));

    const moved: ConversationState = { ...current.state, record: { type: target.type, id: target.id }, recordOwnerId: target.ownerId, recordOwningTeamId: target.owningTeamId };
    try {
      await deps.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: deps.table, Key: conversationKey(current.state), ConditionExpression: 'id = :id AND messageCount = :count', ExpressionAttributeValues: { ':id': current.state.id, ':count': current.messageCount } } },
            { Put: { TableName: deps.table, Item: conversationItem(moved, current.messageCount), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Update: { TableName: deps.table, Key: keys.conversationHead(current.state.id), UpdateExpression: 'SET conversationKey = :key', ExpressionAttributeValues: { ':key': targetKey } } },
          ],
        }),
      );
      return moved;
    } catch (error) {
      // A message arrived, or the target conversation appeared, meanwhile: look again.
      if (!cancellationCodes(error)) throw error;
      return RETRY;
    }
  });
}

async function reload(deps: Deps, conversation: ConversationState): Promise<{ state: ConversationState; messageCount: number }> {
  const item = (await deps.db.send(new GetCommand({ TableName: deps.table, Key: conversationKey(conversation), ConsistentRead: true }))).Item;
  if (!item) throw new HttpError('Conflict', 'the conversation changed while being moved; retry');
  return { state: toConversationState(item), messageCount: (item.messageCount as number) ?? 0 };
}

async function mergeInto(deps: Deps, source: { state: ConversationState; messageCount: number }, target: ConversationState): Promise<ConversationState> {
  const { db, table } = deps;
  await db.send(new UpdateCommand({ TableName: table, Key: conversationKey(source.state), UpdateExpression: 'SET mergingInto = :target', ExpressionAttributeValues: { ':target': target.id } }));
  for (;;) {
    const batch = await db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': keys.conversationHead(source.state.id).pk, ':prefix': keys.messagePrefix },
        Limit: MESSAGES_PER_TRANSACTION,
        ConsistentRead: true,
      }),
    );
    const messages = (batch.Items ?? []) as Item[];
    if (messages.length === 0) break;
    const items: TransactItem[] = [];
    let latest = '';
    let latestBody = '';
    for (const message of messages) {
      const movedKey = keys.message(target.id, message.createdAt as string, message.id as string);
      items.push(
        { Put: { TableName: table, Item: { ...message, ...movedKey, conversationId: target.id, record: target.record } } },
        { Delete: { TableName: table, Key: { pk: message.pk, sk: message.sk } } },
      );
      if (message.providerMessageId && message.provider) {
        items.push({
          Update: {
            TableName: table,
            Key: keys.providerMessage(message.provider as string, message.providerMessageId as string),
            UpdateExpression: 'SET conversationId = :c, messageKey = :k',
            ConditionExpression: 'attribute_exists(pk)',
            ExpressionAttributeValues: { ':c': target.id, ':k': movedKey },
          },
        });
      }
      if ((message.createdAt as string) > latest) {
        latest = message.createdAt as string;
        latestBody = message.body as string;
      }
    }
    items.push(advanceConversation(table, target, { createdAt: latest, body: latestBody }, messages.length));
    await db.send(new TransactWriteCommand({ TransactItems: items }));
    if (latest > target.lastMessageAt) target = { ...target, lastMessageAt: latest, lastMessagePreview: preview(latestBody) };
  }
  // Last: the source goes, and its id resolves to the merged conversation.
  await db.send(
    new TransactWriteCommand({
      TransactItems: [
        { Delete: { TableName: table, Key: conversationKey(source.state) } },
        { Update: { TableName: table, Key: keys.conversationHead(source.state.id), UpdateExpression: 'SET conversationKey = :key, mergedInto = :target', ExpressionAttributeValues: { ':key': conversationKey(target), ':target': target.id } } },
      ],
    }),
  );
  const merged = (await db.send(new GetCommand({ TableName: table, Key: conversationKey(target), ConsistentRead: true }))).Item;
  return toConversationState(merged!);
}
