import type { Db } from '../../aws';
import type { Item } from '../dynamo-helpers';
import { teamNotificationFor, type Notification } from '../../domain/notifications';
import { isExpired } from '../../domain/retention';
import { isReadPersonal, markAllPersonalRead, markConversationNotificationsRead, markRead, notificationState, personalNotificationsPage, toPublicNotification, unreadPersonalCount, getNotification, type NotificationState } from '../items/notification';
import {
  feedHeads,
  feedStates,
  markTeamFeedRead,
  markTeamNotificationRead,
  readByPosition,
  readMarkersAmong,
  teamFeedPage,
  teamNotificationsAbout,
  teamNotificationsNamed,
  unreadFrom,
  unreadInFeed,
  type FeedHead,
  type FeedState,
} from '../items/team-feed';

/**
 * What a seller's bell shows: their own notifications and the feeds of their teams, merged newest first. Each source
 * keeps its own position in the cursor, so paging neither repeats nor skips, whatever the sources' sizes.
 */

export interface Reader {
  sellerId: string;
  teamIds: readonly string[];
  /** Admins and salespeople read what a notification quotes; others are told a message arrived. */
  readsBodies: boolean;
}

/** Each source's position: where to continue, or null once it has nothing more. */
export type FeedCursor = Record<string, Item | null>;

interface Source {
  name: string;
  fetch(startAfter: Item | undefined, limit: number): Promise<{ items: Notification[]; raw: Item[]; lastKey: Item | undefined }>;
  keyOf(item: Item): Item;
}

interface Positions {
  personal: NotificationState;
  heads: Map<string, FeedHead>;
  states: Map<string, FeedState>;
}

async function positionsOf(db: Db, table: string, reader: Reader): Promise<Positions> {
  const [personal, heads, states] = await Promise.all([notificationState(db, table, reader.sellerId), feedHeads(db, table, reader.teamIds), feedStates(db, table, reader.sellerId, reader.teamIds)]);
  return { personal, heads, states };
}

const baseKey = (item: Item): Item => ({ pk: item.pk, sk: item.sk });
const gsi1Key = (item: Item): Item => ({ pk: item.pk, sk: item.sk, gsi1pk: item.gsi1pk, gsi1sk: item.gsi1sk });

function sourcesOf(db: Db, table: string, reader: Reader, at: Positions, unread: boolean, now: Date): Source[] {
  const live = (items: Item[]) => items.filter((item) => !isExpired(item, now));
  const personal = (source: 'all' | 'counted' | 'legacy'): Source => ({
    name: source === 'all' ? 'mine' : source,
    keyOf: source === 'all' ? baseKey : gsi1Key,
    async fetch(startAfter, limit) {
      const page = await personalNotificationsPage(db, table, reader.sellerId, at.personal, { source, limit, startAfter });
      return { raw: page.items, lastKey: page.lastKey, items: live(page.items).map((item) => toPublicNotification({ ...item, read: isReadPersonal(item, at.personal) })) };
    },
  });
  const team = (teamId: string): Source => ({
    name: `team:${teamId}`,
    keyOf: unread ? gsi1Key : baseKey,
    async fetch(startAfter, limit) {
      const head = at.heads.get(teamId)!;
      const state = at.states.get(teamId)!;
      const page = await teamFeedPage(db, table, teamId, head, state, { unread, limit, startAfter });
      const past = live(page.items).filter((item) => !readByPosition(item, state, head));
      const marked = await readMarkersAmong(db, table, reader.sellerId, teamId, past.map((item) => item.seq as number));
      const shown = live(page.items)
        .map((item) => ({ item, read: readByPosition(item, state, head) || marked.has(item.seq as number) }))
        .filter(({ read }) => !unread || !read)
        .map(({ item, read }) => teamNotificationFor(reader.readsBodies, toPublicNotification({ ...item, read })));
      return { raw: page.items, lastKey: page.lastKey, items: shown };
    },
  });
  return [...(unread ? [personal('counted'), personal('legacy')] : [personal('all')]), ...reader.teamIds.map(team)];
}

/** A page of the bell, newest first; `unread`: only what the reader has not read. */
export async function notificationsPage(db: Db, table: string, reader: Reader, options: { unread: boolean; limit: number; cursor?: FeedCursor | undefined; now: Date }): Promise<{ items: Notification[]; cursor?: FeedCursor }> {
  const positions = await positionsOf(db, table, reader);
  const every = sourcesOf(db, table, reader, positions, options.unread, options.now);
  const sources = every.filter((source) => options.cursor?.[source.name] !== null);
  const fetched = await Promise.all(sources.map(async (source) => ({ source, ...(await source.fetch(options.cursor?.[source.name] ?? undefined, options.limit)) })));
  const candidates = fetched.flatMap(({ source, items, raw }) => items.map((notification) => ({ source: source.name, notification, item: raw.find((r) => r.id === notification.id)! })));
  candidates.sort((a, b) => (a.notification.id < b.notification.id ? 1 : a.notification.id > b.notification.id ? -1 : a.source.localeCompare(b.source)));
  const taken = candidates.slice(0, options.limit);
  const next: FeedCursor = { ...options.cursor };
  for (const { source, items, lastKey } of fetched) {
    const mine = taken.filter((t) => t.source === source.name);
    if (mine.length === items.length) next[source.name] = lastKey ?? null;
    else if (mine.length > 0) next[source.name] = source.keyOf(mine[mine.length - 1]!.item);
  }
  const more = every.some((source) => next[source.name] !== null);
  return { items: taken.map((t) => t.notification), ...(more ? { cursor: next } : {}) };
}

