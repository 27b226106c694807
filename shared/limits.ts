/**
 * The time limits the functions work within, in one place: the code waits no longer than these, and
 * infra/timeouts.ts computes each function's Lambda timeout from them, so a timeout is never below
 * the worst case the code allows.
 */

/** API Gateway HTTP APIs end an integration after 30 s. */
export const API_GATEWAY_INTEGRATION_TIMEOUT_MS = 30_000;

/** One erasure request works at most this long, then answers 202 and is resumed by the next request. */
export const ERASURE_REQUEST_BUDGET_MS = 20_000;

/** MMS copies: one fetch of a provider's file, and the waits between attempts (one more attempt than waits). */
export const MEDIA_FETCH_TIMEOUT_MS = 10_000;
export const MEDIA_RETRY_DELAYS_MS = [500, 2_000] as const;

/** CRM events: the waits between attempts of a PutEvents batch of 10 entries. */
export const CRM_EVENTS_RETRY_DELAYS_MS = [100, 400, 1_600] as const;

/**
 * A bound on one AWS call (DynamoDB, S3, SNS, EventBridge, Lambda Invoke) including the SDK's own
 * retries of throttles: our clients answer in tens of milliseconds; this is the slow tail with a retry.
 */
export const AWS_CALL_WORST_MS = 2_000;

/** Live frames: one post to API Gateway's management API (two attempts of 3 s), and the most time one change spends posting. */
export const LIVE_POST_WORST_MS = 6_000;
export const LIVE_HINTS_BUDGET_MS = 5_000;

/** The longest a provider's send may take (PROVIDER_TIMEOUT_MS's default): a sending function's worst case counts it. */
export const PROVIDER_TIMEOUT_WORST_MS = 8_000;
