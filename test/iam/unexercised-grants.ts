/**
 * Grants of the synthesized roles that no test's recorded SDK calls exercise, each with the reason it is there
 * (also in the README). A pattern that matches no unexercised grant any more fails the coverage check: the
 * list never holds more than the roles do.
 */
export const unexercisedGrants: { grant: RegExp; why: string; /** Exercised in some runs only (timing decides): never reported as stale. */ sometimes?: true }[] = [
  { grant: /^[\w-]+: logs:(CreateLogStream|PutLogEvents) on /, why: 'used by the Lambda runtime to write the function\'s own log group, not by our code' },
  { grant: /^[\w-]+: xray:(PutTraceSegments|PutTelemetryRecords) on \*$/, why: 'used by Lambda\'s active tracing on the function\'s behalf' },
  { grant: /^[\w-]+: sqs:(SendMessage|GetQueueAttributes|GetQueueUrl) on \S+:(\w+Dlq\w+)$/, why: 'the function\'s failure queue: Lambda (asynchronous invocation, event source mapping, SNS subscription) sends failed events there with the function\'s role; the crm-events SendMessage is also exercised by its tests through the mock' },
  { grant: /^(notifier|stream-dispatcher): dynamodb:(ListStreams|DescribeStream|GetRecords|GetShardIterator) on /, why: 'the table stream\'s event source mapping reads the stream with the function\'s role' },
  { grant: /^delivery-reports: kinesis:\w+ on /, why: 'the Pinpoint event stream\'s event source mapping (context pinpointEventStream) reads Kinesis with the function\'s role' },
  { grant: /^(notifier|stream-dispatcher): s3:(PutObject|ListBucket) on \S*streamfailures/i, why: 'Lambda\'s S3 on-failure destination writes a table-stream batch that failed after its retries with the reading function\'s role; the replay of such a batch is tested (test/integration/stream-failure-replay.test.ts)' },
  { grant: /^outbound-send: sms-voice:Send(Text|Media)Message on \S+:(pool|sender-id|configuration-set)\/\*$/, why: 'End User Messaging authorizes the origination identity a number is sent from (a pool or sender ID as well as a phone number) and the configuration set; tests send from phone numbers' },
  { grant: /^(twilio|sns)-callbacks: dynamodb:(BatchGetItem on \S+|ConditionCheckItem on \S+|Query on \S+\/index\/gsi1|UpdateItem on \S+ keys CONV#\*)$/, why: 'the callbacks run the inbound and delivery-report flows (receiveInbound, applyDeliveryReport) that the inbound and delivery-reports functions run, whose tests exercise these: routing reads through gsi1 and BatchGetItem, a pending report\'s condition check, a status update' },
  { grant: /^privacy: dynamodb:DeleteItem on \S+ keys PMSG#\*$/, why: 'erasure deletes whatever else sits under an erased message\'s provider id (a delivery report still pending there) when it leaves the pointer\'s tombstone; a report is pending only between a send and its recording, which no erasure test interrupts' },
];
