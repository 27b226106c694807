import { HttpError } from './errors';

/** Send later: at least this far ahead (the contract's minute; `SCHEDULE_MIN_LEAD_SECONDS` lowers it for tests). */
export const DEFAULT_SCHEDULE_MIN_LEAD_SECONDS = 60;
/** ...and at most 35 days ahead (Twilio's limit, which sellers know). */
export const MAX_SCHEDULE_AHEAD_MS = 35 * 24 * 60 * 60_000;
/** A quiet window with no `allowedFrom` (zones too far apart): look again this much later. */
export const QUIET_RETRY_MS = 60 * 60_000;

/**
 * Checks `sendAt` against now: 400 ValidationError outside [now + min lead, now + 35 days]. A client that asks for
 * exactly the minimum loses a little of it to the request's own time: a tenth of the lead (at most 5 s) is allowed.
 */
export function checkSendAt(sendAt: string, now: Date, minLeadSeconds: number): Date {
  const at = new Date(sendAt);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:\d\d)$/.test(sendAt) || Number.isNaN(at.getTime())) throw new HttpError('ValidationError', 'sendAt must be an ISO 8601 time with its zone (e.g. 2026-12-08T08:00:00Z)');
  const earliest = now.getTime() + minLeadSeconds * 1000;
  if (at.getTime() < earliest - Math.min(5_000, minLeadSeconds * 100)) throw new HttpError('ValidationError', `sendAt must be at least ${minLeadSeconds} seconds ahead`, { earliest: new Date(earliest).toISOString() });
  if (at.getTime() > now.getTime() + MAX_SCHEDULE_AHEAD_MS) throw new HttpError('ValidationError', 'sendAt must be at most 35 days ahead');
  return at;
}

/**
 * The schedule of one revision of a scheduled message. An edit makes a new revision with its own schedule, so a
 * schedule of an earlier revision that still fires finds a newer revision and does nothing (EventBridge Scheduler
 * names: up to 64 of [0-9a-zA-Z-_.]).
 */
export function scheduleName(messageId: string, revision: number): string {
  return `sms-${messageId}-r${revision}`.replace(/[^0-9a-zA-Z_.-]/g, '_').slice(0, 64);
}

/** What a schedule hands the function that sends when it fires (the schedule's Input). */
export interface ScheduledFire {
  /** The message (found through its pointer: a schedule is made before the message is stored) and the revision it fires. */
  scheduledMessage: { id: string; revision: number; /** When it is due: a fire before then waits (Scheduler fires within the minute). */ at?: string };
}

export function isScheduledFire(event: unknown): event is ScheduledFire {
  const m = (event as Partial<ScheduledFire> | undefined)?.scheduledMessage;
  return typeof m === 'object' && m !== null && typeof m.id === 'string' && typeof m.revision === 'number';
}

/** Why a scheduled message ends `canceled` (contract, "Send later"). */
export type CancelReason = 'CustomerReplied' | 'OptedOut' | 'NotAllowed' | 'MissingPlaceholderValue' | 'CanceledBySeller';
