import * as z from 'zod/mini';

/**
 * A business number's opening hours (contract, "Team inboxes"): weekly intervals of local wall time in the number's own
 * zone, and closed dates. Everything here is pure: instants in, instants out, daylight saving by the zone's offsets.
 */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const time = z.string().check(z.regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'HH:MM, 00:00 to 24:00'));
const interval = z.tuple([time, time]).check(
  z.refine(([start, end]) => minutesOf(start) < minutesOf(end), 'an interval ends after it starts (split one that spans midnight into two days)'),
);
const day = z.array(interval).check(
  z.maxLength(8),
  z.refine((intervals) => {
    const sorted = [...intervals].sort((a, b) => minutesOf(a[0]) - minutesOf(b[0]));
    return sorted.every((current, i) => i === 0 || minutesOf(sorted[i - 1]![1]) <= minutesOf(current[0]));
  }, 'the intervals of a day may not overlap'),
);
const isoDate = z.string().check(z.regex(/^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$/, 'YYYY-MM-DD'));

export const timeZoneSchema = z.string().check(
  z.minLength(1),
  z.maxLength(64),
  z.refine((zone) => isTimeZone(zone), 'an IANA time zone, e.g. Europe/Stockholm'),
);

export const businessHoursSchema = z.strictObject({
  timeZone: timeZoneSchema,
  weekly: z.strictObject(Object.fromEntries(WEEKDAYS.map((d) => [d, z.optional(day)])) as Record<Weekday, z.ZodMiniOptional<typeof day>>),
  closedDates: z.optional(z.array(isoDate).check(z.maxLength(400))),
});
export type BusinessHours = z.infer<typeof businessHoursSchema>;

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

const DAY_MS = 86_400_000;
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at an instant, in milliseconds (east positive). */
function offsetAt(zone: string, at: number): number {
  let format = offsetFormatters.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    offsetFormatters.set(zone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(at)).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant a local wall time (days since the epoch of the local calendar, minutes after midnight) happens in `zone`.
 * A time skipped by a change to summer time moves forward by the jump (02:30 → 03:30 local), as Temporal's `compatible` does.
 */
function instantOf(zone: string, localDay: number, minutes: number): number {
  const wall = localDay * DAY_MS + minutes * 60_000;
  const first = wall - offsetAt(zone, wall);
  const second = wall - offsetAt(zone, first);
  if (second + offsetAt(zone, second) === wall) return second;
  // In the gap: read with the offset before the jump, it lands as far after the jump as it was after the gap's start.
  return Math.max(first, second);
}

/** The local calendar day (days since 1970-01-01) that contains an instant in `zone`. */
function localDayOf(zone: string, at: number): number {
  return Math.floor((at + offsetAt(zone, at)) / DAY_MS);
}

function isoDateOf(localDay: number): string {
  return new Date(localDay * DAY_MS).toISOString().slice(0, 10);
}

/** The open intervals (UTC milliseconds, start inclusive, end exclusive) of the local days from `firstDay` to `lastDay`. */
function openIntervals(hours: BusinessHours, firstDay: number, lastDay: number): [number, number][] {
  const closed = new Set(hours.closedDates ?? []);
  const out: [number, number][] = [];
  for (let d = firstDay; d <= lastDay; d++) {
    if (closed.has(isoDateOf(d))) continue;
    const weekday = WEEKDAYS[new Date(d * DAY_MS).getUTCDay()]!;
    const intervals = [...(hours.weekly[weekday] ?? [])].sort((a, b) => minutesOf(a[0]) - minutesOf(b[0]));
    for (const [start, end] of intervals) {
      const from = instantOf(hours.timeZone, d, minutesOf(start));
      const to = instantOf(hours.timeZone, d, minutesOf(end));
      if (to <= from) continue;
      // Back-to-back intervals (17:00–24:00 then 00:00–08:00 the next day) make one opening.
      const last = out[out.length - 1];
      if (last && last[1] >= from) last[1] = Math.max(last[1], to);
      else out.push([from, to]);
    }
  }
  return out;
}

export function isOpen(hours: BusinessHours, at: Date): boolean {
  const t = at.getTime();
  const day = localDayOf(hours.timeZone, t);
  return openIntervals(hours, day - 1, day + 1).some(([from, to]) => from <= t && t < to);
}

/** How far back a closed period's start is looked for: a number closed longer than this is in one closed period. */
const LOOKBACK_DAYS = 400;
/** The start of a closed period that began before the lookback (or a number that is never open). */
export const ALWAYS_CLOSED = new Date(0);

/**
 * The instant the closed period containing `at` began (the last closing before it), or undefined while open. The auto-reply
 * goes at most once per conversation per closed period: this instant names the period.
 */
export function closedPeriodStart(hours: BusinessHours, at: Date): Date | undefined {
  const t = at.getTime();
  const day = localDayOf(hours.timeZone, t);
  // Search back a week at a time: most closed periods end within the first.
  for (let back = 0; back < LOOKBACK_DAYS; back += 7) {
    const intervals = openIntervals(hours, day - back - 7, day - back + 1).filter(([from]) => from <= t);
    for (let i = intervals.length - 1; i >= 0; i--) {
      const [from, to] = intervals[i]!;
      if (from <= t && t < to) return undefined;
      if (to <= t) return new Date(to);
    }
  }
  return ALWAYS_CLOSED;
}

/** The next opening at or after `at` (undefined if none within the lookback): "opens Monday 08:00". */
export function nextOpening(hours: BusinessHours, at: Date): Date | undefined {
  const t = at.getTime();
  const day = localDayOf(hours.timeZone, t);
  for (let ahead = 0; ahead < LOOKBACK_DAYS; ahead += 7) {
    const found = openIntervals(hours, day + ahead - 1, day + ahead + 7).find(([, to]) => to > t);
    if (found) return new Date(Math.max(found[0], t));
  }
  return undefined;
}

/**
 * The seconds between two instants that fall inside business hours (the clock stops outside them); without hours, all of
 * them. Whole seconds, rounded down.
 */
export function businessSeconds(hours: BusinessHours | undefined, from: Date, to: Date): number {
  const start = from.getTime();
  const end = to.getTime();
  if (end <= start) return 0;
  if (!hours) return Math.floor((end - start) / 1000);
  let total = 0;
  const firstDay = localDayOf(hours.timeZone, start) - 1;
  const lastDay = localDayOf(hours.timeZone, end) + 1;
  // Long waits are walked a year at a time so one call never builds an unbounded list.
  for (let d = firstDay; d <= lastDay; d += 366) {
    for (const [open, close] of openIntervals(hours, d, Math.min(lastDay, d + 365))) {
      total += Math.max(0, Math.min(close, end) - Math.max(open, start));
    }
  }
  return Math.floor(total / 1000);
}
