import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DescribeTableCommand, DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { matchesAnyFilter, type FilterPattern } from '../../shared/domain/event-filter';
import { DEPLOY_RULES, MAX_FILTERS_PER_EVENT_SOURCE_MAPPING } from '../../infra/deploy-rules';

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

export interface StreamReaderOptions {
  batchSize?: number;
  /**
   * The event source mapping's filter criteria: only matching records reach the handler (Lambda's semantics).
   * Required, so that no reader sees changes its deployed mapping would not pass it: `'every change'` only for a
   * reader whose mapping has no filter (none is deployed so).
   */
  filters: readonly FilterPattern[] | 'every change';
  /** Retries of a failing record before it is set aside, as MaximumRetryAttempts does; then the rest of the batch goes on. */
  maxRetries?: number;
  /**
   * Where the reader keeps its position per shard (a persistent local stack): it resumes after the last record it
   * finished, as Lambda keeps an event source mapping's position, instead of reading the shard from its start.
   */
  checkpoint?: StreamCheckpoint;
}

/** A reader's position per shard: the sequence number of the last record it finished. */
export interface StreamCheckpoint {
  load(): Record<string, string>;
  save(positions: Record<string, string>): void;
}

/** A checkpoint in a JSON file (written whole, through a temporary file and a rename, after each batch). */
export function fileCheckpoint(file: string): StreamCheckpoint {
  return {
    load: () => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>) : {}),
    save(positions) {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(positions));
      renameSync(`${file}.tmp`, file);
    },
  };
}

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

  /** Records set aside after their retries: what the on-failure queue holds in AWS. */
  readonly failed: DynamoDBRecord[] = [];
  private readonly retries = new Map<string, number>();
  private readonly batchSize: number;
  private readonly positions: Record<string, string>;

  constructor(
    endpoint: string,
    private readonly tableName: string,
    private readonly handler: StreamHandler,
    private readonly options: StreamReaderOptions,
  ) {
    // Lambda refuses such a mapping (CreateEventSourceMapping fails); so does its stand-in.
    if (options.filters !== 'every change' && options.filters.length > MAX_FILTERS_PER_EVENT_SOURCE_MAPPING) {
      throw new Error(`${options.filters.length} filters on one event source mapping; Lambda allows ${MAX_FILTERS_PER_EVENT_SOURCE_MAPPING} (${DEPLOY_RULES.find((r) => r.id === 'lambda-filters-per-event-source-mapping')!.source})`);
    }
    this.batchSize = options.batchSize ?? 100;
    this.positions = options.checkpoint?.load() ?? {};
    const client = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
    this.streams = new DynamoDBStreamsClient(client);
    this.dynamo = new DynamoDBClient(client);
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
      const event = toLambdaEvent(records, this.streamArn!);
      // Lambda filters before invoking: records that match no filter are passed over, never delivered.
      const { filters } = this.options;
      const wanted = filters === 'every change' ? event.Records : event.Records.filter((r) => matchesAnyFilter(filters, r));
      const response = wanted.length === 0 ? undefined : await this.handler({ Records: wanted });
      const failed = response?.batchItemFailures?.[0]?.itemIdentifier;
      if (!failed) this.finished(shardId, records[records.length - 1]!.dynamodb!.SequenceNumber!);
      if (failed) {
        const attempts = (this.retries.get(failed) ?? 0) + 1;
        this.retries.set(failed, attempts);
        if (attempts > (this.options.maxRetries ?? 10)) {
          // The poison record is set aside; the stream goes on from the record after it.
          this.retries.delete(failed);
          this.failed.push(wanted.find((r) => r.dynamodb?.SequenceNumber === failed)!);
          this.finished(shardId, failed);
          const next = await this.streams.send(
            new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: failed }),
          );
          this.iterators.set(shardId, next.ShardIterator ?? null);
          continue;
        }
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

  /** Stops polling; with `drainMs`, first finishes what the stream holds (for at most that long), as a graceful shutdown. */
  async stop(options: { drainMs?: number } = {}): Promise<void> {
    this.running = false;
    await this.loop;
    if (options.drainMs) {
      await Promise.race([this.drain().catch((error: unknown) => console.error('stream poller:', (error as Error).message)), new Promise((r) => setTimeout(r, options.drainMs).unref())]);
    }
    this.streams.destroy();
    this.dynamo.destroy();
  }

  /** The shard's position moves past `sequenceNumber` (kept when a checkpoint is configured). */
  private finished(shardId: string, sequenceNumber: string): void {
    if (!this.options.checkpoint) return;
    this.positions[shardId] = sequenceNumber;
    this.options.checkpoint.save(this.positions);
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
      // Where this reader stopped before a restart, else the shard's start.
      const after = this.positions[shard.ShardId];
      const { ShardIterator } = await this.streams.send(
        new GetShardIteratorCommand({ StreamArn: this.streamArn, ShardId: shard.ShardId, ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }) }),
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
      dynamodb: { ...r.dynamodb, ...(r.dynamodb?.NewImage ? { NewImage: withEmptyMaps(r.dynamodb.NewImage) } : {}), ...(r.dynamodb?.OldImage ? { OldImage: withEmptyMaps(r.dynamodb.OldImage) } : {}) } as never,
    })),
  } as DynamoDBStreamEvent;
}

type Image = Record<string, AttributeValue>;

/**
 * DynamoDB Local's Streams API writes an empty map as `{}`, a value without a type (GetItem answers `{"M":{}}`, as
 * DynamoDB Streams in AWS does): unmarshall refuses it and the reader would fail the record on every retry. An empty
 * map is the only value that comes out so (an empty list keeps its `L`, empty sets and strings are never stored).
 */
export function withEmptyMaps(image: Image): Image {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, typedValue(value)]));
}

function typedValue(value: AttributeValue): AttributeValue {
  if (Object.keys(value).length === 0) return { M: {} };
  if (value.M) return { M: withEmptyMaps(value.M) };
  if (value.L) return { L: value.L.map(typedValue) };
  return value;
}
