import type { Deps } from '../deps';
import { connectionsOf, forgetConnection, type LiveConnection } from '../store/items/live-connection';
import { DirectoryStore } from '../store/items/directory';
import { isSalesperson } from '../domain/visibility';
import { encodeFrame, LIVE_POST_CONCURRENCY, type LiveFrame } from '../domain/live';
import { count, logger } from '../observability';
import { LIVE_HINTS_BUDGET_MS } from '../limits';

/** Where frames go: API Gateway's management API in AWS, the local stack's sockets locally. */
export interface LiveChannel {
  /** Sends one frame; `gone` when the connection no longer exists. */
  post(connectionId: string, data: string): Promise<'sent' | 'gone'>;
  /** Closes a connection (its token expired). */
  close(connectionId: string): Promise<void>;
}

export interface LiveDeps extends Deps {
  /** Absent where no live channel is deployed: no frames, nothing else changes. */
  live?: LiveChannel | undefined;
}

/**
 * Sends one frame (or the frame `frameOrMake` builds) to every open connection of `sellerIds` (the viewers the caller computed at the time of
 * the change). Conversation frames go only to sellers who hold the salesperson role now: a demoted seller
 * stops hearing of conversations at once. A connection whose token has expired is closed instead; one
 * that is gone is forgotten. Frames are hints: a failed post is counted, never retried (the console
 * fetches again when it reconnects). Answers the number of frames sent.
 */
export async function sendHints(deps: LiveDeps, sellerIds: readonly string[], frameOrMake: LiveFrame | ((sellerId: string) => Promise<LiveFrame>), options: { exceptTab?: string | undefined } = {}): Promise<number> {
  const live = deps.live;
  if (!live || sellerIds.length === 0) return 0;
  let connections = await connectionsOf(deps.db, deps.table, sellerIds);
  // The tab whose own reading caused the change has refreshed itself: it is not told again.
  if (options.exceptTab) connections = withoutTab(connections, options.exceptTab);
  if (connections.size === 0) return 0;
  // A frame that costs a read to build (a seller's unread count) is built only for someone connected, once each.
  const frames = new Map<string, string>();
  if (typeof frameOrMake === 'function') {
    for (const sellerId of connections.keys()) frames.set(sellerId, encodeFrame(await frameOrMake(sellerId)));
  } else if (frameOrMake.type === 'conversation') {
    const sellers = await new DirectoryStore(deps.db, deps.table).getSellers([...connections.keys()]);
    const salespeople = new Set(sellers.filter(isSalesperson).map((s) => s.id));
    connections = new Map([...connections].filter(([sellerId]) => salespeople.has(sellerId)));
  }
  const nowSeconds = Math.floor(deps.clock.now().getTime() / 1000);
  const shared = typeof frameOrMake === 'function' ? undefined : encodeFrame(frameOrMake);
  const targets: { sellerId: string; connection: LiveConnection }[] = [...connections].flatMap(([sellerId, list]) => list.map((connection) => ({ sellerId, connection })));
  let sent = 0;
  // Bounded work per change: rounds of posts until the budget is spent; what is left is counted, not sent.
  const deadline = Date.now() + LIVE_HINTS_BUDGET_MS;
  for (let i = 0; i < targets.length; i += LIVE_POST_CONCURRENCY) {
    if (Date.now() > deadline) {
      count('LiveFramesDropped', targets.length - i);
      break;
    }
    const round = targets.slice(i, i + LIVE_POST_CONCURRENCY);
    const outcomes = await Promise.all(round.map(({ sellerId, connection }) => deliver(deps, live, sellerId, connection, shared ?? frames.get(sellerId)!, nowSeconds)));
    sent += outcomes.filter(Boolean).length;
  }
  count('LiveFramesSent', sent);
  return sent;
}

function withoutTab(connections: Map<string, LiveConnection[]>, tab: string): Map<string, LiveConnection[]> {
  const out = new Map<string, LiveConnection[]>();
  for (const [sellerId, list] of connections) {
    const others = list.filter((connection) => connection.tab !== tab);
    if (others.length > 0) out.set(sellerId, others);
  }
  return out;
}

async function deliver(deps: Deps, live: LiveChannel, sellerId: string, connection: LiveConnection, data: string, nowSeconds: number): Promise<boolean> {
  try {
    if (connection.tokenExpiresAt <= nowSeconds) {
      // The token that opened it has expired: the connection ends here, and the console signs in again.
      await live.close(connection.connectionId).catch(() => undefined);
      await forgetConnection(deps.db, deps.table, sellerId, connection.connectionId);
      return false;
    }
    if ((await live.post(connection.connectionId, data)) === 'sent') return true;
    await forgetConnection(deps.db, deps.table, sellerId, connection.connectionId);
    count('LiveConnectionsGone');
    return false;
  } catch (error) {
    count('LiveFramesFailed');
    logger.warn('a live frame could not be sent', { error: error as Error });
    return false;
  }
}
