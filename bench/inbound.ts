import { randomUUID } from 'node:crypto';
import { createDb } from '../shared/aws';
import { createTable } from '../scripts/local/create-table';
import { systemClock } from '../shared/domain/clock';
import { DirectoryStore } from '../shared/store/items/directory';
import { RecordStore } from '../shared/store/items/record';
import { receiveInbound } from '../shared/flows/receive-inbound';
import { recordTypes, type CrmRecord } from '../shared/domain/records';
import type { Deps } from '../shared/deps';
import { DynamoMeter } from './meter';

export interface InboundFigures {
  records: number;
  roundTripsPerMessage: number;
  readUnitsPerMessage: number;
  writeUnitsPerMessage: number;
  messagesPerSecond: number;
  /** Mean wall time of one routed message, unmetered, one at a time (ms). */
  latencyMs: number;
}

const SELLERS = 8;

/**
 * For N records sharing the customer's number: round trips and modelled capacity per routed
 * inbound message (sequential, metered), then throughput with 8 messages in flight (to 8 business
 * numbers, so they do not contend for one conversation item).
 */
export async function benchInbound(endpoint: string, sizes: number[], messagesPerSize = 40): Promise<{ table: string; figures: InboundFigures[]; messages: number }> {
  const table = `bench-inbound-${randomUUID().slice(0, 8)}`;
  await createTable(endpoint, table);
  const meter = new DynamoMeter();
  const db = createDb({ endpoint, region: 'us-east-1', instrument: (client) => meter.install(client, endpoint) });
  const deps: Deps = { db, table, clock: systemClock, defaultRegion: 'US' };
  const unmetered: Deps = { ...deps, db: createDb({ endpoint, region: 'us-east-1' }) };
  const directory = new DirectoryStore(db, table);
  const records = new RecordStore(db, table);
  for (let s = 0; s < SELLERS; s++) {
    await directory.putSeller({ id: `seller-${s}`, name: `Seller ${s}`, teamIds: [], roles: ['salesperson'] });
    await directory.putNumber({ number: businessNumber(s), assignedTo: { type: 'seller', id: `seller-${s}` }, provider: 'sandbox' });
  }

  const figures: InboundFigures[] = [];
  for (const [index, size] of sizes.entries()) {
    const customer = `+1206555${String(1000 + index).padStart(4, '0')}`;
    for (let i = 0; i < size; i++) {
      const record: CrmRecord = {
        type: recordTypes[i % 4]!,
        id: `r${size}-${String(i).padStart(5, '0')}`,
        name: `Record ${i} of ${size}`,
        mobile: customer as CrmRecord['mobile'],
        ownerId: `seller-${i % SELLERS}`,
        state: i % 7 === 0 ? 'inactive' : 'active',
        modifiedAt: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      };
      await records.upsert(record);
    }
    // Warm: the first message per business number creates its conversation.
    for (let s = 0; s < SELLERS; s++) await receiveInbound(deps, sms(customer, s, `warm-${size}-${s}`));

    meter.reset();
    for (let m = 0; m < messagesPerSize; m++) await receiveInbound(deps, sms(customer, m % SELLERS, `seq-${size}-${m}`));
    const perMessage = { roundTrips: meter.roundTrips / messagesPerSize, read: meter.readUnits / messagesPerSize, write: meter.writeUnits / messagesPerSize };

    const timed = 20;
    const t0 = process.hrtime.bigint();
    for (let m = 0; m < timed; m++) await receiveInbound(unmetered, sms(customer, m % SELLERS, `lat-${size}-${m}`));
    const latencyMs = Number(process.hrtime.bigint() - t0) / 1e6 / timed;

    const total = messagesPerSize * 2;
    const started = process.hrtime.bigint();
    let next = 0;
    await Promise.all(
      Array.from({ length: SELLERS }, async (_, lane) => {
        while (next < total) {
          const m = next++;
          await receiveInbound(deps, sms(customer, lane, `tp-${size}-${m}`));
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    figures.push({
      records: size,
      roundTripsPerMessage: round(perMessage.roundTrips),
      readUnitsPerMessage: round(perMessage.read),
      writeUnitsPerMessage: round(perMessage.write),
      messagesPerSecond: round(total / seconds, 1),
      latencyMs: round(latencyMs, 1),
    });
  }
  db.destroy();
  unmetered.db.destroy();
  return { table, figures, messages: sizes.length * (SELLERS + messagesPerSize + 20 + messagesPerSize * 2) };
}

export function businessNumber(s: number) {
  return `+1425555${String(8000 + s)}`;
}

function sms(customer: string, seller: number, id: string) {
  return { provider: 'sandbox' as const, providerMessageId: id, from: customer, to: businessNumber(seller), body: `Hello from the bench (${id})` };
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
