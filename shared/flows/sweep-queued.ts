import type { Deps } from '../deps';
import { keys } from '../store/keys';
import { leaveQueued, queuedBefore } from '../store/items/message';
import { reason } from '../domain/status';
import { count } from '../observability';

/** A send has this long to hear from its provider before the sweeper says it is unknown. */
export const QUEUED_GRACE_MS = 5 * 60_000;

/**
 * Messages still `queued` after the grace period were stored but their send was interrupted
 * (the function died or timed out before the provider answered): they may or may not have left,
 * so they become `unknown` with a reason, never re-sent. Conditional on `queued`, so a late answer wins.
 */
export async function sweepQueued(deps: Deps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - QUEUED_GRACE_MS).toISOString();
  let swept = 0;
  for (const shard of keys.queuedShards()) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await queuedBefore(deps.db, deps.table, shard, before, start);
      for (const key of page.keys) {
        const left = await leaveQueued(deps.db, deps.table, key, { status: 'unknown', reason: reason('ProviderTimeout', 'the send was interrupted before the provider answered'), at: deps.clock.now().toISOString() });
        if (left) swept++;
      }
      start = page.lastKey;
    } while (start);
  }
  if (swept) count('OutboundSweptUnknown', swept);
  return swept;
}
