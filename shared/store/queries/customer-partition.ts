import type { Db } from '../../aws';
import { keys } from '../keys';
import { queryAll } from '../dynamo-helpers';
import { toConversationState, type ConversationState } from '../items/conversation';
import type { PhoneIndexEntry } from '../items/record';
import { meansOptedOut } from '../items/opt-out';

/** Everything routing needs about a customer number, in one Query of its partition. */
export async function readCustomerPartition(db: Db, table: string, customer: string): Promise<{ records: PhoneIndexEntry[]; conversations: (ConversationState & { key: string })[]; optedOutOf: Set<string> }> {
  const items = await queryAll(db, { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.phonePartition(customer) }, ConsistentRead: true });
  const records: PhoneIndexEntry[] = [];
  const conversations: (ConversationState & { key: string })[] = [];
  const optedOutOf = new Set<string>();
  for (const item of items) {
    const sk = item.sk as string;
    if (sk.startsWith(keys.phoneRecordPrefix)) records.push(item as unknown as PhoneIndexEntry);
    else if (sk.startsWith(keys.conversationPrefix)) conversations.push({ ...toConversationState(item), key: sk });
    else if (sk.startsWith(keys.optOutPrefix) && meansOptedOut(item)) optedOutOf.add(sk.slice(keys.optOutPrefix.length));
  }
  return { records, conversations, optedOutOf };
}
