/**
 * `npm run replay-stream-failure -- --bucket <StreamFailuresBucketName> (--key <object> | --prefix aws/lambda/) [--delete]`
 *
 * Feeds table-stream batches that failed after their retries back through the consumer that failed them. Lambda's
 * S3 on-failure destination keeps each such batch whole: an invocation record (`requestContext.functionArn`, the
 * consumer; `DDBStreamBatchInfo`, where it was in the stream) with the batch itself in `payload`. The stream keeps
 * records only 24 hours; the bucket keeps them 14 days. Each consumer is idempotent per record (notifications,
 * pointers and CRM events are keyed by the change), so replaying a batch that partly succeeded is safe.
 * Uses the caller's AWS credentials (lambda:InvokeFunction on the consumer, s3:GetObject/ListBucket/DeleteObject
 * on the bucket).
 */
import { fileURLToPath } from 'node:url';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/** What Lambda writes to an S3 on-failure destination for a stream batch. */
export interface StreamFailureRecord {
  requestContext: { functionArn: string; condition?: string; approximateInvokeCount?: number };
  DDBStreamBatchInfo?: { shardId: string; startSequenceNumber: string; endSequenceNumber: string; batchSize: number; streamArn: string };
  /** The batch as the function received it: a JSON string, or the event itself. */
  payload?: string | DynamoDBStreamEvent;
}

export interface ReplayDeps {
  readObject(bucket: string, key: string): Promise<string>;
  listKeys(bucket: string, prefix: string): Promise<string[]>;
  deleteObject(bucket: string, key: string): Promise<void>;
  /** Invokes the consumer synchronously, as its event source mapping would; resolves with its answer, rejects on a function error. */
  invoke(functionArn: string, event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | void>;
}

export interface ReplayOutcome {
  key: string;
  functionArn: string;
  records: number;
  /** Sequence numbers the consumer still reported as failed (the object is kept). */
  stillFailing: string[];
}

/** The failed batch inside an invocation record; refuses a record without one (an SQS-style record holds only the position). */
export function failedBatchOf(text: string): { functionArn: string; event: DynamoDBStreamEvent } {
  const record = JSON.parse(text) as StreamFailureRecord;
  if (!record.requestContext?.functionArn) throw new Error('not a Lambda invocation record: no requestContext.functionArn');
  if (record.payload === undefined) throw new Error('the invocation record holds no payload (only S3 destinations keep the batch)');
  const event = (typeof record.payload === 'string' ? JSON.parse(record.payload) : record.payload) as DynamoDBStreamEvent;
  if (!Array.isArray(event.Records) || event.Records.some((r: DynamoDBRecord) => r.eventSource !== 'aws:dynamodb')) throw new Error('the payload is not a DynamoDB stream batch');
  return { functionArn: record.requestContext.functionArn, event };
}

/** Replays one object (or every object under a prefix); with `remove`, deletes each object whose batch now succeeds. */
export async function replayStreamFailures(deps: ReplayDeps, options: { bucket: string; key?: string; prefix?: string; remove?: boolean }): Promise<ReplayOutcome[]> {
  const keys = options.key ? [options.key] : await deps.listKeys(options.bucket, options.prefix ?? 'aws/lambda/');
  const outcomes: ReplayOutcome[] = [];
  for (const key of keys) {
    const { functionArn, event } = failedBatchOf(await deps.readObject(options.bucket, key));
    const answer = await deps.invoke(functionArn, event);
    const stillFailing = (answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier);
    if (stillFailing.length === 0 && options.remove) await deps.deleteObject(options.bucket, key);
    outcomes.push({ key, functionArn, records: event.Records.length, stillFailing });
  }
  return outcomes;
}

async function awsDeps(): Promise<ReplayDeps> {
  const { S3Client, GetObjectCommand, ListObjectsV2Command, DeleteObjectCommand } = await import('@aws-sdk/client-s3');
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const s3 = new S3Client({});
  const lambda = new LambdaClient({});
  return {
    readObject: async (bucket, key) => (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToString(),
    listKeys: async (bucket, prefix) => {
      const keys: string[] = [];
      let token: string | undefined;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((o) => o.Key!));
        token = page.NextContinuationToken;
      } while (token);
      return keys;
    },
    deleteObject: async (bucket, key) => void (await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))),
    invoke: async (functionArn, event) => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }));
      const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
      if (out.FunctionError) throw new Error(`${functionArn} failed again: ${text.slice(0, 500)}`);
      return text ? (JSON.parse(text) as DynamoDBBatchResponse | null) ?? undefined : undefined;
    },
  };
}

async function main() {
  const args = process.argv.slice(2);
  const value = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
  const bucket = value('--bucket');
  if (!bucket || (!value('--key') && !value('--prefix'))) {
    console.error('usage: npm run replay-stream-failure -- --bucket <StreamFailuresBucketName> (--key <object key> | --prefix aws/lambda/) [--delete]');
    process.exit(2);
  }
  const outcomes = await replayStreamFailures(await awsDeps(), { bucket, ...optional('key', value('--key')), ...optional('prefix', value('--prefix')), remove: args.includes('--delete') });
  for (const o of outcomes) console.log(`${o.key}: ${o.records} records through ${o.functionArn.split(':').pop()}${o.stillFailing.length ? `; still failing: ${o.stillFailing.join(', ')}` : '; done'}`);
  if (outcomes.some((o) => o.stillFailing.length > 0)) process.exit(1);
}

function optional<K extends string>(key: K, v: string | undefined): Partial<Record<K, string>> {
  return v === undefined ? {} : ({ [key]: v } as Record<K, string>);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`replay failed: ${(error as Error).message}`);
    process.exit(1);
  });
}
