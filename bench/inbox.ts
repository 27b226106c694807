import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { createDb, type Db } from '../shared/aws';
import { createTable } from '../scripts/local/create-table';
import { apiGatewayEvent } from '../scripts/local/api-event';
import { systemClock } from '../shared/domain/clock';
import { DirectoryStore } from '../shared/store/items/directory';
import { conversationItem, conversationKey, type ConversationState } from '../shared/store/items/conversation';
import { putUnreadPointers } from '../shared/store/items/read-state';
import { keys } from '../shared/store/keys';
import type { Item } from '../shared/store/dynamo-helpers';
import { createHandler as createSellerApi } from '../functions/seller-api/handler';
import { DynamoMeter } from './meter';
import { median } from './stats';

export interface InboxFigures {
  conversations: number;
  list: { roundTrips: number; readUnits: number; latencyMs: number; items: number };
  unread: { roundTrips: number; readUnits: number; latencyMs: number; items: number };
}

const UNREAD = 10;
const TEAMS = ['north', 'south', 'west'];
const RUNS = 21;

/**
 * "My SMS" for a seller in 3 teams who sees N conversations (through the teams' numbers, their
 * records and their own), 10 of them unread and spread over the whole range: the first page of
 * `GET /me/conversations` and of `?unread=true`, through the seller-api handler. Round trips and RCU
 * are of one request; latency is the median of 21, the sizes measured in turn.
 */
export async function benchInbox(endpoint: string, sizes: number[]): Promise<InboxFigures[]> {
  // Seed every size first, then measure them in turn, round after round: each size sees the same
  // machine and DynamoDB Local state, so the comparison between sizes is fair.
  const setups: { size: number; meter: DynamoMeter; db: Db; api: ReturnType<typeof createSellerApi> }[] = [];
  for (const size of sizes) {
    const table = `bench-inbox-${size}-${randomUUID().slice(0, 8)}`;
    await createTable(endpoint, table);
    const seeder = createDb({ endpoint, region: 'us-east-1' });
    await seed(seeder, table, size);
    seeder.destroy();
    const meter = new DynamoMeter();
    const db = createDb({ endpoint, region: 'us-east-1', instrument: (client) => meter.install(client, endpoint) });
    setups.push({ size, meter, db, api: createSellerApi({ db, table, clock: systemClock, defaultRegion: 'US' }) });
  }
  const queries = { list: { limit: '25' }, unread: { limit: '25', unread: 'true' } } as const;
  const request = async (api: ReturnType<typeof createSellerApi>, query: Record<string, string>) => {
    const built = apiGatewayEvent({ method: 'GET', path: '/me/conversations', query, claims: { sub: 'reader' } })!;
    const answer = (await api(built.event as never, {} as Context)) as { statusCode: number; body: string };
    if (answer.statusCode !== 200) throw new Error(`My SMS answered ${answer.statusCode}: ${answer.body}`);
    return answer;
  };
  const once = new Map<string, { roundTrips: number; readUnits: number; items: number }>();
  for (const { size, meter, api } of setups) {
    for (const [name, query] of Object.entries(queries)) {
      for (let i = 0; i < 5; i++) await request(api, query); // warm: the handler is built on first use, the JIT settles
      meter.reset();
      const answer = await request(api, query);
      once.set(`${size}:${name}`, { roundTrips: meter.roundTrips, readUnits: Math.round(meter.readUnits * 100) / 100, items: (JSON.parse(answer.body) as { items: unknown[] }).items.length });
    }
  }
  const times = new Map<string, number[]>();
  for (let round = 0; round < RUNS; round++) {
    for (const { size, api } of setups) {
      for (const [name, query] of Object.entries(queries)) {
        const started = process.hrtime.bigint();
        await request(api, query);
        const key = `${size}:${name}`;
        times.set(key, [...(times.get(key) ?? []), Number(process.hrtime.bigint() - started) / 1e6]);
      }
    }
  }
  for (const { db } of setups) db.destroy();
  return setups.map(({ size }) => ({
    conversations: size,
    list: { ...once.get(`${size}:list`)!, latencyMs: median(times.get(`${size}:list`)!) },
    unread: { ...once.get(`${size}:unread`)!, latencyMs: median(times.get(`${size}:unread`)!) },
  }));
}

/** Conversations as the inbound and outbound paths store them (items from the store's own builders), written in batches. */
async function seed(db: Db, table: string, size: number): Promise<void> {
  const directory = new DirectoryStore(db, table);
  for (const team of TEAMS) await directory.putTeam({ id: team, name: team });
  await directory.putSeller({ id: 'reader', name: 'Reader', teamIds: TEAMS, roles: ['salesperson'] });
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  const unreadAt = new Set(Array.from({ length: UNREAD }, (_, i) => Math.floor(((i + 0.5) * size) / UNREAD)));
  const items: Item[] = [];
  const pointers: { state: ConversationState }[] = [];
  for (let i = 0; i < size; i++) {
    const at = new Date(base + i * 60_000).toISOString();
    const id = `conv-${String(i).padStart(6, '0')}`;
    // A third through each route of visibility: a team's number, a team-owned record, the seller's own record.
    const route = i % 3;
    const team = TEAMS[i % TEAMS.length]!;
    const state: ConversationState = {
      id,
      record: { type: 'contact', id: `rec-${i}` },
      recordName: `Contact ${i}`,
      assigneeName: 'Seller',
      customerNumber: `+1206555${String(i).padStart(4, '0')}`,
      businessNumber: '+14255550100',
      assignedTo: route === 0 ? { type: 'team', id: team } : { type: 'seller', id: 'someone-else' },
      lastMessageAt: at,
      lastMessagePreview: 'Thanks, call me tomorrow',
      ...(route === 1 ? { recordOwningTeamId: team } : {}),
      ...(route === 2 ? { recordOwnerId: 'reader' } : {}),
      inboundCount: 1,
      lastInboundAt: at,
    };
    items.push(conversationItem(state, 1), { ...keys.conversationHead(id), kind: 'conversationHead', conversationKey: conversationKey(state), customerNumber: state.customerNumber });
    if (unreadAt.has(i)) pointers.push({ state });
    else items.push({ ...keys.readMark(id, 'reader'), kind: 'readMark', sellerId: 'reader', readCount: 1, lastReadAt: at });
  }
  for (let i = 0; i < items.length; i += 25) {
    let request: Record<string, { PutRequest: { Item: Item } }[]> | undefined = { [table]: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
    while (request && Object.keys(request).length > 0) request = (await db.send(new BatchWriteCommand({ RequestItems: request }))).UnprocessedItems as typeof request;
  }
  for (const { state } of pointers) await putUnreadPointers(db, table, { id: state.id, inboundCount: state.inboundCount, latestInboundAt: state.lastInboundAt! }, ['reader']);
}
