import type { FilterPattern } from '../domain/event-filter';

/**
 * Who reads the table's stream, and which changes each one wants: the event source mappings' filter
 * criteria in AWS (infra/stack.ts), the stream dispatcher's routing, and the local stream poller's
 * filtering are all built from these patterns, so the three cannot drift.
 *
 * AWS advises at most two readers per stream shard. The notifier reads the stream itself (in order:
 * unread pointers and conversation positions depend on it); the dispatcher is the second reader and
 * hands each other consumer its changes as an asynchronous invocation with that consumer's own
 * retries and failure queue, so a failing consumer never holds up the stream or the others.
 */
const message = { kind: { S: ['message'] } };

export const STREAM_FILTERS: Record<'notifier' | 'media-copier' | 'crm-events' | 'automations', FilterPattern[]> = {
  // Lambda allows 5 filters per event source mapping (infra/deploy-rules.ts): each filter below is the exact
  // product of its event names and kinds, so together they select what one filter per purpose would.
  notifier: [
    // New messages and consent changes (threads, pointers, frames); new notifications (SNS fan-out, the bell).
    // New team notifications (one per team: one publish, members' bells).
    { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['message', 'notification', 'teamNotification', 'consentChange'] } } } },
    // Conversations: inbound counts, hand-offs and owner changes refresh the unread pointers; viewers get a live frame.
    // Read marks: the reader's other tabs get a live frame.
    { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { kind: { S: ['conversation', 'readMark'] } } } },
    // Statuses (outbound) and copied files (inbound MMS) on messages; notifications read elsewhere; record
    // ownership changes, which the notifier re-applies to the record's conversations.
    { eventName: ['MODIFY'], dynamodb: { NewImage: { kind: { S: ['message', 'notification', 'record'] } } } },
    // Retention (TTL) and erasure: a removed conversation takes its head, timeline, read marks and pointers
    // along (TTL), and its viewers hear `erased`; erased notifications change the bell.
    { eventName: ['REMOVE'], dynamodb: { OldImage: { kind: { S: ['conversation', 'notification', 'teamNotification'] } } } },
    // A seller read (one team notification, a team feed, or all of their own): their other tabs' bell. Only reads set
    // `changedAt` (the counter's own updates remove it), so the counter's writes never reach the notifier.
    { eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { kind: { S: ['notificationState', 'teamFeedState'] }, changedAt: { S: [{ exists: true }] } } } },
  ],
  // `mediaPending` is a leaf written on new messages with files to copy: Lambda's `exists` sees leaves only.
  'media-copier': [{ eventName: ['INSERT'], dynamodb: { NewImage: { ...message, mediaPending: { BOOL: [true] } } } }],
  // `autoReplyDue`: an inbound message outside business hours that gets the after-hours reply (scheduled-send sends it).
  automations: [{ eventName: ['INSERT'], dynamodb: { NewImage: { ...message, autoReplyDue: { BOOL: [true] } } } }],
  'crm-events': [
    // stepRun: a CRM step that sent nothing (SmsStepSkipped).
    { eventName: ['INSERT'], dynamodb: { NewImage: { kind: { S: ['message', 'conversationEvent', 'consentChange', 'stepRun'] } } } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: message } },
    { eventName: ['MODIFY'], dynamodb: { NewImage: { kind: { S: ['erasure'] }, status: { S: ['done'] } } } },
  ],
};

export type StreamConsumer = keyof typeof STREAM_FILTERS;

/** Consumers the dispatcher invokes, with the most records one invocation carries (its timeout is computed from it). */
export const DISPATCHED = { 'media-copier': { maxRecords: 10 }, 'crm-events': { maxRecords: 100 }, automations: { maxRecords: 10 } } as const satisfies Partial<Record<StreamConsumer, { maxRecords: number }>>;
export type DispatchedConsumer = keyof typeof DISPATCHED;

/** An asynchronous invocation's payload is limited to 256 KB; a chunk stays well under it. */
export const MAX_DISPATCH_PAYLOAD_BYTES = 200_000;

/** The dispatcher's own filter: every change any dispatched consumer wants. */
export const DISPATCHER_FILTERS: FilterPattern[] = (Object.keys(DISPATCHED) as DispatchedConsumer[]).flatMap((name) => STREAM_FILTERS[name]);

/** The two readers' batch sizes (event source mappings): the notifier's keeps its worst case under Lambda's 15 minutes (infra/timeouts.ts). */
export const STREAM_BATCH_SIZE = { notifier: 20, 'stream-dispatcher': 100 } as const;
