import * as z from 'zod/mini';
import type { Deps } from '../deps';
import type { Caller } from '../http/auth';
import type { Principal } from '../domain/types';
import { HttpError } from '../domain/errors';
import { daysBetween, MAX_REPORT_DAYS, mergeInto, quantile, type Histogram } from '../domain/response-times';
import { DirectoryStore } from '../store/items/directory';
import { bucketsOf, bucketsOfDays, type ResponseBucket } from '../store/items/response-times';

const day = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}(?:T[\d:.]+(?:Z|[+-]\d{2}:\d{2}))?$/, 'a date (YYYY-MM-DD) or an ISO 8601 time'));
export const responseReportQuerySchema = z.object({ from: z.optional(day), to: z.optional(day), groupBy: z.optional(z.enum(['seller', 'team'])) });

/** Without dates a report covers the last 30 days, today (UTC) included. */
export const DEFAULT_REPORT_DAYS = 30;

export interface ResponseRow {
  principal: Principal & { name: string };
  conversations: number;
  inboundMessages: number;
  answered: number;
  firstResponseSeconds: { median: number | null; p90: number | null };
  replySeconds: { median: number | null; p90: number | null };
}

/** A time's UTC day: the buckets are whole UTC days. */
function utcDay(value: string): string {
  if (value.length === 10) return value;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new HttpError('ValidationError', `${value} is not a time`);
  return new Date(t).toISOString().slice(0, 10);
}

function assertRealDay(day: string): void {
  if (Number.isNaN(Date.parse(`${day}T00:00:00Z`))) throw new HttpError('ValidationError', 'from and to must be real dates');
}

/**
 * GET /reports/response-times: per seller or team, the conversations and inbound messages of the period, how many got a
 * first response, and the median and p90 of first-response and reply times (business seconds where the number has hours).
 * Reads at most one small bucket per principal per day (a day's principals in one Query for admins; a seller's own and
 * their teams' by key), so 92 days cost the same whatever the number of messages.
 */
export async function responseReport(deps: Deps, caller: Caller, query: z.infer<typeof responseReportQuerySchema>): Promise<{ items: ResponseRow[]; businessHoursOnly: true; from: string; to: string }> {
  const to = query.to ? utcDay(query.to) : deps.clock.now().toISOString().slice(0, 10);
  assertRealDay(to);
  const from = query.from ? utcDay(query.from) : new Date(Date.parse(`${to}T00:00:00Z`) - (DEFAULT_REPORT_DAYS - 1) * 86_400_000).toISOString().slice(0, 10);
  assertRealDay(from);
  if (from > to) throw new HttpError('ValidationError', 'from is after to');
  const days = daysBetween(from, to);
  if (days.length > MAX_REPORT_DAYS) throw new HttpError('ValidationError', `from and to are at most ${MAX_REPORT_DAYS} days apart (${days.length} days asked)`);
  const type = query.groupBy ?? 'seller';
  const directory = new DirectoryStore(deps.db, deps.table);

  let buckets: ResponseBucket[];
  let always: Principal[] = [];
  if (caller.isAdmin) {
    buckets = await bucketsOfDays(deps.db, deps.table, type, days);
  } else {
    // A seller: their own row, and their teams'.
    const seller = await directory.getSeller(caller.sellerId);
    always = type === 'seller' ? [{ type: 'seller', id: caller.sellerId }] : (seller?.teamIds ?? []).map((id) => ({ type: 'team' as const, id }));
    buckets = always.length > 0 ? await bucketsOf(deps.db, deps.table, always, days) : [];
  }

  const rows = new Map<string, { principal: Principal; conversations: number; inboundMessages: number; answered: number; first: Histogram; reply: Histogram }>();
  const rowOf = (p: Principal) => {
    let row = rows.get(p.id);
    if (!row) rows.set(p.id, (row = { principal: p, conversations: 0, inboundMessages: 0, answered: 0, first: new Map(), reply: new Map() }));
    return row;
  };
  for (const p of always) rowOf(p);
  for (const bucket of buckets) {
    if (bucket.principal.type !== type) continue;
    const row = rowOf(bucket.principal);
    row.conversations += bucket.conversations;
    row.inboundMessages += bucket.inboundMessages;
    row.answered += bucket.answered;
    mergeInto(row.first, bucket.first);
    mergeInto(row.reply, bucket.reply);
  }
  const names = await namesOf(directory, type, [...rows.keys()]);
  const items = [...rows.values()].map<ResponseRow>((row) => ({
    principal: { ...row.principal, name: names.get(row.principal.id) ?? row.principal.id },
    conversations: row.conversations,
    inboundMessages: row.inboundMessages,
    answered: row.answered,
    firstResponseSeconds: { median: quantile(row.first, 0.5) ?? null, p90: quantile(row.first, 0.9) ?? null },
    replySeconds: { median: quantile(row.reply, 0.5) ?? null, p90: quantile(row.reply, 0.9) ?? null },
  }));
  items.sort((a, b) => a.principal.name.localeCompare(b.principal.name, 'en', { sensitivity: 'base' }) || a.principal.id.localeCompare(b.principal.id));
  return { items, businessHoursOnly: true, from, to };
}

async function namesOf(directory: DirectoryStore, type: Principal['type'], ids: string[]): Promise<Map<string, string>> {
  if (type === 'seller') return new Map((await directory.getSellers(ids)).map((s) => [s.id, s.name]));
  const teams = await Promise.all(ids.map((id) => directory.getTeam(id)));
  return new Map(teams.filter((t) => t !== undefined).map((t) => [t.id, t.name]));
}
