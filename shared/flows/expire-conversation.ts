import type { Deps } from '../deps';
import { cancellationCodes, type Item } from '../store/dynamo-helpers';
import { keys } from '../store/keys';
import { deleteInTransactions, writeTransaction } from '../store/transact';
import { itemsAboutConversation, itemsOfConversation } from '../store/queries/customer-erasure';

/**
 * Retention: DynamoDB TTL removed a conversation whose newest message expired. What it leaves behind
 * goes too: its head (unless the conversation moved, and the head points elsewhere), timeline entries,
 * read marks and unread pointers. Messages and notifications expire by their own TTL. Safe to repeat.
 */
export async function forgetExpiredConversation(deps: Deps, conversation: Item): Promise<void> {
  const id = conversation.id as string;
  const head = keys.conversationHead(id);
  try {
    // The head goes only while it still names the expired item; alone, so its condition cancels nothing else.
    await writeTransaction(deps.db, [{ Delete: { TableName: deps.table, Key: head, ConditionExpression: 'conversationKey = :key', ExpressionAttributeValues: { ':key': { pk: conversation.pk, sk: conversation.sk } } } }]);
  } catch (error) {
    if (!cancellationCodes(error)) throw error;
  }
  const rest = (await itemsOfConversation(deps.db, deps.table, id, 1000)).filter((item) => item.kind !== 'message' && item.sk !== head.sk);
  const about = await itemsAboutConversation(deps.db, deps.table, id, 1000);
  await deleteInTransactions(deps.db, deps.table, [...rest, ...about]);
}
