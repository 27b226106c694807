import { randomUUID } from 'node:crypto';
import { createDb } from '../shared/aws';
import { createTable } from '../scripts/local/create-table';
import type { Clock } from '../shared/domain/clock';
import type { Deps } from '../shared/deps';
import { receiveInbound } from '../shared/flows/receive-inbound';
import { OutboundService } from '../shared/flows/send-message';
import { responseReport } from '../shared/flows/response-report';
import { SandboxProvider } from '../shared/providers/sandbox';
import { DirectoryStore } from '../shared/store/items/directory';
import { toConversationState, type ConversationState } from '../shared/store/items/conversation';
import { queryAll } from '../shared/store/dynamo-helpers';
import { keys } from '../shared/store/keys';
import { inboundCountItems, responseItems } from '../shared/store/items/response-times';
import { writeTransaction } from '../shared/store/transact';
import { daysBetween } from '../shared/domain/response-times';
import type { Principal } from '../shared/domain/types';
import { DynamoMeter } from './meter';

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

export interface PathCost {
  roundTrips: number;
  readUnits: number;
  writeUnits: number;
  latencyMs: number;
}

export interface TeamInboxFigures {
  /** An inbound message that opens a conversation on a team number with business hours and auto-assignment (open hours). */
  newConversationAutoAssigned: PathCost;
  /** The same with `maxOpen` set (each candidate's unanswered conversations counted). */
  newConversationMaxOpen: PathCost;
  /** An inbound message in an existing conversation, outside business hours, that makes the after-hours reply due. */
  afterHoursDue: PathCost;
  /** A later message in the same closed period (no second reply): the steady state. */
  afterHoursRepeat: PathCost;
  /** The after-hours reply itself (scheduled-send, from the stream): stored, sent, recorded. */
  afterHoursReply: PathCost;
  /** A seller's reply that ends a customer's wait: the send and its response-time buckets (seller and team). */
  replyWithResponseTime: PathCost;
  /** GET /reports/response-times over 92 days, with 10,000 conversations (and 20,000 responses) counted in them. */
  report: { conversations: number; days: number; sellers: number; admin: PathCost; adminTeams: PathCost; seller: PathCost };
}

class FixedClock implements Clock {
  constructor(private at: Date) {}
  now() {
    return new Date(this.at);
  }
  set(iso: string) {
    this.at = new Date(iso);
  }
}

async function measure(meter: DynamoMeter, count: number, run: (i: number) => Promise<unknown>): Promise<PathCost> {
  meter.reset();
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await run(i);
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  return { roundTrips: round(meter.roundTrips / count), readUnits: round(meter.readUnits / count), writeUnits: round(meter.writeUnits / count), latencyMs: round(elapsed / count, 1) };
}

/**
 * Team inboxes: what business hours, the after-hours reply, auto-assignment and response times add to a message, and what
 * a 92-day report reads at 10,000 conversations (capacity modelled from item sizes, as every bench here).
 */
