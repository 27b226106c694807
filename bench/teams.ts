import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import type { SNSClient } from '@aws-sdk/client-sns';
import { createDb } from '../shared/aws';
import { createTable } from '../scripts/local/create-table';
import { systemClock } from '../shared/domain/clock';
import { DirectoryStore } from '../shared/store/items/directory';
import { receiveInbound } from '../shared/flows/receive-inbound';
import { markPresentInTeams, openConnection } from '../shared/store/items/live-connection';
import { createHandler as createNotifier } from '../functions/notifier/handler';
import { StreamPoller } from '../scripts/local/stream-poller';
import { STREAM_FILTERS } from '../shared/store/stream-consumers';
import { LocalSns } from '../scripts/local/local-sns';
import type { LiveChannel } from '../shared/flows/live-hints';
import type { Deps } from '../shared/deps';
import { notificationsPage, readAllNotifications, unreadNotificationTotal } from '../shared/store/queries/notifications';
import { putNotification } from '../shared/store/items/notification';
import { appendTeamNotificationsInBulk } from '../shared/store/items/team-feed';
import { notificationId } from '../shared/domain/notifications';
import { DynamoMeter } from './meter';

export interface TeamFigures {
  members: number;
  online: number;
  roundTrips: number;
  readUnits: number;
  writeUnits: number;
  snsPublishes: number;
  postToConnection: number;
  /** The partition key (table or index) written most, and how often, per inbound message. */
  hottestWrites: number;
  hottestKey: string;
}

/** A handful of members have the console open: frames go to them only. */
const ONLINE = 5;

/**
 * The notifier's work per inbound message on a conversation assigned to a team of N (issue #42): DynamoDB capacity
 * (modelled from item sizes), SNS publishes, PostToConnection calls to the members who are online, and the most
 * writes any one partition key takes. The request path is benched apart (inbound routing).
 */
