import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { queryAll, type Item } from '../dynamo-helpers';

/** Everything stored under a customer number's partition (records' index entries, conversations, claim, consent). */
export async function itemsOfCustomer(db: Db, table: string, customer: string): Promise<Item[]> {
  return queryAll(db, { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.phonePartition(customer) }, ConsistentRead: true });
}

/** The next items of a conversation's partition: messages, head, timeline entries, read marks. */
export async function itemsOfConversation(db: Db, table: string, conversationId: string, limit: number): Promise<Item[]> {
  const out = await db.send(
    new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.conversationHead(conversationId).pk }, Limit: limit, ConsistentRead: true }),
  );
  return (out.Items ?? []) as Item[];
}

/** Items about a conversation kept in other partitions (notifications, unread pointers), through gsi2. */
export async function itemsAboutConversation(db: Db, table: string, conversationId: string, limit: number): Promise<Item[]> {
  const out = await db.send(
    new QueryCommand({
      TableName: table,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.aboutConversationPartition(conversationId) },
      ProjectionExpression: 'pk, sk',
      Limit: limit,
    }),
  );
  return (out.Items ?? []) as Item[];
}

/** A provider message id's pointer and any delivery reports kept for it. */
export async function providerMessageItems(db: Db, table: string, provider: string, providerMessageId: string): Promise<Item[]> {
  const items = await queryAll(db, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.providerMessage(provider, providerMessageId).pk },
    ProjectionExpression: 'pk, sk',
    ConsistentRead: true,
  });
  return items.map((item) => ({ pk: item.pk, sk: item.sk }));
}
