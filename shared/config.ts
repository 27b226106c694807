import * as z from 'zod';

const configSchema = z.object({
  TABLE_NAME: z.string().min(1).default('SmsCrm'),
  DEFAULT_REGION: z.string().length(2).default('US'),
  AWS_REGION: z.string().default('us-east-1'),
  DYNAMODB_ENDPOINT: z.string().url().optional(),
  NOTIFICATIONS_TOPIC_ARN: z.string().optional(),
  PINPOINT_APPLICATION_ID: z.string().optional(),
  EUM_CONFIGURATION_SET: z.string().optional(),
  /** Secret holding {"accountSid","authToken"}; read at run time, never from plain env in AWS. */
  TWILIO_SECRET_ARN: z.string().optional(),
  /** Local stack and tests only: Twilio credentials given directly. */
  TWILIO_AUTH_TOKEN: z.string().optional(),
  TWILIO_ACCOUNT_SID: z.string().optional(),
  TWILIO_API_BASE_URL: z.string().url().default('https://api.twilio.com'),
  /** Public base URL of the callbacks API (used as Twilio status callback). */
  PUBLIC_BASE_URL: z.string().optional(),
  /** Comma-separated topic ARNs whose SubscriptionConfirmation we accept. */
  SNS_ALLOWED_TOPIC_ARNS: z.string().default(''),
  /** Key that signs pagination cursors (HMAC). In AWS it comes from Secrets Manager via CURSOR_SECRET_ARN. */
  CURSOR_SIGNING_KEY: z.string().optional(),
  CURSOR_SECRET_ARN: z.string().optional(),
  /** EventBridge `source` of the CRM's RecordUpserted events; events from any other source are ignored. */
  CRM_EVENT_SOURCE: z.string().min(1).default('crm'),
  /** Storage limitation: messages expire this many days after they were created (DynamoDB TTL). */
  RETENTION_DAYS: z.coerce.number().int().positive().optional(),
  /** MMS copies: the bucket, the hosts provider media URLs may name, and the time allowed per file. */
  MEDIA_BUCKET: z.string().optional(),
  MEDIA_ALLOWED_HOSTS: z.string().default('api.twilio.com'),
  MEDIA_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  /** Events to the CRM: the bus (default bus when unset) and the queue for entries that keep failing. */
  EVENT_BUS_NAME: z.string().optional(),
  CRM_EVENTS_FAILURE_QUEUE_URL: z.string().optional(),
  PROVIDER_TIMEOUT_MS: z.coerce.number().int().positive().default(8000),
});

export type Config = z.infer<typeof configSchema>;

let cached: Config | undefined;

/** Environment read and validated once per process. */
export function config(): Config {
  cached ??= configSchema.parse(process.env);
  return cached;
}
