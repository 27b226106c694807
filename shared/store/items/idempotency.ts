import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type Key } from '../keys';
import type { TransactItem } from '../dynamo-helpers';

/** A send's Idempotency-Key (kept 24 hours), written in the transaction that stores the queued message. */
export function idempotencyItem(table: string, sellerId: string, idempotencyKey: string, messageKey: Key, requestHash: string, now: Date): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: { ...keys.idempotency(sellerId, idempotencyKey), kind: 'idempotency', messageKey, requestHash, expiresAt: Math.floor(now.getTime() / 1000) + 86_400 },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

export async function getIdempotency(db: Db, table: string, sellerId: string, idempotencyKey: string): Promise<{ messageKey: Key; requestHash: string } | undefined> {
  const item = (await db.send(new GetCommand({ TableName: table, Key: keys.idempotency(sellerId, idempotencyKey), ConsistentRead: true }))).Item;
  return item ? { messageKey: item.messageKey as Key, requestHash: item.requestHash as string } : undefined;
}
