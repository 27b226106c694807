import type { Deps } from '../deps';
import type { Item, TransactItem } from '../store/dynamo-helpers';
import { keys } from '../store/keys';
import { writeTransaction } from '../store/transact';
import { itemsAboutConversation, itemsOfConversation } from '../store/queries/customer-erasure';

/**
 * Retention: DynamoDB TTL removed a conversation whose newest message expired. What it leaves behind
 * goes too: its head (unless the conversation moved, and the head points elsewhere), timeline entries,
 * read marks and unread pointers. Messages and notifications expire by their own TTL. Safe to repeat.
 */
export async function forgetExpiredConversation(deps: Deps, conversation: Item): Promise<void> {
  const id = conversation.id as string;
  const head = keys.conversationHead(id);
  const rest = (await itemsOfConversation(deps.db, deps.table, id, 1000)).filter((item) => item.kind !== 'message' && item.sk !== head.sk);
  const about = await itemsAboutConversation(deps.db, deps.table, id, 1000);
  const deletes: TransactItem[] = [
    // The head goes only while it still names the expired item.
    { Delete: { TableName: deps.table, Key: head, ConditionExpression: 'conversationKey = :key', ExpressionAttributeValues: { ':key': { pk: conversation.pk, sk: conversation.sk } } } },
    ...[...rest, ...about].map((item) => ({ Delete: { TableName: deps.table, Key: { pk: item.pk, sk: item.sk } } })),
  ];
  for (let i = 0; i < deletes.length; i += 90) {
    await writeTransaction(deps.db, deletes.slice(i, i + 90)).catch((error: unknown) => {
      // A moved conversation's head points to its new key: keep it (and this batch, which held only it).
      if ((error as { name?: string }).name !== 'TransactionCanceledException') throw error;
    });
  }
}
