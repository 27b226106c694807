import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { queryAll, type TransactItem } from '../dynamo-helpers';
import type { ConsentRecord } from '../../domain/opt-out';

/**
 * A customer's opt-out of one business number (`PHONE#customer`, `OPTOUT#business`) and the history of
 * consent changes (`CONSENT#business#at#id`): the only module that writes either. Every change writes
 * both, in one transaction with whatever caused it.
 */
export function optOutItems(table: string, customer: string, business: string, change: ConsentRecord & { messageId?: string }, inConversation?: { conversationId: string; record: { type: string; id: string } }): TransactItem[] {
  const current: TransactItem =
    change.status === 'opted_out'
      ? { Put: { TableName: table, Item: { ...keys.optOut(customer, business), kind: 'optOut', customerNumber: customer, businessNumber: business, optedOutAt: change.at, ...(change.messageId ? { messageId: change.messageId } : {}) } } }
      : { Delete: { TableName: table, Key: keys.optOut(customer, business) } };
  const { messageId: _messageId, ...record } = change;
  return [current, { Put: { TableName: table, Item: { ...keys.consentChange(customer, business, change.at, change.id), kind: 'consentChange', customerNumber: customer, businessNumber: business, change: record, ...inConversation } } }];
}

export async function isOptedOut(db: Db, table: string, customer: string, business: string): Promise<boolean> {
  return (await db.send(new GetCommand({ TableName: table, Key: keys.optOut(customer, business), ConsistentRead: true }))).Item !== undefined;
}

/** Consent changes of a customer with one business number, oldest first. */
export async function consentHistory(db: Db, table: string, customer: string, business: string): Promise<ConsentRecord[]> {
  const items = await queryAll(db, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':prefix': keys.consentHistoryPrefix(business) },
  });
  return items.map((item) => item.change as ConsentRecord);
}

/** The current consent state per business number that ever had one: the latest change of each. */
export async function currentConsent(db: Db, table: string, customer: string): Promise<(ConsentRecord & { businessNumber: string })[]> {
  const items = await queryAll(db, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':prefix': 'CONSENT#' },
  });
  const latest = new Map<string, ConsentRecord & { businessNumber: string }>();
  // Sort keys order each business number's changes by time: the last one wins.
  for (const item of items) latest.set(item.businessNumber as string, { ...(item.change as ConsentRecord), businessNumber: item.businessNumber as string });
  return [...latest.values()].sort((a, b) => a.businessNumber.localeCompare(b.businessNumber));
}
