import type { Principal, RecordType } from './types';
import type { RoutingExplanation } from './routing';
import type { ConsentRecord } from './opt-out';

type RecordRef = { type: RecordType; id: string };

/** One entry of a conversation's timeline (contract: `GET /conversations/{id}/events`). */
export type TimelineEvent = { id: string; at: string; by?: string } & (
  | { kind: 'created'; detail: { record?: RecordRef; routing?: RoutingExplanation } }
  | { kind: 'moved'; detail: { from: RecordRef; to: RecordRef } }
  | { kind: 'merged'; detail: { fromConversationId: string } }
  | { kind: 'assigned'; detail: { from: Principal; to: Principal; /** Their display names at the time. */ fromName?: string; toName?: string; /** Chosen by the team's auto-assignment (no `by`). */ auto?: true } }
  | { kind: 'opted_out' | 'opted_in'; detail: { source: 'keyword' | 'manual'; keyword?: string; reason?: string } }
  | { kind: 'likely_opt_out'; detail: { messageId: string } }
);

export type TimelineKind = TimelineEvent['kind'];

/**
 * The timeline from its three stored sources, newest first: the conversation's creation (on its head
 * item), the changes recorded with it (moved, merged, assigned) and the consent history of its
 * customer with its business number from the conversation's creation on.
 */
export function timeline(input: {
  created?: { id: string; at: string; record?: RecordRef | undefined; routing?: RoutingExplanation | undefined; by?: string | undefined } | undefined;
  changes: readonly TimelineEvent[];
  consent: readonly ConsentRecord[];
}): TimelineEvent[] {
  const events: TimelineEvent[] = [...input.changes];
  const created = input.created;
  if (created) {
    events.push({ id: created.id, kind: 'created', at: created.at, ...(created.by ? { by: created.by } : {}), detail: { ...(created.record ? { record: created.record } : {}), ...(created.routing ? { routing: created.routing } : {}) } });
  }
  for (const change of input.consent) {
    if (created && change.at < created.at) continue;
    events.push({
      id: change.id,
      kind: change.status,
      at: change.at,
      ...(change.by ? { by: change.by } : {}),
      detail: { source: change.source, ...(change.keyword ? { keyword: change.keyword } : {}), ...(change.reason ? { reason: change.reason } : {}) },
    });
  }
  // Newest first; at the same instant, creation is the oldest, then by id (time-ordered ULIDs).
  const key = (e: TimelineEvent) => `${e.at}\u0000${e.kind === 'created' ? 0 : 1}\u0000${e.id}`;
  return events.sort((a, b) => (key(a) < key(b) ? 1 : key(a) > key(b) ? -1 : 0));
}
