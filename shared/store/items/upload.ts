import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { batchGetAll } from '../dynamo-helpers';

/** A seller's outbound MMS upload (`UPLOAD#mediaId`): the only module that writes it. */
export interface Upload {
  mediaId: string;
  sellerId: string;
  contentType: string;
  size: number;
  storageKey: string;
  createdAt: string;
  /** Epoch seconds: TTL deletes an upload no message used. */
  expiresAt: number;
}

export async function putUpload(db: Db, table: string, upload: Upload): Promise<void> {
  await db.send(new PutCommand({ TableName: table, Item: { ...keys.upload(upload.mediaId), kind: 'upload', ...upload } }));
}

/** The uploads named, by id (missing ones absent); ones past their TTL count as gone. */
export async function uploadsById(db: Db, table: string, mediaIds: readonly string[], nowSeconds: number): Promise<Map<string, Upload>> {
  const items = await batchGetAll(db, table, [...new Set(mediaIds)].map((id) => keys.upload(id)));
  return new Map(items.filter((item) => (item.expiresAt as number) > nowSeconds).map((item) => [item.mediaId as string, item as unknown as Upload]));
}

/** An upload a message has used: gone, so it cannot be sent again. */
export async function deleteUpload(db: Db, table: string, mediaId: string): Promise<void> {
  await db.send(new DeleteCommand({ TableName: table, Key: keys.upload(mediaId) }));
}
