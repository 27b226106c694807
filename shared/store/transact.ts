import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../aws';
import { count } from '../observability';
import type { Item, TransactItem } from './dynamo-helpers';

/** Returned by an attempt that lost a race (a transaction condition or conflict): plan again from a fresh read. */
export const RETRY = Symbol('retry');

export interface ConflictRetry {
  /** Names the metric `<name>Retry`, counted on every retry. */
  name: string;
  maxAttempts: number;
  /** Backoff before attempt n+1: a random wait up to min(capMs, baseMs · 2^n). */
  baseMs?: number;
  capMs?: number;
  /** The error to throw when every attempt lost (default ConflictRetriesExhausted), e.g. 409 Conflict for an API caller. */
  exhausted?: () => Error;
}

/** Thrown when every attempt lost its race; callers turn it into 409 Conflict or let the event be retried. */
export class ConflictRetriesExhausted extends Error {
  constructor(
    readonly operation: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(`${operation}: still conflicting after ${attempts} attempts`, options);
    this.name = 'ConflictRetriesExhausted';
  }
}

/**
 * The one retry loop for optimistic writes: runs `attempt` (read, decide, write) until it returns a
 * value, retrying with jittered exponential backoff while it returns RETRY, at most `maxAttempts` times.
 */
export async function retryOnConflict<T>(options: ConflictRetry, attempt: (n: number) => Promise<T | typeof RETRY>): Promise<T> {
  const { baseMs = 20, capMs = 1000 } = options;
  for (let n = 1; ; n++) {
    const result = await attempt(n);
    if (result !== RETRY) return result;
    if (n >= options.maxAttempts) throw options.exhausted?.() ?? new ConflictRetriesExhausted(options.name, n);
    count(`${options.name}Retry`);
    await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(capMs, baseMs * 2 ** n)));
  }
}

/** Writes the items of one transaction: all of them or none. */
export async function writeTransaction(db: Db, items: TransactItem[]): Promise<void> {
  await db.send(new TransactWriteCommand({ TransactItems: items }));
}

/** Deletes per transaction, leaving room for one item written alongside (DynamoDB allows 100). */
const DELETES_PER_TRANSACTION = 90;

/**
 * Deletes the items at `keys` (each once) in transactions of at most 90; `alongside` adds one item to
 * each transaction (a counter of what it deleted), so what it records always matches what is gone.
 */
export async function deleteInTransactions(
  db: Db,
  table: string,
  keys: readonly Item[],
  alongside?: (slice: Item[]) => TransactItem,
  /** An item to leave in a key's place instead of deleting it (a tombstone), in the same transaction. */
  replaceWith?: (key: Item) => Item | undefined,
): Promise<void> {
  const unique = [...new Map(keys.map((k) => [`${k.pk as string}\u0000${k.sk as string}`, { pk: k.pk, sk: k.sk }])).values()];
  for (let i = 0; i < unique.length; i += DELETES_PER_TRANSACTION) {
    const slice = unique.slice(i, i + DELETES_PER_TRANSACTION);
    const items: TransactItem[] = slice.map((Key) => {
      const replacement = replaceWith?.(Key);
      return replacement ? { Put: { TableName: table, Item: { ...replacement, ...Key } } } : { Delete: { TableName: table, Key } };
    });
    if (alongside) items.push(alongside(slice));
    await writeTransaction(db, items);
  }
}
