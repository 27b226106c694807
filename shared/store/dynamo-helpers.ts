import { BatchGetCommand, QueryCommand, type QueryCommandInput, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Db } from '../aws';

export type Item = Record<string, unknown>;
export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Reads every page of a query (for bounded partitions: memberships, a number's records). */
export async function queryAll(db: Db, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as Item[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/** Gets items by key, 100 per request, retrying unprocessed keys. Missing items are simply absent. */
export async function batchGetAll(db: Db, table: string, keys: Item[]): Promise<Item[]> {
  const found: Item[] = [];
  for (let i = 0; i < keys.length; i += 100) {
    let request: Record<string, { Keys: Item[] }> | undefined = { [table]: { Keys: keys.slice(i, i + 100) } };
    while (request && Object.keys(request).length > 0) {
      const out = await db.send(new BatchGetCommand({ RequestItems: request }));
      found.push(...((out.Responses?.[table] ?? []) as Item[]));
      request = out.UnprocessedKeys as typeof request;
    }
  }
  return found;
}

/** Cancellation reasons of a failed TransactWriteItems, index-aligned with its items. */
export function cancellationCodes(error: unknown): (string | undefined)[] | undefined {
  if (error instanceof TransactionCanceledException || (error as { name?: string })?.name === 'TransactionCanceledException') {
    const reasons = (error as TransactionCanceledException).CancellationReasons ?? [];
    return reasons.map((r) => (r.Code === 'None' ? undefined : r.Code));
  }
  return undefined;
}

export function isTransactionConditionFailure(error: unknown): boolean {
  return cancellationCodes(error)?.includes('ConditionalCheckFailed') ?? false;
}

export function isConditionFailure(error: unknown): boolean {
  return (error as { name?: string })?.name === 'ConditionalCheckFailedException';
}
