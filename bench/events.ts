import type { Context } from 'aws-lambda';
import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { createDb } from '../shared/aws';
import { systemClock } from '../shared/domain/clock';
import { createHandler as createCrmEvents } from '../functions/crm-events/handler';
import { StreamPoller } from '../scripts/local/stream-poller';
import { prices } from './prices';
import { STREAM_FILTERS } from '../shared/store/stream-consumers';

export interface EventFigures {
  perInbound: number;
  perOutbound: number;
  putEventsCallsPer100Messages: number;
  eventsPerCall: number;
  usdPerMillionMessages: number;
}

/**
 * The CRM publisher over everything the earlier phases wrote (the same table's stream, from its
 * start): events per inbound and per outbound message, and how well PutEvents batches them.
 */
export async function benchEvents(endpoint: string, table: string): Promise<EventFigures> {
  let calls = 0;
  const byType = new Map<string, number>();
  const eventBridge = {
    send: async (command: PutEventsCommand) => {
      calls++;
      const entries = command.input.Entries ?? [];
      for (const entry of entries) byType.set(entry.DetailType!, (byType.get(entry.DetailType!) ?? 0) + 1);
      return { FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: String(i) })) };
    },
  };
  const db = createDb({ endpoint, region: 'us-east-1' });
  const handler = createCrmEvents({ db, table, clock: systemClock, defaultRegion: 'US', publisher: { eventBridge: eventBridge as never, busName: undefined, failures: { sqs: { send: async () => ({}) } as never, queueUrl: undefined } } });
  // Lambda's event source mapping hands the function up to 100 records per batch, as here.
  const poller = new StreamPoller(endpoint, table, (event) => handler(event, {} as Context), { batchSize: 100, filters: STREAM_FILTERS['crm-events'] });
  await poller.drain(2000);
  await poller.stop();
  db.destroy();
  const received = byType.get('SmsMessageReceived') ?? 0;
  const sent = byType.get('SmsMessageSent') ?? 0;
  const outboundEvents = sent + (byType.get('SmsMessageStatusChanged') ?? 0);
  const events = [...byType.values()].reduce((a, b) => a + b, 0);
  const messages = received + sent;
  const round = (n: number) => Math.round(n * 100) / 100;
  const perInbound = received === 0 ? 0 : 1;
  const perOutbound = sent === 0 ? 0 : round(outboundEvents / sent);
  return {
    perInbound,
    perOutbound,
    putEventsCallsPer100Messages: round((calls / messages) * 100),
    eventsPerCall: round(events / calls),
    // EventBridge charges per event put (64 KB chunks; ours are far below): per million messages, inbound and outbound alike.
    usdPerMillionMessages: round(((perInbound + perOutbound) / 2) * prices.eventBridgeEventPerMillion),
  };
}
