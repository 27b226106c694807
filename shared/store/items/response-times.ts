import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type Principal } from '../keys';
import { batchGetAll, type Item, type TransactItem } from '../dynamo-helpers';
import { binOf, type Histogram } from '../../domain/response-times';

/**
 * Response-time buckets (`RESPONSES#<seller|team>#<day>`, sk the principal's id): the only module that writes them.
 * Each is written in the transaction of the message it counts (an inbound message, a seller's reply), so a count is
 * never lost or made twice. Counters and histogram bins are top-level attributes (`f<bin>` first responses, `r<bin>`
 * replies) because ADD cannot create a map on the way to a nested one.
 */
export interface ResponseBucket {
  principal: Principal;
  day: string;
  conversations: number;
  inboundMessages: number;
  answered: number;
  first: Histogram;
  reply: Histogram;
}

const dayOf = (iso: string) => iso.slice(0, 10);

function bucketUpdate(table: string, principal: Principal, day: string, adds: Record<string, number>): TransactItem {
  const names: Record<string, string> = {};
  const values: Item = { ':kind': 'responseBucket', ':type': principal.type, ':id': principal.id, ':day': day };
  const parts = Object.entries(adds).map(([attribute, n], i) => {
    names[`#a${i}`] = attribute;
    values[`:a${i}`] = n;
    return `#a${i} :a${i}`;
  });
  return {
    Update: {
      TableName: table,
      Key: keys.responseBucket(principal, day),
      UpdateExpression: `SET kind = :kind, principalType = :type, principalId = :id, #day = :day ADD ${parts.join(', ')}`,
      ExpressionAttributeNames: { ...names, '#day': 'day' },
      ExpressionAttributeValues: values,
    },
  };
}

/** An inbound message counted for each principal (its day): one more message, and one more conversation when it opens one. */
export function inboundCountItems(table: string, principals: readonly Principal[], at: string, opensConversation: boolean): TransactItem[] {
  return principals.map((p) => bucketUpdate(table, p, dayOf(at), { inboundMessages: 1, ...(opensConversation ? { conversations: 1 } : {}) }));
}

/**
 * A seller's reply that ends a customer's wait, counted in the buckets of the day the wait began (so a day's
 * conversations, its answered ones and their times agree): a first response or a reply time, in business seconds.
 */
export function responseItems(table: string, principals: readonly Principal[], waitingSince: string, response: { first: boolean; seconds: number }): TransactItem[] {
  const bin = binOf(response.seconds);
  return principals.map((p) => bucketUpdate(table, p, dayOf(waitingSince), response.first ? { answered: 1, [`f${bin}`]: 1 } : { [`r${bin}`]: 1 }));
}

export function toBucket(item: Item): ResponseBucket {
  const first: Histogram = new Map();
  const reply: Histogram = new Map();
  for (const [attribute, value] of Object.entries(item)) {
    const match = /^([fr])(\d+)$/.exec(attribute);
    if (match && typeof value === 'number') (match[1] === 'f' ? first : reply).set(Number(match[2]), value);
  }
  return {
    principal: { type: item.principalType as Principal['type'], id: item.principalId as string },
    day: item.day as string,
    conversations: (item.conversations as number | undefined) ?? 0,
    inboundMessages: (item.inboundMessages as number | undefined) ?? 0,
    answered: (item.answered as number | undefined) ?? 0,
    first,
    reply,
  };
}

/** Every bucket of a kind of principal on these days: one Query per day (the partition holds that day's principals). */
export async function bucketsOfDays(db: Db, table: string, type: Principal['type'], days: readonly string[]): Promise<ResponseBucket[]> {
  const out: ResponseBucket[] = [];
  // A few days at a time: 92 small queries without a burst.
  for (let i = 0; i < days.length; i += 16) {
    const pages = await Promise.all(days.slice(i, i + 16).map((day) => queryDay(db, table, type, day)));
    for (const page of pages) out.push(...page);
  }
  return out;
}

async function queryDay(db: Db, table: string, type: Principal['type'], day: string): Promise<ResponseBucket[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.responseDay(type, day) }, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.map(toBucket);
}

/** The buckets of some principals on these days (a seller's own row and their teams'): one BatchGet of at most days × principals keys. */
export async function bucketsOf(db: Db, table: string, principals: readonly Principal[], days: readonly string[]): Promise<ResponseBucket[]> {
  const items = await batchGetAll(db, table, principals.flatMap((p) => days.map((day) => keys.responseBucket(p, day))));
  return items.map(toBucket);
}
