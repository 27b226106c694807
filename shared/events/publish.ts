import { CRM_EVENTS_RETRY_DELAYS_MS } from '../limits';
import { PutEventsCommand, type EventBridgeClient, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { CRM_EVENT_SOURCE, type CrmEvent } from '../domain/crm-events';
import { count, logger } from '../observability';

export interface CrmEventPublisher {
  eventBridge: Pick<EventBridgeClient, 'send'>;
  /** The bus name or ARN; the account's default bus when undefined. */
  busName: string | undefined;
  /** Where entries go that still fail after the retries (the stream's failure queue), with all a replay needs. */
  failures: { sqs: Pick<SQSClient, 'send'>; queueUrl: string | undefined };
  retryDelaysMs?: readonly number[];
}

/** EventBridge accepts at most 10 entries per PutEvents. */
const ENTRIES_PER_CALL = 10;
const DEFAULT_RETRY_DELAYS_MS: readonly number[] = CRM_EVENTS_RETRY_DELAYS_MS;

export function entryOf(event: CrmEvent, busName: string | undefined): PutEventsRequestEntry {
  return { Source: CRM_EVENT_SOURCE, DetailType: event.detailType, Detail: JSON.stringify(event.detail), ...(busName ? { EventBusName: busName } : {}) };
}

/**
 * Puts the events in batches of 10; an entry EventBridge reports failed is retried alone (never the
 * whole batch again), with backoff; what still fails is sent to the failure queue, so no event is lost
 * and the caller (the stream) carries on. Throws only when the failure queue itself refuses.
 */
export async function publishCrmEvents(publisher: CrmEventPublisher, events: readonly CrmEvent[]): Promise<{ calls: number; put: number; deadLettered: number }> {
  let calls = 0;
  let put = 0;
  const stillFailing: { entry: PutEventsRequestEntry; error: string }[] = [];
  for (let i = 0; i < events.length; i += ENTRIES_PER_CALL) {
    let pending = events.slice(i, i + ENTRIES_PER_CALL).map((event) => entryOf(event, publisher.busName));
    let lastErrors: string[] = [];
    const delays = publisher.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    for (let attempt = 0; pending.length > 0 && attempt <= delays.length; attempt++) {
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
      calls++;
      try {
        const out = await publisher.eventBridge.send(new PutEventsCommand({ Entries: pending }));
        const results = out.Entries ?? [];
        const failed = pending.filter((_, j) => results[j]?.ErrorCode || !results[j]?.EventId);
        lastErrors = pending.map((_, j) => results[j]?.ErrorCode ?? '').filter((_, j) => results[j]?.ErrorCode || !results[j]?.EventId);
        put += pending.length - failed.length;
        pending = failed;
      } catch (error) {
        // The whole call failed (throttled, unreachable): every entry of it is retried.
        lastErrors = pending.map(() => (error as Error).name);
      }
    }
    pending.forEach((entry, j) => stillFailing.push({ entry, error: lastErrors[j] ?? 'Unknown' }));
  }
  if (stillFailing.length > 0) {
    count('CrmEventsFailed', stillFailing.length);
    logger.error('CRM events still failing after retries; sent to the failure queue', { count: stillFailing.length, errors: [...new Set(stillFailing.map((f) => f.error))] });
    // The SQS SDK loads only on this path, not at cold start.
    const { SendMessageCommand } = await import('@aws-sdk/client-sqs');
    await publisher.failures.sqs.send(
      new SendMessageCommand({ QueueUrl: publisher.failures.queueUrl, MessageBody: JSON.stringify({ kind: 'CrmEventsFailed', replay: 'PutEvents with these Entries (their Detail.eventId makes a replay safe to repeat)', entries: stillFailing }) }),
    );
  }
  count('CrmEventsPut', put);
  return { calls, put, deadLettered: stillFailing.length };
}
