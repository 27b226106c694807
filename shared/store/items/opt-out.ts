import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import type { TransactItem } from '../dynamo-helpers';

/** A customer's opt-out of one business number (`PHONE#customer`, `OPTOUT#business`): the only module that writes it. */
export function optOutItem(table: string, customer: string, business: string, at: string, messageId: string): TransactItem {
  return { Put: { TableName: table, Item: { ...keys.optOut(customer, business), kind: 'optOut', customerNumber: customer, businessNumber: business, optedOutAt: at, messageId } } };
}

export function optInItem(table: string, customer: string, business: string): TransactItem {
  return { Delete: { TableName: table, Key: keys.optOut(customer, business) } };
}

export async function isOptedOut(db: Db, table: string, customer: string, business: string): Promise<boolean> {
  return (await db.send(new GetCommand({ TableName: table, Key: keys.optOut(customer, business), ConsistentRead: true }))).Item !== undefined;
}
