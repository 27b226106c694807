import { TIME_ZONES_BY_PREFIX } from './time-zone-data';
import { MOBILE_RANGES } from './mobile-ranges';
import { numberParts } from './phone';

/**
 * Quiet hours (contract, "Consent and privacy"): no text reaches a customer at a local time inside the
 * window (TCPA: 8:00–21:00 recipient time; default `21:00-08:00`), unless they wrote in the last 24 hours.
 * The customer's time zone comes from the number; where it could be in several, the window holds in all.
 */
export interface QuietWindow {
  /** Minutes after local midnight. A window with start > end spans midnight. */
  start: number;
  end: number;
  text: string;
}

export const DEFAULT_QUIET_HOURS = '21:00-08:00';
export const QUIET_HOURS_PATTERN = /^(?:off|([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d))$/;
/** Answering a customer who wrote less than this long ago is always allowed. */
export const REPLY_GRACE_MS = 24 * 60 * 60_000;

/** `21:00-08:00` → the window; `off` (or nothing) → none. Anything else throws: configuration is checked where it is read. */
export function parseQuietHours(value: string | undefined): QuietWindow | undefined {
  if (value === undefined || value === 'off') return undefined;
  const match = QUIET_HOURS_PATTERN.exec(value);
  if (!match) throw new Error(`quiet hours "${value}" are not HH:MM-HH:MM or off`);
  const [, sh, sm, eh, em] = match.map(Number) as [number, number, number, number, number];
  if (sh * 60 + sm === eh * 60 + em) throw new Error(`quiet hours "${value}" start and end at the same time`);
  return { start: sh * 60 + sm, end: eh * 60 + em, text: value };
}

/** Each known prefix's zones together with those of every longer prefix under it (exchanges the data places elsewhere). */
let zonesUnder: Map<string, string[]> | undefined;
function zonesUnderPrefix(prefix: string): string[] {
  if (!zonesUnder) {
    const sets = new Map(Object.entries(TIME_ZONES_BY_PREFIX).map(([p, zones]) => [p, new Set(zones.split('&'))]));
    for (const [p, zones] of Object.entries(TIME_ZONES_BY_PREFIX)) {
      for (let length = 1; length < p.length; length++) {
        const ancestor = sets.get(p.slice(0, length));
        if (ancestor) for (const zone of zones.split('&')) ancestor.add(zone);
      }
    }
    zonesUnder = new Map([...sets].map(([p, zones]) => [p, [...zones]]));
  }
  return zonesUnder.get(prefix) ?? [];
}

const mobilePatterns = new Map<string, RegExp>();
/** A number in its country's mobile ranges (where libphonenumber tells them from fixed lines): it carries no place. */
function isMobile(country: string | undefined, nationalNumber: string): boolean {
  const pattern = country ? MOBILE_RANGES[country] : undefined;
  if (!country || !pattern) return false;
  let compiled = mobilePatterns.get(country);
  if (!compiled) mobilePatterns.set(country, (compiled = new RegExp(`^(?:${pattern})$`)));
  return compiled.test(nationalNumber);
}

/**
 * Every time zone a number (E.164) could be in. A mobile number (in countries whose mobile ranges are known) could
 * be anywhere in its country: every zone of its calling code. Otherwise the longest known prefix of its digits places
 * it, together with every zone the data gives to longer prefixes under that one: an area code whose exchanges lie in
 * two zones (423: Eastern and Central) holds in both, since a number the data does not list may be in either.
 */
export function timeZonesOf(e164: string): string[] {
  const digits = e164.replace(/^\+/, '');
  const parts = numberParts(e164);
  if (parts && isMobile(parts.country, parts.nationalNumber)) {
    const country = TIME_ZONES_BY_PREFIX[parts.callingCode];
    if (country) return country.split('&');
  }
  for (let length = digits.length; length > 0; length--) {
    const prefix = digits.slice(0, length);
    if (TIME_ZONES_BY_PREFIX[prefix]) return zonesUnderPrefix(prefix);
  }
  return [];
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string) {
  let f = formatters.get(zone);
  if (!f) formatters.set(zone, (f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' })));
  return f;
}

/** Minutes after midnight in a zone at an instant. */
export function localMinutes(zone: string, at: Date): number {
  const parts = formatter(zone).formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')!.value);
  const minute = Number(parts.find((p) => p.type === 'minute')!.value);
  return hour * 60 + minute;
}

function inWindow(minutes: number, window: QuietWindow): boolean {
  return window.start < window.end ? minutes >= window.start && minutes < window.end : minutes >= window.start || minutes < window.end;
}

const hhmm = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

export interface CustomerTime {
  /** The customer's local time (in the zone that decided, when several). */
  localTime: string;
  timeZone: string;
  quiet: boolean;
  /** When a text may reach the customer again in every zone the number could be in (only while quiet). */
  allowedFrom?: string;
}

/**
 * The customer's time now and whether it is quiet there. A number in several zones is quiet when any of them
 * is; it may be texted again from the first minute that is outside the window in all of them. A number whose
 * zone is unknown is never held back (the contract asks for quiet hours where the time is known).
 */
export function customerTime(e164: string, now: Date, window: QuietWindow | undefined): CustomerTime | undefined {
  const zones = timeZonesOf(e164);
  if (zones.length === 0) return undefined;
  const quietZone = window ? zones.find((zone) => inWindow(localMinutes(zone, now), window)) : undefined;
  const zone = quietZone ?? zones[0]!;
  const local = hhmm(localMinutes(zone, now));
  if (!window || !quietZone) return { localTime: local, timeZone: zone, quiet: false };
  // The window ends at a different instant in each zone: the first of those ends (after now) at which every
  // zone is outside the window is when a text may go. With zones too far apart, none may be (then no allowedFrom).
  const minute = Math.floor(now.getTime() / 60_000) * 60_000;
  const ends = zones
    .map((z) => minute + ((window.end - localMinutes(z, now) + 1440) % 1440) * 60_000)
    .filter((t) => t > now.getTime() - 60_000)
    .sort((a, b) => a - b);
  for (const t of ends) {
    const at = new Date(t);
    if (zones.every((z) => !inWindow(localMinutes(z, at), window))) return { localTime: local, timeZone: zone, quiet: true, allowedFrom: at.toISOString() };
  }
  return { localTime: local, timeZone: zone, quiet: true };
}
