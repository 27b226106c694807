import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { matchesAnyFilter } from '../domain/event-filter';
import { DISPATCHED, MAX_DISPATCH_PAYLOAD_BYTES, STREAM_FILTERS, type DispatchedConsumer } from '../store/stream-consumers';

/** Hands a consumer its changes: an asynchronous Lambda invocation in AWS, a queued call on the local stack. */
export type InvokeConsumer = (consumer: DispatchedConsumer, event: DynamoDBStreamEvent) => Promise<void>;

/** A consumer's records in order, cut into invocations of at most its record count and the payload limit. */
export function chunksFor(consumer: DispatchedConsumer, records: readonly DynamoDBRecord[]): DynamoDBRecord[][] {
  const chunks: DynamoDBRecord[][] = [];
  let current: DynamoDBRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = Buffer.byteLength(JSON.stringify(record));
    if (current.length > 0 && (current.length >= DISPATCHED[consumer].maxRecords || bytes + size > MAX_DISPATCH_PAYLOAD_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/**
 * The table stream's second reader: each dispatched consumer gets the changes its filter selects, in
 * order. A consumer's own failures are retried by Lambda's asynchronous invocation and end in its own
 * failure queue; only a failed hand-off (the Invoke itself) makes the stream retry, from the first record
 * of the chunk that could not be handed off (consumers are idempotent, so a repeat is harmless).
 */
export async function dispatchStream(event: DynamoDBStreamEvent, invoke: InvokeConsumer): Promise<DynamoDBBatchResponse> {
  const position = new Map(event.Records.map((record, index) => [record, index]));
  let firstFailed: number | undefined;
  await Promise.all(
    (Object.keys(DISPATCHED) as DispatchedConsumer[]).map(async (consumer) => {
      const wanted = event.Records.filter((record) => matchesAnyFilter(STREAM_FILTERS[consumer], record));
      for (const chunk of chunksFor(consumer, wanted)) {
        try {
          await invoke(consumer, { Records: chunk });
        } catch {
          const at = position.get(chunk[0]!)!;
          firstFailed = firstFailed === undefined ? at : Math.min(firstFailed, at);
          return;
        }
      }
    }),
  );
  if (firstFailed === undefined) return { batchItemFailures: [] };
  return { batchItemFailures: event.Records.slice(firstFailed).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
}
