import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import { batchGetAll, isConditionFailure, queryAll } from '../dynamo-helpers';
import { LIVE_CONNECTION_MAX_SECONDS, MAX_LIVE_CONNECTIONS_PER_SELLER } from '../../domain/live';

/**
 * Live connections (the console's WebSocket): the only module that writes them.
 * - `LIVESELLER#id` / `LIVE`: a map of the seller's connection ids → `{tokenExpiresAt, tab?}` (a bare expiry in
 *   epoch seconds before tabs were named), so the connections of every viewer of a conversation come from one
 *   BatchGetItem per 100 sellers;
 * - `LIVE#connection` / `CONNECTION`: the connection's seller, for `$disconnect`.
 * - `LIVETEAM#team` / `SELLER#id`: the seller had a connection open lately, for each of their teams, so a team's
 *   frames find its online members with one Query instead of reading every member's map.
 * All expire (TTL) after API Gateway's two-hour limit on a connection; a connection that went away
 * without `$disconnect` is forgotten when a send to it fails.
 */
export interface LiveConnection {
  connectionId: string;
  /** The token's `exp` (epoch seconds): no frame is sent after it. */
  tokenExpiresAt: number;
  /** The console tab it belongs to: frames caused by that tab's own reading skip it. */
  tab?: string;
}

/** A map entry as stored: `{tokenExpiresAt, tab?}`, or the bare expiry written before tabs were named. */
type StoredEntry = number | { tokenExpiresAt: number; tab?: string };

function entryOf(connectionId: string, stored: StoredEntry): LiveConnection {
  if (typeof stored === 'number') return { connectionId, tokenExpiresAt: stored };
  return { connectionId, tokenExpiresAt: stored.tokenExpiresAt, ...(stored.tab ? { tab: stored.tab } : {}) };
}

/**
 * Opens a connection under its seller, at most {@link MAX_LIVE_CONNECTIONS_PER_SELLER} at once (a condition on the
 * map's size, so neither the item nor the notifier's work per seller grows without bound). Entries whose token has
 * expired make room; answers `full` when the seller already has that many live ones (the connection is refused).
 */
export async function openConnection(db: Db, table: string, input: { connectionId: string; sellerId: string; tokenExpiresAt: number; nowSeconds: number; tab?: string | undefined }): Promise<'opened' | 'full'> {
  const expiresAt = input.nowSeconds + LIVE_CONNECTION_MAX_SECONDS;
  const entry = { tokenExpiresAt: input.tokenExpiresAt, ...(input.tab ? { tab: input.tab } : {}) };
  const key = keys.liveConnections(input.sellerId);
  // The seller's item lives as long as their newest connection can; only the first connection writes the whole map.
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      await db.send(
        new UpdateCommand({
          TableName: table,
          Key: key,
          UpdateExpression: 'SET connections.#id = :entry, expiresAt = :expiresAt',
          ConditionExpression: 'attribute_exists(connections) AND (size(connections) < :max OR attribute_exists(connections.#id))',
          ExpressionAttributeNames: { '#id': input.connectionId },
          ExpressionAttributeValues: { ':entry': entry, ':expiresAt': expiresAt, ':max': MAX_LIVE_CONNECTIONS_PER_SELLER },
        }),
      );
      return remember(db, table, input, expiresAt);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const current = (await db.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }))).Item;
    const connections = current?.connections as Record<string, StoredEntry> | undefined;
    if (!connections) {
      // Two tabs opening at once: whichever creates the map, the other adds to it on its next attempt.
      try {
        await db.send(
          new UpdateCommand({
            TableName: table,
            Key: key,
            UpdateExpression: 'SET connections = :connections, kind = :kind, sellerId = :seller, expiresAt = :expiresAt',
            ConditionExpression: 'attribute_not_exists(connections)',
            ExpressionAttributeValues: { ':connections': { [input.connectionId]: entry }, ':kind': 'liveConnections', ':seller': input.sellerId, ':expiresAt': expiresAt },
          }),
        );
        return remember(db, table, input, expiresAt);
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
        continue;
      }
    }
    const expired = Object.entries(connections)
      .map(([id, stored]) => entryOf(id, stored))
      .filter((connection) => connection.tokenExpiresAt <= input.nowSeconds)
      .map((connection) => connection.connectionId);
    if (expired.length === 0) return 'full';
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: key,
        UpdateExpression: `REMOVE ${expired.map((_, i) => `connections.#e${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: Object.fromEntries(expired.map((id, i) => [`#e${i}`, id])),
      }),
    );
  }
  return 'full';
}

