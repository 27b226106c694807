import { describe, expect, it } from 'vitest';
import { ALWAYS_CLOSED, businessHoursSchema, businessSeconds, closedPeriodStart, isOpen, nextOpening, type BusinessHours } from '../../shared/domain/business-hours';

const weekdays = { mon: [['08:00', '17:00']], tue: [['08:00', '17:00']], wed: [['08:00', '17:00']], thu: [['08:00', '17:00']], fri: [['08:00', '17:00']] } as BusinessHours['weekly'];
const stockholm: BusinessHours = { timeZone: 'Europe/Stockholm', weekly: weekdays, closedDates: ['2026-12-24'] };
const newYork: BusinessHours = { timeZone: 'America/New_York', weekly: weekdays };
const at = (iso: string) => new Date(iso);

describe('business hours', () => {
  it('is open inside the local intervals and closed outside them, in the number’s zone', () => {
    // Monday 2026-12-07: Stockholm is UTC+1.
    expect(isOpen(stockholm, at('2026-12-07T07:00:00Z'))).toBe(true); // 08:00 local
    expect(isOpen(stockholm, at('2026-12-07T06:59:59Z'))).toBe(false);
    expect(isOpen(stockholm, at('2026-12-07T16:00:00Z'))).toBe(false); // 17:00 local: the end is exclusive
    expect(isOpen(stockholm, at('2026-12-05T10:00:00Z'))).toBe(false); // Saturday
    expect(isOpen(newYork, at('2026-12-07T13:00:00Z'))).toBe(true); // 08:00 in New York
    expect(isOpen(newYork, at('2026-12-07T12:59:00Z'))).toBe(false);
  });

  it('keeps closed dates closed all day', () => {
    expect(isOpen(stockholm, at('2026-12-24T10:00:00Z'))).toBe(false);
    // The closed period that includes Christmas Eve began when Wednesday 23rd closed.
    expect(closedPeriodStart(stockholm, at('2026-12-24T10:00:00Z'))?.toISOString()).toBe('2026-12-23T16:00:00.000Z');
  });

  it('names a closed period by the closing that began it: the same all night and weekend', () => {
    expect(closedPeriodStart(stockholm, at('2026-12-07T10:00:00Z'))).toBeUndefined();
    const friday = '2026-12-04T16:00:00.000Z';
    expect(closedPeriodStart(stockholm, at('2026-12-04T21:00:00Z'))?.toISOString()).toBe(friday);
    expect(closedPeriodStart(stockholm, at('2026-12-06T23:00:00Z'))?.toISOString()).toBe(friday);
    expect(closedPeriodStart(stockholm, at('2026-12-07T06:30:00Z'))?.toISOString()).toBe(friday);
    expect(closedPeriodStart(stockholm, at('2026-12-07T16:30:00Z'))?.toISOString()).toBe('2026-12-07T16:00:00.000Z');
    expect(closedPeriodStart({ timeZone: 'UTC', weekly: {} }, at('2026-12-07T16:30:00Z'))).toEqual(ALWAYS_CLOSED);
  });

  it('follows a change to summer time and back (Stockholm 29 March and 25 October 2026)', () => {
    // Monday 30 March: UTC+2, so 08:00 local is 06:00 UTC.
    expect(isOpen(stockholm, at('2026-03-30T06:00:00Z'))).toBe(true);
    expect(isOpen(stockholm, at('2026-03-30T05:59:00Z'))).toBe(false);
    // Friday 27 March closed at 16:00 UTC (UTC+1); the weekend's 23-hour Sunday is inside the same period.
    expect(closedPeriodStart(stockholm, at('2026-03-30T05:00:00Z'))?.toISOString()).toBe('2026-03-27T16:00:00.000Z');
    // Monday 26 October: back to UTC+1.
    expect(isOpen(stockholm, at('2026-10-26T07:00:00Z'))).toBe(true);
    expect(isOpen(stockholm, at('2026-10-26T06:30:00Z'))).toBe(false);
    // New York, Monday 9 March 2026 after the change on the 8th: 08:00 EDT is 12:00 UTC.
    expect(isOpen(newYork, at('2026-03-09T12:00:00Z'))).toBe(true);
    expect(isOpen(newYork, at('2026-03-09T11:59:00Z'))).toBe(false);
  });

  it('opens a day whose hours begin inside the skipped hour when the clocks jump', () => {
    const sundayNight: BusinessHours = { timeZone: 'Europe/Stockholm', weekly: { sun: [['02:30', '04:00']] } };
    // 02:30 does not exist on 29 March 2026: it moves forward by the jump, to 03:30 local (01:30 UTC), as Temporal does.
    expect(isOpen(sundayNight, at('2026-03-29T01:29:00Z'))).toBe(false);
    expect(isOpen(sundayNight, at('2026-03-29T01:30:00Z'))).toBe(true);
    expect(isOpen(sundayNight, at('2026-03-29T01:59:00Z'))).toBe(true);
    expect(isOpen(sundayNight, at('2026-03-29T02:00:00Z'))).toBe(false);
  });

  it('counts only the seconds inside business hours', () => {
    // Friday 16:00 local → Monday 09:00 local (Stockholm): one hour on Friday, one on Monday.
    expect(businessSeconds(stockholm, at('2026-12-04T15:00:00Z'), at('2026-12-07T08:00:00Z'))).toBe(7200);
    // Inside one opening: wall-clock seconds.
    expect(businessSeconds(stockholm, at('2026-12-07T08:00:00Z'), at('2026-12-07T08:05:30Z'))).toBe(330);
    // Wholly outside: nothing.
    expect(businessSeconds(stockholm, at('2026-12-05T08:00:00Z'), at('2026-12-06T08:00:00Z'))).toBe(0);
    // No hours: the clock never stops.
    expect(businessSeconds(undefined, at('2026-12-05T08:00:00Z'), at('2026-12-06T08:00:00Z'))).toBe(86_400);
    // Across the change to summer time: Friday 27 March 16:30 → Monday 30 March 08:30 local = 30 min + 30 min.
    expect(businessSeconds(stockholm, at('2026-03-27T15:30:00Z'), at('2026-03-30T06:30:00Z'))).toBe(3600);
  });

  it('tells when it opens next', () => {
    expect(nextOpening(stockholm, at('2026-12-04T21:00:00Z'))?.toISOString()).toBe('2026-12-07T07:00:00.000Z');
    expect(nextOpening(stockholm, at('2026-12-07T10:00:00Z'))?.toISOString()).toBe('2026-12-07T10:00:00.000Z');
  });

  it('refuses hours that are not hours', () => {
    const bad = (hours: unknown) => businessHoursSchema.safeParse(hours).success;
    expect(bad({ timeZone: 'Mars/Olympus', weekly: {} })).toBe(false);
    expect(bad({ timeZone: 'Europe/Stockholm', weekly: { mon: [['17:00', '08:00']] } })).toBe(false);
    expect(bad({ timeZone: 'Europe/Stockholm', weekly: { mon: [['08:00', '12:00'], ['11:00', '13:00']] } })).toBe(false);
    expect(bad({ timeZone: 'Europe/Stockholm', weekly: { monday: [['08:00', '12:00']] } })).toBe(false);
    expect(bad({ timeZone: 'Europe/Stockholm', weekly: { mon: [['8:00', '12:00']] } })).toBe(false);
    expect(bad({ timeZone: 'Europe/Stockholm', weekly: {}, closedDates: ['2026-13-01'] })).toBe(false);
    expect(bad({ timeZone: 'Europe/Stockholm', weekly: { mon: [['08:00', '24:00']] }, closedDates: ['2026-12-24'] })).toBe(true);
  });
});

describe('response-time bins', () => {
  it('keep seconds below an hour, minutes below a day and ten minutes beyond, and interpolate quantiles', async () => {
    const { binOf, secondsOfBin, quantile } = await import('../../shared/domain/response-times');
    for (const s of [0, 1, 59, 600, 2700, 3599]) expect(secondsOfBin(binOf(s))).toBe(s);
    expect(secondsOfBin(binOf(3600 + 125))).toBe(3600 + 120);
    expect(secondsOfBin(binOf(2 * 86_400 + 599))).toBe(2 * 86_400);
    const histogram = new Map([[binOf(600), 1], [binOf(2700), 1]]);
    expect(quantile(histogram, 0.5)).toBe(1650);
    expect(quantile(histogram, 0.9)).toBe(2490);
    expect(quantile(new Map([[binOf(60), 3]]), 0.9)).toBe(60);
    expect(quantile(new Map(), 0.5)).toBeUndefined();
  });
});
