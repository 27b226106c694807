import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

/**
 * Drives a handler from the table's stream through the DynamoDB Streams API of DynamoDB Local,
 * as Lambda's event source mapping does in AWS: batches in order per shard, and a reported item
 * failure makes the next poll start again at that record.
 */
export class StreamPoller {
  private readonly streams: DynamoDBStreamsClient;
  private readonly dynamo: DynamoDBClient;
  private streamArn: string | undefined;
  private readonly iterators = new Map<string, string | null>();
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    endpoint: string,
    private readonly tableName: string,
    private readonly handler: StreamHandler,
    private readonly batchSize = 100,
  ) {
    const options = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    this.streams = new DynamoDBStreamsClient(options);
    this.dynamo = new DynamoDBClient(options);
  }

  /** Polls every shard once; returns how many records the handler saw. */
  async pollOnce(): Promise<number> {
    await this.refreshShards();
    let seen = 0;
    for (const [shardId, iterator] of this.iterators) {
      if (!iterator) continue;
      const out = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: this.batchSize }));
      const records = out.Records ?? [];
      this.iterators.set(shardId, out.NextShardIterator ?? null);
      if (records.length === 0) continue;
      seen += records.length;
      const response = await this.handler(toLambdaEvent(records, this.streamArn!));
      const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
      if (failed) {
        const again = await this.streams.send(
          new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: failed }),
        );
        this.iterators.set(shardId, again.ShardIterator ?? null);
      }
    }
    return seen;
  }

  /** Polls until the stream has nothing new (tests, seeding). */
  async drain(maxPolls = 200): Promise<number> {
    let total = 0;
    let idle = 0;
    for (let i = 0; i < maxPolls && idle < 2; i++) {
      const seen = await this.pollOnce();
      total += seen;
      idle = seen === 0 ? idle + 1 : 0;
    }
    return total;
  }

  start(intervalMs = 250): void {
    if (this.running) return;
    this.running = true;
    this.loop = (async () => {
      while (this.running) {
        try {
          await this.pollOnce();
        } catch (error) {
          if (this.running) console.error('stream poller:', (error as Error).message);
        }
        await new Promise((r) => setTimeout(r, intervalMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
    this.streams.destroy();
    this.dynamo.destroy();
  }

  private async refreshShards(): Promise<void> {
    if (!this.streamArn) {
      const { Table } = await this.dynamo.send(new DescribeTableCommand({ TableName: this.tableName }));
      this.streamArn = Table?.LatestStreamArn;
      if (!this.streamArn) throw new Error(`table ${this.tableName} has no stream`);
    }
    const { StreamDescription } = await this.streams.send(new DescribeStreamCommand({ StreamArn: this.streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || this.iterators.has(shard.ShardId)) continue;
      const { ShardIterator } = await this.streams.send(
        new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shard.ShardId, ShardIteratorType: 'TRIM_HORIZON' }),
      );
      this.iterators.set(shard.ShardId, ShardIterator ?? null);
    }
  }
}

function toLambdaEvent(records: StreamRecord[], streamArn: string): DynamoDBStreamEvent {
  return {
    Records: records.map((r) => ({
      eventID: r.eventID,
      eventName: r.eventName,
      eventVersion: r.eventVersion,
      eventSource: 'aws:dynamodb',
      awsRegion: 'us-east-1',
      eventSourceARN: streamArn,
      dynamodb: r.dynamodb as never,
    })),
  } as DynamoDBStreamEvent;
}
