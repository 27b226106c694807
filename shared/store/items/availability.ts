import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { batchGetAll } from '../dynamo-helpers';

/** A seller's availability for auto-assignment: their own switch (or an admin's for them). Without an item: available. */
export interface Availability {
  available: boolean;
  changedAt?: string | undefined;
  changedBy?: string | undefined;
}

/** Sets it: one item per seller, written whole (the last switch wins). */
export async function setAvailability(db: Db, table: string, sellerId: string, change: { available: boolean; at: string; by: string }): Promise<Availability> {
  await db.send(new PutCommand({ TableName: table, Item: { ...keys.availability(sellerId), kind: 'availability', sellerId, available: change.available, changedAt: change.at, changedBy: change.by } }));
  return { available: change.available, changedAt: change.at, changedBy: change.by };
}

/** The availability of each seller named (one batched read); a seller who never switched is available. */
export async function availabilityOf(db: Db, table: string, sellerIds: readonly string[]): Promise<Map<string, Availability>> {
  const out = new Map<string, Availability>(sellerIds.map((id) => [id, { available: true }]));
  if (sellerIds.length === 0) return out;
  const items = await batchGetAll(db, table, [...new Set(sellerIds)].map((id) => keys.availability(id)));
  for (const item of items) out.set(item.sellerId as string, { available: item.available === true, changedAt: item.changedAt as string, changedBy: item.changedBy as string });
  return out;
}
