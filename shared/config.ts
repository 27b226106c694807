import * as z from 'zod/mini';
import { MEDIA_FETCH_TIMEOUT_MS, PROVIDER_TIMEOUT_WORST_MS } from './limits';
import { QUIET_HOURS_PATTERN } from './domain/quiet-hours';

/** A whole number above zero, from its text in the environment. */
const positiveInt = z.coerce.number().check(z.int(), z.positive());

const configSchema = z.object({
  /** Required: a function deployed without its table fails on its first invocation, never writes to a guessed one. */
  TABLE_NAME: z.string().check(z.minLength(1)),
  DEFAULT_REGION: z._default(z.string().check(z.length(2)), 'US'),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  NOTIFICATIONS_TOPIC_ARN: z.optional(z.string()),
  PINPOINT_APPLICATION_ID: z.optional(z.string()),
  EUM_CONFIGURATION_SET: z.optional(z.string()),
  /** Secret holding {"accountSid","authToken"}; read at run time, never from plain env in AWS. */
  TWILIO_SECRET_ARN: z.optional(z.string()),
  /** Local stack and tests only: Twilio credentials given directly. */
  TWILIO_AUTH_TOKEN: z.optional(z.string()),
  TWILIO_ACCOUNT_SID: z.optional(z.string()),
  TWILIO_API_BASE_URL: z._default(z.url(), 'https://api.twilio.com'),
  /** Public base URL of the callbacks API (used as Twilio status callback). */
  PUBLIC_BASE_URL: z.optional(z.string()),
  /** Comma-separated topic ARNs whose SubscriptionConfirmation we accept. */
  SNS_ALLOWED_TOPIC_ARNS: z._default(z.string(), ''),
  /** Key that signs pagination cursors (HMAC). In AWS it comes from Secrets Manager via CURSOR_SECRET_ARN. */
  CURSOR_SIGNING_KEY: z.optional(z.string()),
  CURSOR_SECRET_ARN: z.optional(z.string()),
  /** EventBridge `source` of the CRM's RecordUpserted events; events from any other source are ignored. */
  CRM_EVENT_SOURCE: z._default(z.string().check(z.minLength(1)), 'crm'),
  /** Storage limitation: messages expire this many days after they were created (DynamoDB TTL). */
  RETENTION_DAYS: z.optional(positiveInt),
  /** MMS copies: the bucket, the hosts provider media URLs may name, and the time allowed per file. */
  MEDIA_BUCKET: z.optional(z.string()),
  MEDIA_ALLOWED_HOSTS: z._default(z.string(), 'api.twilio.com'),
  MEDIA_FETCH_TIMEOUT_MS: z._default(positiveInt, MEDIA_FETCH_TIMEOUT_MS),
  /** Events to the CRM: the bus (default bus when unset) and the queue for entries that keep failing. */
  EVENT_BUS_NAME: z.optional(z.string()),
  CRM_EVENTS_FAILURE_QUEUE_URL: z.optional(z.string()),
  PROVIDER_TIMEOUT_MS: z._default(positiveInt, PROVIDER_TIMEOUT_WORST_MS),
  /** Quiet hours in the customer's time zone (`HH:MM-HH:MM`, or `off`); unset: off. CDK sets it from context quietHours. */
  QUIET_HOURS: z.optional(z.string().check(z.regex(QUIET_HOURS_PATTERN, 'HH:MM-HH:MM or off'))),
  /** The live channel: whose tokens `$connect` accepts (the stack's user pool, or an external issuer), and where the notifier posts frames. */
  USER_POOL_ID: z.optional(z.string()),
  USER_POOL_CLIENT_ID: z.optional(z.string()),
  JWT_ISSUER: z.optional(z.string()),
  JWT_AUDIENCE: z.optional(z.string()),
  /** With JWT_ISSUER: its JWKS address (default: from the issuer's OIDC discovery document). */
  JWT_JWKS_URI: z.optional(z.url()),
  LIVE_CONNECTIONS_URL: z.optional(z.url()),
  /** Send later: the EventBridge Scheduler group, the function schedules invoke and the role they invoke it with, their dead-letter queue. */
  SCHEDULE_GROUP: z.optional(z.string()),
  SCHEDULE_TARGET_ARN: z.optional(z.string()),
  SCHEDULE_ROLE_ARN: z.optional(z.string()),
  SCHEDULE_DLQ_ARN: z.optional(z.string()),
  /** Send later: how far ahead `sendAt` must be (default 60 s; lower only for tests). */
  SCHEDULE_MIN_LEAD_SECONDS: z.optional(positiveInt),
  /** The stream dispatcher's consumers: their function names. */
  MEDIA_COPIER_FUNCTION: z.optional(z.string()),
  CRM_EVENTS_FUNCTION: z.optional(z.string()),
  /** The stream dispatcher's target for after-hours replies (the scheduled-send function). */
  AUTOMATIONS_FUNCTION: z.optional(z.string()),
});

export type Config = z.infer<typeof configSchema>;

let cached: Config | undefined;

/** Environment read and validated once per process. */
export function config(): Config {
  cached ??= configSchema.parse(process.env);
  return cached;
}
