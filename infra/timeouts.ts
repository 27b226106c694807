import { Duration } from 'aws-cdk-lib';
import { PROVIDER_TIMEOUT_WORST_MS, API_GATEWAY_INTEGRATION_TIMEOUT_MS, AWS_CALL_WORST_MS, LIVE_HINTS_BUDGET_MS, LIVE_POST_WORST_MS, CRM_EVENTS_RETRY_DELAYS_MS, ERASURE_REQUEST_BUDGET_MS, MEDIA_FETCH_TIMEOUT_MS, MEDIA_RETRY_DELAYS_MS } from '../shared/limits';
import { DISPATCHED, STREAM_BATCH_SIZE } from '../shared/store/stream-consumers';


const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const seconds = (ms: number) => Math.ceil(ms / 1000);

/**
 * Each stream-driven and long-running function's worst case, from the limits its code keeps
 * (shared/limits.ts): the Lambda timeout is never below it. The template test asserts each one.
 */
export const WORST_CASE_MS = {
  // Files of one message are copied at once; messages one after the other. Each file: every attempt
  // times out, with the waits between them, then one S3 put and one DynamoDB update.
  'media-copier': DISPATCHED['media-copier'].maxRecords * ((MEDIA_RETRY_DELAYS_MS.length + 1) * MEDIA_FETCH_TIMEOUT_MS + sum(MEDIA_RETRY_DELAYS_MS) + 3 * AWS_CALL_WORST_MS),
  // One read per change, then the events put 10 at a time, each batch retried with its waits, then the failure queue.
  'crm-events': DISPATCHED['crm-events'].maxRecords * AWS_CALL_WORST_MS + Math.ceil(DISPATCHED['crm-events'].maxRecords / 10) * ((CRM_EVENTS_RETRY_DELAYS_MS.length + 1) * AWS_CALL_WORST_MS + sum(CRM_EVENTS_RETRY_DELAYS_MS)) + AWS_CALL_WORST_MS,
  // Per change: the conversation and the members read, the notifications and pointers written (about 8 calls), one publish;
  // live frames: connections, roles and the unread count read, then rounds of posts until their budget, the last round in flight.
  notifier: STREAM_BATCH_SIZE.notifier * (12 * AWS_CALL_WORST_MS + LIVE_HINTS_BUDGET_MS + LIVE_POST_WORST_MS),
  // One asynchronous Invoke per chunk: the crm-events chunks of a batch and a media chunk per 10 changes.
  'stream-dispatcher': (Object.values(DISPATCHED) as { maxRecords: number }[]).reduce((chunks, consumer) => chunks + Math.ceil(STREAM_BATCH_SIZE['stream-dispatcher'] / consumer.maxRecords), 0) * AWS_CALL_WORST_MS,
  // The erasure stops starting batches at its budget; the last batch and the answer fit before API Gateway gives up.
  privacy: ERASURE_REQUEST_BUDGET_MS + 2 * AWS_CALL_WORST_MS,
  // A fire comes within the minute of its time and waits up to 61 s for its second, then about 12 calls and the provider's.
  // After-hours replies come from the stream in chunks, one after another: each about 12 calls and the provider's.
  'scheduled-send': Math.max(61_000 + 12 * AWS_CALL_WORST_MS + PROVIDER_TIMEOUT_WORST_MS, DISPATCHED.automations.maxRecords * (12 * AWS_CALL_WORST_MS + PROVIDER_TIMEOUT_WORST_MS)),
} as const;

/** Lambda's own limit. */
const LAMBDA_MAX_TIMEOUT_S = 900;

export function timeoutFor(name: keyof typeof WORST_CASE_MS): Duration {
  const worst = seconds(WORST_CASE_MS[name]);
  if (worst > LAMBDA_MAX_TIMEOUT_S) throw new Error(`${name}'s worst case (${worst} s) exceeds Lambda's ${LAMBDA_MAX_TIMEOUT_S} s: lower its batch size`);
  // Functions behind API Gateway: past its integration timeout the caller has gone, so no longer than that.
  if (name === 'privacy') return Duration.seconds(Math.min(Math.max(worst, 15), seconds(API_GATEWAY_INTEGRATION_TIMEOUT_MS) - 1));
  return Duration.seconds(Math.max(worst, 15));
}
