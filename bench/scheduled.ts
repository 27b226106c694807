import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { createDb } from '../shared/aws';
import { systemClock } from '../shared/domain/clock';
import type { Deps } from '../shared/deps';
import { OutboundService } from '../shared/flows/send-message';
import { ScheduledMessages } from '../shared/flows/scheduled-messages';
import { SandboxProvider } from '../shared/providers/sandbox';
import { DirectoryStore } from '../shared/store/items/directory';
import { RecordStore } from '../shared/store/items/record';
import { EventBridgeMessageScheduler } from '../shared/schedules/message-scheduler';
import { isScheduledFire } from '../shared/domain/scheduling';
import type { CrmRecord } from '../shared/domain/records';
import { LocalScheduler } from '../scripts/local/local-scheduler';
import { LOCAL_SCHEDULER_SETTINGS } from '../scripts/local/server';
import { DynamoMeter } from './meter';
import { businessNumber } from './inbound';
import { LAMBDA_MEMORY_GB, prices } from './prices';
import { median } from './stats';

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface ScheduledFigures {
  messages: number;
  /** POST /messages with sendAt: stored `scheduled` and its schedule made. */
  schedule: { roundTrips: number; readUnits: number; writeUnits: number; latencyMs: number };
  /** The schedule's fire: the checks again, the claim, the conversation, the provider's answer. */
  fire: { roundTrips: number; readUnits: number; writeUnits: number; latencyMs: number };
  /** From `scheduledFor` to the provider call, on this machine (the local scheduler fires on time). */
  delayMs: { median: number; worst: number };
  costPerMillion: { dynamoUsd: number; lambdaUsd: number; schedulerUsd: number; apiUsd: number; totalUsd: number };
}

/**
 * Send later, per scheduled message: what scheduling it and its fire cost in DynamoDB, and how late it goes after its
 * time. Times are spread over a few seconds ahead with their seconds set (a console's times are whole minutes, which
 * EventBridge Scheduler's minute precision fires with no wait at all; see the README).
 */
export async function benchScheduled(endpoint: string, table: string, count = 40): Promise<ScheduledFigures> {
  const meter = new DynamoMeter();
  const deps: Deps = { db: createDb({ endpoint, region: 'us-east-1', instrument: (client) => meter.install(client, endpoint) }), table, clock: systemClock, defaultRegion: 'US', scheduleMinLeadSeconds: 1 };
  const records = new RecordStore(deps.db, table);
  await new DirectoryStore(deps.db, table).putSeller({ id: 'seller-0', name: 'Seller 0', teamIds: [], roles: ['salesperson'] });
  for (let i = 0; i < 10; i++) {
    await records.upsert({ type: 'contact', id: `later-${i}`, name: `Later ${i}`, mobile: `+1206557${String(3000 + i)}` as CrmRecord['mobile'], ownerId: 'seller-0', state: 'active', modifiedAt: new Date().toISOString() });
  }
  const sandbox = new SandboxProvider();
  const sentAt = new Map<string, number>();
  const provider = { name: 'sandbox', send: async (sms: Parameters<SandboxProvider['send']>[0]) => (sentAt.set(sms.messageId, Date.now()), sandbox.send(sms)) } as unknown as SandboxProvider;
  const fires: { input: unknown; ms: number }[] = [];
  let firing: (input: unknown) => Promise<unknown> = async () => undefined;
  const local = new LocalScheduler(
    async (input) => {
      const outcome = await firing(input);
      return outcome;
    },
    { autoFire: false },
  );
  const scheduler = () => new EventBridgeMessageScheduler(local as unknown as SchedulerClient, LOCAL_SCHEDULER_SETTINGS);
  const outbound = new OutboundService(deps, () => provider, undefined, scheduler);
  // The fire's own work, without the wait for its second: measured from the moment it is due.
  const scheduled = new ScheduledMessages(deps, () => provider, scheduler, async () => undefined);
  const caller = { sellerId: 'seller-0', isAdmin: false };
  const schedule = (i: number, sendAt: Date) => outbound.send(caller, { record: { type: 'contact', id: `later-${i % 10}` }, from: businessNumber(0), body: `Scheduled bench message ${i}`, sendAt: sendAt.toISOString() });

  // Conversations first: the measured ones schedule into existing conversations, as sellers mostly do.
  for (let i = 0; i < 10; i++) await outbound.send(caller, { record: { type: 'contact', id: `later-${i}` }, from: businessNumber(0), body: 'Hello' });
  // Nothing fires while scheduling is measured: the fire's target is set after.
  const due: { id: string; scheduledFor: number }[] = [];
  meter.reset();
  const started = process.hrtime.bigint();
  const base = Date.now() + 4_000;
  for (let i = 0; i < count; i++) {
    const message = await schedule(i, new Date(base + i * 97));
    due.push({ id: message.id, scheduledFor: Date.parse(message.scheduledFor!) });
  }
  const scheduling = Number(process.hrtime.bigint() - started) / 1e6;
  const scheduleFigures = { roundTrips: round(meter.roundTrips / count), readUnits: round(meter.readUnits / count), writeUnits: round(meter.writeUnits / count), latencyMs: round(scheduling / count, 1) };

  meter.reset();
  firing = async (input) => {
    if (!isScheduledFire(input)) return undefined;
    // The local scheduler fires at the minute (as Scheduler may): wait here for the second, outside the measured work.
    const wait = Date.parse(input.scheduledMessage.at!) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const started = process.hrtime.bigint();
    const outcome = await scheduled.fire(input);
    fires.push({ input, ms: Number(process.hrtime.bigint() - started) / 1e6 });
    return outcome;
  };
  await local.fireDue(new Date(base + 60_000));
  await local.settle();
  const fired = fires.filter((f) => isScheduledFire(f.input));
  const fireMs = fired.reduce((s, f) => s + f.ms, 0) / fired.length;
  const fireFigures = { roundTrips: round(meter.roundTrips / count), readUnits: round(meter.readUnits / count), writeUnits: round(meter.writeUnits / count), latencyMs: round(fireMs, 1) };
  const delays = due.map((d) => (sentAt.get(d.id) ?? Number.NaN) - d.scheduledFor);
  if (delays.some((d) => Number.isNaN(d))) throw new Error('a scheduled bench message was not sent');
  deps.db.destroy();

  const million = 1_000_000;
  const dynamoUsd = (scheduleFigures.readUnits + fireFigures.readUnits) * prices.dynamoReadRequestUnitPerMillion + (scheduleFigures.writeUnits + fireFigures.writeUnits) * prices.dynamoWriteRequestUnitPerMillion;
  const lambdaUsd = ((scheduleFigures.latencyMs + fireFigures.latencyMs) / 1000) * LAMBDA_MEMORY_GB * prices.lambdaArmGbSecond * million + 2 * prices.lambdaRequestPerMillion;
  const schedulerUsd = prices.schedulerInvocationPerMillion;
  const apiUsd = prices.httpApiRequestPerMillion;
  return {
    messages: count,
    schedule: scheduleFigures,
    fire: fireFigures,
    delayMs: { median: median(delays), worst: round(Math.max(...delays), 0) },
    costPerMillion: { dynamoUsd: round(dynamoUsd), lambdaUsd: round(lambdaUsd), schedulerUsd, apiUsd, totalUsd: round(dynamoUsd + lambdaUsd + schedulerUsd + apiUsd) },
  };
}