/** The bell's count: the seller's counter and, per team, the feed's length past their place. A few reads, whatever the backlog. */
export async function unreadNotificationTotal(db: Db, table: string, reader: Pick<Reader, 'sellerId' | 'teamIds'>): Promise<number> {
  const { personal, heads, states } = await positionsOf(db, table, { ...reader, readsBodies: false });
  const counts = await Promise.all([unreadPersonalCount(db, table, reader.sellerId, personal), ...reader.teamIds.map((teamId) => unreadInFeed(db, table, reader.sellerId, teamId, heads.get(teamId)!, states.get(teamId)!))]);
  return counts.reduce((a, b) => a + b, 0);
}

/** Reads one notification of the seller's (their own, or of a team feed they are in); undefined when there is none. */
export async function readOneNotification(db: Db, table: string, reader: Reader, id: string, at: string, readInTab?: string): Promise<Notification | undefined> {
  const own = await getNotification(db, table, reader.sellerId, id);
  if (own) return markRead(db, table, reader.sellerId, id, at, readInTab, { item: own, state: await notificationState(db, table, reader.sellerId) });
  const found = await teamNotificationsNamed(db, table, reader.teamIds.map((teamId) => ({ teamId, id })));
  if (found.length === 0) return undefined;
  const item = found[0]!;
  const teamId = item.teamId as string;
  const [heads, states] = await Promise.all([feedHeads(db, table, [teamId]), feedStates(db, table, reader.sellerId, [teamId])]);
  const state = states.get(teamId)!;
  // Written before the seller joined: not theirs.
  if ((item.seq as number) <= state.joinedSeq) return undefined;
  if (!readByPosition(item, state, heads.get(teamId)!)) await markTeamNotificationRead(db, table, reader.sellerId, item, state, at, readInTab);
  return teamNotificationFor(reader.readsBodies, toPublicNotification({ ...item, read: true }));
}

/** Read-all: the seller's own line and each team cursor move; one write each, whatever the backlog. Answers how many were unread. */
export async function readAllNotifications(db: Db, table: string, reader: Pick<Reader, 'sellerId' | 'teamIds'>, at: string, readInTab?: string): Promise<number> {
  const [heads, states] = await Promise.all([feedHeads(db, table, reader.teamIds), feedStates(db, table, reader.sellerId, reader.teamIds)]);
  const counts = await Promise.all([
    markAllPersonalRead(db, table, reader.sellerId, at, readInTab),
    ...reader.teamIds.map((teamId) => markTeamFeedRead(db, table, reader.sellerId, teamId, heads.get(teamId)!, states.get(teamId)!, at, readInTab)),
  ]);
  return counts.reduce((a, b) => a + b, 0);
}

/**
 * A seller read a conversation (or sent in it): their notifications of it created up to `at` are read, their own and
 * their teams'. Reads that conversation's notifications only, never the backlog.
 */
export async function readConversationNotifications(db: Db, table: string, reader: Pick<Reader, 'sellerId' | 'teamIds'>, conversationId: string, at: string, readInTab?: string): Promise<number> {
  let updated = await markConversationNotificationsRead(db, table, reader.sellerId, conversationId, at, readInTab);
  if (reader.teamIds.length === 0) return updated;
  const [heads, states] = await Promise.all([feedHeads(db, table, reader.teamIds), feedStates(db, table, reader.sellerId, reader.teamIds)]);
  for (const teamId of reader.teamIds) {
    const head = heads.get(teamId)!;
    const state = states.get(teamId)!;
    const from = unreadFrom(head, state);
    if (head.seq <= from) continue;
    const about = (await teamNotificationsAbout(db, table, teamId, conversationId)).filter((item) => (item.seq as number) > from && (item.createdAt as string) <= at);
    const marked = await readMarkersAmong(db, table, reader.sellerId, teamId, about.map((item) => item.seq as number));
    for (const item of about) if (!marked.has(item.seq as number) && (await markTeamNotificationRead(db, table, reader.sellerId, item, state, at, readInTab)) === 'marked') updated++;
  }
  return updated;
}
