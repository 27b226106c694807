import { createDb } from '../shared/aws';
import { systemClock } from '../shared/domain/clock';
import type { Deps } from '../shared/deps';
import { OutboundService } from '../shared/flows/send-message';
import { SandboxProvider } from '../shared/providers/sandbox';
import { applyDeliveryReport } from '../shared/flows/apply-delivery-report';
import { DirectoryStore } from '../shared/store/items/directory';
import { RecordStore } from '../shared/store/items/record';
import type { CrmRecord } from '../shared/domain/records';
import { createHandler as createNotifier } from '../functions/notifier/handler';
import { StreamPoller } from '../scripts/local/stream-poller';
import { LocalSns } from '../scripts/local/local-sns';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { DynamoMeter } from './meter';
import { businessNumber } from './inbound';
import { STREAM_FILTERS } from '../shared/store/stream-consumers';

export interface PerMessage {
  roundTrips: number;
  readUnits: number;
  writeUnits: number;
  latencyMs: number;
  snsPublishes?: number;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Outbound sends through the sandbox (provider time excluded): round trips, capacity, wall time. */
export async function benchOutbound(endpoint: string, table: string, count = 40): Promise<PerMessage & { deliveryReport: PerMessage }> {
  const meter = new DynamoMeter();
  const deps: Deps = { db: createDb({ endpoint, region: 'us-east-1', instrument: (client) => meter.install(client, endpoint) }), table, clock: systemClock, defaultRegion: 'US' };
  const records = new RecordStore(deps.db, table);
  await new DirectoryStore(deps.db, table).putSeller({ id: 'seller-0', name: 'Seller 0', teamIds: [], roles: ['salesperson'] });
  for (let i = 0; i < 10; i++) {
    await records.upsert({ type: 'contact', id: `out-${i}`, name: `Out ${i}`, mobile: `+1206556${String(3000 + i)}` as CrmRecord['mobile'], ownerId: 'seller-0', state: 'active', modifiedAt: new Date().toISOString() });
  }
  const sandbox = new SandboxProvider();
  const service = new OutboundService(deps, () => sandbox);
  const caller = { sellerId: 'seller-0', isAdmin: false };
  const send = (i: number) => service.send(caller, { record: { type: 'contact', id: `out-${i % 10}` }, from: businessNumber(0), body: `Outbound bench message ${i}` });
  for (let i = 0; i < 10; i++) await send(i); // conversations exist from here on
  meter.reset();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await send(i);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  const sendFigures = { roundTrips: round(meter.roundTrips / count), readUnits: round(meter.readUnits / count), writeUnits: round(meter.writeUnits / count), latencyMs: round(elapsed / count, 1) };

  // The provider's delivery report for each of those messages, through the production path.
  const reports = sandbox.outbox.slice(-count).map((entry) => entry.report!);
  meter.reset();
  const reportsStarted = process.hrtime.bigint();
  for (const report of reports) await applyDeliveryReport(deps, report);
  const reportsElapsed = Number(process.hrtime.bigint() - reportsStarted) / 1e6;
  const deliveryReport = { roundTrips: round(meter.roundTrips / count), readUnits: round(meter.readUnits / count), writeUnits: round(meter.writeUnits / count), latencyMs: round(reportsElapsed / count, 1) };
  deps.db.destroy();
  return { ...sendFigures, deliveryReport };
}

/** The notifier over everything the earlier phases wrote, per inbound message: capacity, SNS publishes, wall time. */
export async function benchNotifier(endpoint: string, table: string, inboundMessages: number): Promise<PerMessage> {
  const meter = new DynamoMeter();
  const db = createDb({ endpoint, region: 'us-east-1', instrument: (client) => meter.install(client, endpoint) });
  const sns = new LocalSns(false);
  const notifier = createNotifier({ db, table, clock: systemClock, defaultRegion: 'US', sns: sns as unknown as SNSClient, topicArn: 'arn:aws:sns:local:0:notifications' });
  const poller = new StreamPoller(endpoint, table, (event) => notifier(event, {} as Context), { batchSize: 100, filters: STREAM_FILTERS.notifier });
  const started = process.hrtime.bigint();
  await poller.drain(2000);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  await poller.stop();
  db.destroy();
  return {
    roundTrips: round(meter.roundTrips / inboundMessages),
    readUnits: round(meter.readUnits / inboundMessages),
    writeUnits: round(meter.writeUnits / inboundMessages),
    latencyMs: round(elapsed / inboundMessages, 1),
    snsPublishes: round(sns.published.length / inboundMessages),
  };
}