export async function benchTeamInbox(endpoint: string, count = 40): Promise<TeamInboxFigures> {
  const table = `bench-teams-inbox-${randomUUID().slice(0, 8)}`;
  await createTable(endpoint, table);
  const meter = new DynamoMeter();
  const clock = new FixedClock(new Date('2026-12-07T09:00:00.000Z')); // Monday 10:00 in Stockholm: open
  const deps: Deps = { db: createDb({ endpoint, region: 'us-east-1', instrument: (client) => meter.install(client, endpoint) }), table, clock, defaultRegion: 'US' };
  const directory = new DirectoryStore(deps.db, table);
  const members = ['m1', 'm2', 'm3', 'm4', 'm5'];
  await directory.putTeam({ id: 'desk', name: 'Desk', autoAssign: { mode: 'round_robin' } });
  await directory.putTeam({ id: 'capped', name: 'Capped', autoAssign: { mode: 'round_robin', maxOpen: 50 } });
  for (const id of members) await directory.putSeller({ id, name: id.toUpperCase(), teamIds: ['desk', 'capped'], roles: ['salesperson'] });
  const weekdays = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((d) => [d, [['08:00', '17:00'] as [string, string]]]));
  const hours = { timeZone: 'Europe/Stockholm', weekly: weekdays };
  const DESK = '+14255598001';
  const CAPPED = '+14255598002';
  await directory.putNumber({ number: DESK, assignedTo: { type: 'team', id: 'desk' }, provider: 'sandbox', businessHours: hours, autoReply: { body: 'Thanks {{record.name|}}, we are closed; we answer from 08:00.' } });
  await directory.putNumber({ number: CAPPED, assignedTo: { type: 'team', id: 'capped' }, provider: 'sandbox', businessHours: hours });
  const customer = (prefix: number, i: number) => `+1206${prefix}${String(i).padStart(4, '0')}`;
  let sequence = 0;
  const inbound = (from: string, to: string) => receiveInbound(deps, { provider: 'sandbox', providerMessageId: `b-${sequence++}`, from, to, body: 'Hello there' });

  const newConversationAutoAssigned = await measure(meter, count, (i) => inbound(customer(551, i), DESK));
  const newConversationMaxOpen = await measure(meter, count, (i) => inbound(customer(552, i), CAPPED));

  clock.set('2026-12-07T20:00:00.000Z'); // 21:00 in Stockholm: closed
  const afterHoursDue = await measure(meter, count, (i) => inbound(customer(551, i), DESK));
  const afterHoursRepeat = await measure(meter, count, (i) => inbound(customer(551, i), DESK));

  const sandbox = new SandboxProvider();
  const outbound = new OutboundService(deps, () => sandbox);
  const states: ConversationState[] = [];
  for (const id of members) for (const c of await conversationsOfSeller(deps, id)) states.push(c);
  const afterHoursReply = await measure(meter, count, async (i) => {
    const conversation = states[i % states.length]!;
    await outbound.afterHoursReply(conversation, `bench-${i}`);
  });

  clock.set('2026-12-08T08:00:00.000Z'); // Tuesday 09:00: the sellers answer
  const replyWithResponseTime = await measure(meter, count, async (i) => {
    const conversation = states[i]!;
    await outbound.reply({ sellerId: (conversation.assignedTo as Principal).id, isAdmin: false }, conversation, { body: 'Good morning' });
  });

  // 10,000 conversations over 92 days and 20 sellers of two teams: their buckets written by the same store functions
  // the messages' transactions use (each conversation: its first message, one first response, one reply).
  const days = daysBetween('2026-09-01', '2026-12-01');
  const sellers = Array.from({ length: 20 }, (_, i) => `rs${i}`);
  for (const id of sellers) await directory.putSeller({ id, name: `Report ${id}`, teamIds: [], roles: ['salesperson'] });
  const unmetered: Deps = { ...deps, db: createDb({ endpoint, region: 'us-east-1' }) };
  const conversationsCounted = 10_000;
  for (let i = 0; i < conversationsCounted; i += 25) {
    const writes = [];
    for (let j = i; j < Math.min(i + 25, conversationsCounted); j++) {
      const day = days[j % days.length]!;
      const seller: Principal = { type: 'seller', id: sellers[j % sellers.length]! };
      const team: Principal = { type: 'team', id: j % 2 ? 'desk' : 'capped' };
      const at = `${day}T09:00:00.000Z`;
      writes.push(writeTransaction(unmetered.db, inboundCountItems(table, [seller, team], at, true)));
      writes.push(writeTransaction(unmetered.db, responseItems(table, [seller, team], at, { first: true, seconds: 30 + ((j * 37) % 7200) })));
      writes.push(writeTransaction(unmetered.db, responseItems(table, [seller, team], at, { first: false, seconds: 10 + ((j * 13) % 900) })));
    }
    await Promise.all(writes);
  }
  const query = { from: days[0]!, to: days.at(-1)! };
  const admin = await measure(meter, 3, () => responseReport(deps, { sellerId: 'admin', isAdmin: true }, query));
  const adminTeams = await measure(meter, 3, () => responseReport(deps, { sellerId: 'admin', isAdmin: true }, { ...query, groupBy: 'team' }));
  const seller = await measure(meter, 3, () => responseReport(deps, { sellerId: 'rs0', isAdmin: false }, query));
  deps.db.destroy();
  unmetered.db.destroy();
  return { newConversationAutoAssigned, newConversationMaxOpen, afterHoursDue, afterHoursRepeat, afterHoursReply, replyWithResponseTime, report: { conversations: conversationsCounted, days: days.length, sellers: sellers.length, admin, adminTeams, seller } };
}

/** A seller's conversations on the desk's number (their assignee list). */
async function conversationsOfSeller(deps: Deps, sellerId: string): Promise<ConversationState[]> {
  const items = await queryAll(deps.db, { TableName: deps.table, IndexName: 'gsi2', KeyConditionExpression: 'gsi2pk = :pk', ExpressionAttributeValues: { ':pk': keys.conversationsOfAssignee({ type: 'seller', id: sellerId }) } });
  return items.map(toConversationState).filter((c) => c.businessNumber === '+14255598001');
}