/**
 * Marks the seller present in each of their teams until their connection can last no longer (TTL): written at every
 * `$connect`, never deleted (a presence with no open connection only costs a look at the seller's map).
 */
export async function markPresentInTeams(db: Db, table: string, sellerId: string, teamIds: readonly string[], nowSeconds: number): Promise<void> {
  const expiresAt = nowSeconds + LIVE_CONNECTION_MAX_SECONDS;
  await Promise.all(teamIds.map((teamId) => db.send(new PutCommand({ TableName: table, Item: { ...keys.liveTeamMember(teamId, sellerId), kind: 'livePresence', teamId, sellerId, expiresAt } }))));
}

/**
 * The sellers of a team who had a connection open lately and are still its members (a seller who left is never told
 * of the team's conversations): one Query of the present, one BatchGetItem of their memberships.
 */
export async function presentMembers(db: Db, table: string, teamId: string, nowSeconds: number): Promise<string[]> {
  const present = await queryAll(db, { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': keys.liveTeamPartition(teamId) } });
  const candidates = present.filter((item) => ((item.expiresAt as number | undefined) ?? 0) > nowSeconds).map((item) => item.sellerId as string);
  if (candidates.length === 0) return [];
  const memberships = await batchGetAll(db, table, candidates.map((sellerId) => keys.teamMember(teamId, sellerId)));
  return memberships.map((item) => item.sellerId as string);
}

/** The connection → seller item, written once the seller's map holds the connection. */
async function remember(db: Db, table: string, input: { connectionId: string; sellerId: string }, expiresAt: number): Promise<'opened'> {
  await db.send(new PutCommand({ TableName: table, Item: { ...keys.liveConnection(input.connectionId), kind: 'liveConnection', sellerId: input.sellerId, expiresAt } }));
  return 'opened';
}

/** `$disconnect`: both items go. Unknown connections (already forgotten) are fine. */
export async function closeConnection(db: Db, table: string, connectionId: string): Promise<void> {
  const owner = (await db.send(new GetCommand({ TableName: table, Key: keys.liveConnection(connectionId) }))).Item;
  if (owner) await forgetConnection(db, table, owner.sellerId as string, connectionId);
  else await db.send(new DeleteCommand({ TableName: table, Key: keys.liveConnection(connectionId) }));
}

/** Forgets one connection of a seller (gone, closed or expired). */
export async function forgetConnection(db: Db, table: string, sellerId: string, connectionId: string): Promise<void> {
  await db
    .send(
      new UpdateCommand({
        TableName: table,
        Key: keys.liveConnections(sellerId),
        UpdateExpression: 'REMOVE connections.#id',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeNames: { '#id': connectionId },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
  await db.send(new DeleteCommand({ TableName: table, Key: keys.liveConnection(connectionId) }));
}

/** The open connections of each seller named (sellers with none are absent), 100 sellers a BatchGetItem. */
export async function connectionsOf(db: Db, table: string, sellerIds: readonly string[]): Promise<Map<string, LiveConnection[]>> {
  const items = await batchGetAll(db, table, [...new Set(sellerIds)].map((id) => keys.liveConnections(id)));
  const out = new Map<string, LiveConnection[]>();
  for (const item of items) {
    const connections = Object.entries((item.connections as Record<string, StoredEntry> | undefined) ?? {}).map(([connectionId, stored]) => entryOf(connectionId, stored));
    if (connections.length > 0) out.set(item.sellerId as string, connections);
  }
  return out;
}
