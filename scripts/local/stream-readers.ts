import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { fileCheckpoint, StreamPoller } from './stream-poller';
import { join } from 'node:path';
import { createHandler as createDispatcher } from '../../functions/stream-dispatcher/handler';
import { DISPATCHER_FILTERS, STREAM_BATCH_SIZE, STREAM_FILTERS, type DispatchedConsumer } from '../../shared/store/stream-consumers';
import type { InvokeConsumer } from '../../shared/flows/dispatch-stream';

type Consumer = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse | void>;

const lambdaContext = { functionName: 'local', awsRequestId: 'local', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** Lambda's asynchronous invocation: the first attempt and two retries, then the event is kept as failed. */
const ASYNC_ATTEMPTS = 3;

/**
 * The table stream's two readers, as deployed: the notifier (its own filter and batch size) and the
 * stream dispatcher, which hands the media copier and the CRM publisher their changes. Locally a hand-off
 * is a call with Lambda's asynchronous retries, awaited so that draining the stream leaves nothing behind.
 */
export function tableStreamReaders(endpoint: string, table: string, consumers: { notifier?: Consumer } & Partial<Record<DispatchedConsumer, Consumer>>, options: { checkpointDir?: string | undefined } = {}) {
  // A persistent stack: each reader resumes where it stopped (scripts/local/stream-poller.ts).
  const checkpoint = (reader: string) => (options.checkpointDir ? { checkpoint: fileCheckpoint(join(options.checkpointDir, `${reader}.json`)) } : {});
  const failedInvocations: { consumer: DispatchedConsumer; event: DynamoDBStreamEvent; error: string }[] = [];
  const invoke: InvokeConsumer = async (consumer, event) => {
    const handler = consumers[consumer];
    if (!handler) return;
    let error = '';
    for (let attempt = 0; attempt < ASYNC_ATTEMPTS; attempt++) {
      try {
        const result = await handler(event, lambdaContext);
        const failed = result?.batchItemFailures.length ?? 0;
        if (failed === 0) return;
        error = `${failed} records failed`;
      } catch (e) {
        error = (e as Error).message;
      }
    }
    failedInvocations.push({ consumer, event, error });
  };
  const dispatcher = createDispatcher(invoke);
  const readers: StreamPoller[] = [];
  if (consumers.notifier) {
    const notifier = consumers.notifier;
    readers.push(new StreamPoller(endpoint, table, (event) => notifier(event, lambdaContext), { filters: STREAM_FILTERS.notifier, batchSize: STREAM_BATCH_SIZE.notifier, ...checkpoint('notifier') }));
  }
  if (consumers['media-copier'] || consumers['crm-events'] || consumers.automations) {
    readers.push(new StreamPoller(endpoint, table, (event) => dispatcher(event, lambdaContext), { filters: DISPATCHER_FILTERS, batchSize: STREAM_BATCH_SIZE['stream-dispatcher'], ...checkpoint('stream-dispatcher') }));
  }
  return {
    readers,
    failedInvocations,
    /** Polls every reader until the stream has nothing new for any of them. */
    async drain(maxPolls = 200): Promise<number> {
      let total = 0;
      for (let round = 0; round < 5; round++) {
        let seen = 0;
        for (const reader of readers) seen += await reader.drain(maxPolls);
        total += seen;
        if (seen === 0) break;
      }
      return total;
    },
    start(intervalMs: number) {
      for (const reader of readers) reader.start(intervalMs);
    },
    async stop(options: { drainMs?: number } = {}) {
      await Promise.all(readers.map((reader) => reader.stop(options)));
    },
  };
}
