import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { isConditionFailure, queryAll, type Item, type TransactItem } from '../dynamo-helpers';
import type { ConsentRecord } from '../../domain/opt-out';

/**
 * A customer's consent with one business number (`PHONE#customer`, `OPTOUT#business`: the current state) and the
 * history of consent changes (`CONSENT#business#at#id`): the only module that writes either. Every change writes
 * both, in one transaction with whatever caused it.
 *
 * The current state is decided by one write to one item, so what `GET /consent` shows, what a conversation's
 * `optedOut` says and what a send enforces are the same thing, whatever the order in which changes commit. An
 * opt-out always applies (a STOP is never lost to a race); an opt-in that was decided on what someone read
 * (`expectedVersion`, an admin's change) applies only if nothing changed since: a STOP in between wins.
 * Items written before states carried a `status` mean "opted out" (an opt-in used to delete the item).
 */
export function optOutItems(
  table: string,
  customer: string,
  business: string,
  change: ConsentRecord & { messageId?: string },
  inConversation?: { conversationId: string; record: { type: string; id: string } },
  expectedVersion?: number,
): TransactItem[] {
  const { messageId, ...record } = change;
  const optedOut = change.status === 'opted_out';
  const state: TransactItem = {
    Update: {
      TableName: table,
      Key: keys.optOut(customer, business),
      UpdateExpression: `SET kind = :kind, customerNumber = :customer, businessNumber = :business, #status = :status, version = if_not_exists(version, :zero) + :one, #change = :change${optedOut ? ', optedOutAt = :at' + (messageId ? ', messageId = :messageId' : '') : ''}${optedOut && !messageId ? ' REMOVE messageId' : optedOut ? '' : ' REMOVE optedOutAt, messageId'}`,
      ExpressionAttributeNames: { '#status': 'status', '#change': 'change' },
      ExpressionAttributeValues: {
        ':kind': 'optOut', ':customer': customer, ':business': business, ':status': change.status, ':zero': 0, ':one': 1, ':change': record,
        ...(optedOut ? { ':at': change.at, ...(messageId ? { ':messageId': messageId } : {}) } : {}),
        ...(expectedVersion ? { ':expected': expectedVersion } : {}),
      },
      ...(expectedVersion === undefined ? {} : { ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(version)' : 'version = :expected' }),
    },
  };
  return [state, { Put: { TableName: table, Item: { ...keys.consentChange(customer, business, change.at, change.id), kind: 'consentChange', customerNumber: customer, businessNumber: business, change: record, ...inConversation } } }];
}

/** Whether a stored state item means "opted out" (items of earlier releases carry no status: they were opt-outs). */
export function meansOptedOut(item: Item | undefined): boolean {
  return item !== undefined && item.status !== 'opted_in';
}

/** The current state of a customer with one business number, and its version (0 before any versioned change). */
export async function consentState(db: Db, table: string, customer: string, business: string): Promise<{ optedOut: boolean; version: number }> {
  const item = (await db.send(new GetCommand({ TableName: table, Key: keys.optOut(customer, business), ConsistentRead: true }))).Item;
  return { optedOut: meansOptedOut(item), version: (item?.version as number | undefined) ?? 0 };
}

export async function isOptedOut(db: Db, table: string, customer: string, business: string): Promise<boolean> {
  return (await consentState(db, table, customer, business)).optedOut;
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

/**
 * The current consent state per business number that ever had one: the state item's deciding change; for a number
 * whose state predates versioned states (or was opted in by deleting it, as earlier releases did), the latest change.
 */
export async function currentConsent(db: Db, table: string, customer: string): Promise<(ConsentRecord & { businessNumber: string })[]> {
  const [history, states] = await Promise.all([
    queryAll(db, { TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':prefix': 'CONSENT#' } }),
    queryAll(db, { TableName: table, KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': keys.phonePartition(customer), ':prefix': keys.optOutPrefix }, ConsistentRead: true }),
  ]);
  const current = new Map<string, ConsentRecord & { businessNumber: string }>();
  // Sort keys order each business number's changes by time: the last one is the fallback.
  for (const item of history) current.set(item.businessNumber as string, { ...(item.change as ConsentRecord), businessNumber: item.businessNumber as string });
  for (const item of states) {
    const business = item.businessNumber as string;
    const decided = item.change as ConsentRecord | undefined;
    if (decided) current.set(business, { ...decided, businessNumber: business });
    else if (current.get(business)?.status !== 'opted_out') {
      // An opt-out of an earlier release whose latest history entry says otherwise: the item is what sends enforce.
      const latestOut = [...history].reverse().find((h) => h.businessNumber === business && (h.change as ConsentRecord).status === 'opted_out');
      current.set(business, latestOut ? { ...(latestOut.change as ConsentRecord), businessNumber: business } : { id: 'optout', status: 'opted_out', at: item.optedOutAt as string, source: 'keyword', businessNumber: business });
    }
  }
  // A number whose history says opted out but has no state item (an earlier release's lost race): not enforced, so not shown.
  for (const [business, state] of current) if (state.status === 'opted_out' && !states.some((item) => item.businessNumber === business)) current.set(business, { ...state, status: 'opted_in' });
  return [...current.values()].sort((a, b) => a.businessNumber.localeCompare(b.businessNumber));
}

/**
 * Migration: a state item of an earlier release (no `status`: it meant opted out) becomes a versioned state, its
 * deciding change the latest opt-out in the history (or, with none, the opt-out the item records). An item an admin
 * or a customer changed meanwhile has a status and is left as it is. True when it changed.
 */
export async function versionOlderOptOut(db: Db, table: string, item: Item): Promise<boolean> {
  if (item.kind !== 'optOut' || item.status !== undefined) return false;
  const customer = item.customerNumber as string;
  const business = item.businessNumber as string;
  const history = await consentHistory(db, table, customer, business);
  const decided = [...history].reverse().find((change) => change.status === 'opted_out') ?? { id: 'optout', status: 'opted_out' as const, at: item.optedOutAt as string, source: 'keyword' as const };
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.optOut(customer, business),
        UpdateExpression: 'SET #status = :status, version = :one, #change = :change',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#status)',
        ExpressionAttributeNames: { '#status': 'status', '#change': 'change' },
        ExpressionAttributeValues: { ':status': 'opted_out', ':one': 1, ':change': decided },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