export async function benchTeams(endpoint: string, sizes = [1, 10, 100, 500], messages = 10): Promise<TeamFigures[]> {
  const figures: TeamFigures[] = [];
  for (const size of sizes) {
    const table = `bench-teams-${size}-${randomUUID().slice(0, 8)}`;
    await createTable(endpoint, table);
    const plain = createDb({ endpoint, region: 'us-east-1' });
    const deps: Deps = { db: plain, table, clock: systemClock, defaultRegion: 'US' };
    const directory = new DirectoryStore(plain, table);
    await directory.putTeam({ id: 'desk', name: 'Desk' });
    const members = Array.from({ length: size }, (_, i) => `member-${String(i).padStart(3, '0')}`);
    for (const id of members) await directory.putSeller({ id, name: id, teamIds: ['desk'], roles: ['salesperson'] });
    await directory.putNumber({ number: '+14255559000', assignedTo: { type: 'team', id: 'desk' }, provider: 'sandbox' });
    const nowSeconds = Math.floor(Date.now() / 1000);
    const online = members.slice(0, Math.min(ONLINE, size));
    for (const [i, sellerId] of online.entries()) {
      // As `$connect` does: the connection, and the seller's presence in their team.
      await openConnection(plain, table, { connectionId: `conn-${i}`, sellerId, tokenExpiresAt: nowSeconds + 3600, nowSeconds });
      await markPresentInTeams(plain, table, sellerId, ['desk'], nowSeconds);
    }

    const meter = new DynamoMeter();
    const metered = createDb({ endpoint, region: 'us-east-1', instrument: (client) => meter.install(client, endpoint) });
    const sns = new LocalSns(false);
    let posts = 0;
    const live: LiveChannel = { post: async () => ((posts += 1), 'sent'), close: async () => undefined };
    const notifier = createNotifier({ db: metered, table, clock: systemClock, defaultRegion: 'US', sns: sns as unknown as SNSClient, topicArn: 'arn:aws:sns:local:0:notifications', live });
    const poller = new StreamPoller(endpoint, table, (event) => notifier(event, {} as Context), { batchSize: 100, filters: STREAM_FILTERS.notifier });
    // The conversation exists and the setup's changes are handled before measuring.
    await receiveInbound(deps, { provider: 'sandbox', providerMessageId: `warm-${size}`, from: '+12065550100', to: '+14255559000', body: 'warm-up' });
    await poller.drain(2000);
    meter.reset();
    sns.published.length = 0;
    posts = 0;
    for (let m = 0; m < messages; m++) await receiveInbound(deps, { provider: 'sandbox', providerMessageId: `m-${size}-${m}`, from: '+12065550100', to: '+14255559000', body: `Question ${m} for the desk` });
    await poller.drain(2000);
    await poller.stop();
    const hottest = meter.hottestPartition();
    figures.push({
      members: size,
      online: online.length,
      roundTrips: round(meter.roundTrips / messages),
      readUnits: round(meter.readUnits / messages),
      writeUnits: round(meter.writeUnits / messages),
      snsPublishes: round(sns.published.length / messages),
      postToConnection: round(posts / messages),
      hottestWrites: round(hottest.writes / messages),
      hottestKey: hottest.key.replace(/#.*/, '#…'),
    });
    metered.destroy();
    plain.destroy();
  }
  return figures;
}

export interface UnreadCostFigures {
  unread: number;
  count: { roundTrips: number; readUnits: number };
  readAll: { roundTrips: number; readUnits: number; writeUnits: number };
  firstUnreadPage: { roundTrips: number; readUnits: number };
}

/**
 * What the bell costs a seller with 0 and with 10,000 unread notifications (half their own, half their team's): the
 * count, read-all, and the first page of unread ones. Flat: a counter and a cursor, never the backlog.
 */
export async function benchUnreadCost(endpoint: string, backlogs = [0, 10_000]): Promise<UnreadCostFigures[]> {
  const figures: UnreadCostFigures[] = [];
  for (const backlog of backlogs) {
    const table = `bench-unread-${backlog}-${randomUUID().slice(0, 8)}`;
    await createTable(endpoint, table);
    const plain = createDb({ endpoint, region: 'us-east-1' });
    const directory = new DirectoryStore(plain, table);
    await directory.putTeam({ id: 'desk', name: 'Desk' });
    await directory.putSeller({ id: 'reader', name: 'Reader', teamIds: ['desk'], roles: ['salesperson'] });
    const base = Date.UTC(2026, 11, 1);
    const at = (i: number) => new Date(base + i * 1000).toISOString();
    const own = Array.from({ length: backlog / 2 }, (_, k) => 2 * k);
    for (let k = 0; k < own.length; k += 100) {
      await Promise.all(own.slice(k, k + 100).map((i) => putNotification(plain, table, { id: notificationId(at(i), `m${i}`, 'inbound_message', 'reader'), sellerId: 'reader', kind: 'inbound_message', conversationId: 'c1', messageId: `m${i}`, createdAt: at(i), extra: { preview: `Backlog ${i}` } })));
    }
    const teams = Array.from({ length: backlog / 2 }, (_, k) => 2 * k + 1).map((i) => ({ id: notificationId(at(i), `m${i}`, 'inbound_message', 'team:desk'), kind: 'inbound_message' as const, conversationId: 'c1', messageId: `m${i}`, createdAt: at(i), extra: { preview: `Backlog ${i}` } }));
    await appendTeamNotificationsInBulk(plain, table, 'desk', teams);
    const meter = new DynamoMeter();
    const db = createDb({ endpoint, region: 'us-east-1', instrument: (client) => meter.install(client, endpoint) });
    const reader = { sellerId: 'reader', teamIds: ['desk'], readsBodies: true };
    const measure = async (work: () => Promise<unknown>) => {
      meter.reset();
      await work();
      return { roundTrips: meter.roundTrips, readUnits: round(meter.readUnits), writeUnits: round(meter.writeUnits) };
    };
    const counted = await measure(() => unreadNotificationTotal(db, table, reader));
    const page = await measure(() => notificationsPage(db, table, reader, { unread: true, limit: 20, now: new Date() }));
    const readAll = await measure(() => readAllNotifications(db, table, reader, new Date().toISOString()));
    if ((await unreadNotificationTotal(plain, table, reader)) !== 0) throw new Error('read-all left unread notifications');
    figures.push({ unread: backlog, count: { roundTrips: counted.roundTrips, readUnits: counted.readUnits }, readAll, firstUnreadPage: { roundTrips: page.roundTrips, readUnits: page.readUnits } });
    db.destroy();
    plain.destroy();
  }
  return figures;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
