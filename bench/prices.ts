/**
 * List prices used by the cost model (us-east-1, on-demand, USD), as published on the pages below
 * when this table was written (2026-11). Change them here only.
 */
export const prices = {
  /** https://aws.amazon.com/dynamodb/pricing/on-demand/ (write and read request units) */
  dynamoWriteRequestUnitPerMillion: 0.625,
  dynamoReadRequestUnitPerMillion: 0.125,
  /** https://aws.amazon.com/lambda/pricing/ (Arm: per GB-second, per request) */
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequestPerMillion: 0.2,
  /** https://aws.amazon.com/sns/pricing/ (standard topic publishes; deliveries to Lambda and SQS are free) */
  snsPublishPerMillion: 0.5,
  /** https://aws.amazon.com/api-gateway/pricing/ (HTTP APIs, first 300 million requests) */
  httpApiRequestPerMillion: 1.0,
  /** https://aws.amazon.com/api-gateway/pricing/ (WebSocket APIs: messages in 32 KB units, first billion; connection minutes) */
  webSocketMessagePerMillion: 1.0,
  webSocketConnectionMinutePerMillion: 0.25,
  /** https://aws.amazon.com/s3/pricing/ (S3 Standard: storage per GB-month, first 50 TB; PUT and GET per 1,000 requests) */
  s3StandardGbMonth: 0.023,
  /** https://aws.amazon.com/eventbridge/pricing/ (custom events put, per million 64 KB chunks) */
  eventBridgeEventPerMillion: 1.0,
  /** https://aws.amazon.com/eventbridge/pricing/ (EventBridge Scheduler: per million scheduled invocations after the first 14 million a month; its API calls are not billed) */
  schedulerInvocationPerMillion: 1.0,
  s3PutPerThousand: 0.005,
  /**
   * Provider fees per outbound MMS to a US number, before carriers' pass-through fees, as the providers' pricing pages
   * listed them when written (https://www.twilio.com/en-us/mms/pricing/us, https://aws.amazon.com/end-user-messaging/pricing/):
   * check them against your own contract before quoting.
   */
  twilioMmsUsPerMessage: 0.022,
  eumMmsUsPerMessage: 0.02,
  s3GetPerThousand: 0.0004,
} as const;

export const LAMBDA_MEMORY_GB = 0.5;
