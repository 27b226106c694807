import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type Key } from '../keys';
import { queryAll, type Item, type TransactItem } from '../dynamo-helpers';
import type { DeliveryReport } from '../../domain/delivery-report';

/**
 * The provider-message pointer (`PMSG#provider#id`: provider id → our message) and the delivery reports
 * waiting under it for a send to record that id. The only module that writes either.
 */

/** Inbound: the pointer's existence de-duplicates a provider delivering the same message twice. */
export function inboundPointerItem(table: string, provider: string, providerMessageId: string, conversationId: string, messageKey: Key, expiresAt?: number): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: { ...keys.providerMessage(provider, providerMessageId), kind: 'providerMessage', conversationId, messageKey, direction: 'inbound', ...(expiresAt ? { expiresAt } : {}) },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** Outbound: written with the `sent` status, in one transaction. */
export function outboundPointerItem(table: string, provider: string, providerMessageId: string, messageKey: Key, expiresAt?: number): TransactItem {
  return { Put: { TableName: table, Item: { ...keys.providerMessage(provider, providerMessageId), kind: 'providerMessage', messageKey, direction: 'outbound', ...(expiresAt ? { expiresAt } : {}) } } };
}

/** A merge moved the message: its pointer follows. */
export function repointItem(table: string, provider: string, providerMessageId: string, conversationId: string, messageKey: Key): TransactItem {
  return {
    Update: {
      TableName: table,
      Key: keys.providerMessage(provider, providerMessageId),
      UpdateExpression: 'SET conversationId = :c, messageKey = :k',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeValues: { ':c': conversationId, ':k': messageKey },
    },
  };
}

/**
 * What erasure leaves in a pointer's place: the provider's id (in the key) and nothing of the customer, so a
 * provider's re-delivery or a replayed callback of an erased message is recognised and never stored again.
 */
export function erasedPointerInPlaceOf(key: Item): Item | undefined {
  const pointer = keys.providerMessage('', '');
  if (key.sk !== pointer.sk || !String(key.pk).startsWith('PMSG#')) return undefined;
  return { kind: 'providerMessage', erased: true };
}

/** The message a provider id names; `erased` when erasure left its tombstone (reports for it are dropped). */
export async function messageKeyOf(db: Db, table: string, provider: string, providerMessageId: string): Promise<Key | 'erased' | undefined> {
  const pointer = (await db.send(new GetCommand({ TableName: table, Key: keys.providerMessage(provider, providerMessageId), ConsistentRead: true }))).Item;
  if (pointer?.erased) return 'erased';
  return pointer?.messageKey as Key | undefined;
}

/** A report that beat the send: kept, with a check in the same transaction that the id is still unknown. */
export function pendingReportItems(table: string, report: DeliveryReport, reportId: string, expiresAt: number): TransactItem[] {
  const pointerKey = keys.providerMessage(report.provider, report.providerMessageId);
  return [
    { ConditionCheck: { TableName: table, Key: pointerKey, ConditionExpression: 'attribute_not_exists(pk)' } },
    { Put: { TableName: table, Item: { ...keys.pendingReport(report.provider, report.providerMessageId, reportId), kind: 'pendingReport', report, expiresAt } } },
  ];
}

/** The reports waiting for a provider id, oldest first. */
export async function pendingReports(db: Db, table: string, provider: string, providerMessageId: string): Promise<{ key: Key; report: DeliveryReport }[]> {
  const items: Item[] = await queryAll(db, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.providerMessage(provider, providerMessageId).pk, ':prefix': keys.pendingReportPrefix },
    ConsistentRead: true,
  });
  return items
    .map((item) => ({ key: { pk: item.pk as string, sk: item.sk as string }, report: item.report as DeliveryReport }))
    .sort((a, b) => a.report.occurredAt.localeCompare(b.report.occurredAt));
}

export async function deletePendingReport(db: Db, table: string, key: Key): Promise<void> {
  await db.send(new DeleteCommand({ TableName: table, Key: key }));
}
