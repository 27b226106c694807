import { describe, expect, it } from 'vitest';
import { customerTime, parseQuietHours, timeZonesOf } from '../../shared/domain/quiet-hours';
import { stringDocument, timeZoneModule } from '../../scripts/time-zones';

describe('quiet hours', () => {
  it('parses HH:MM-HH:MM and off; refuses anything else', () => {
    expect(parseQuietHours('21:00-08:00')).toEqual({ start: 21 * 60, end: 8 * 60, text: '21:00-08:00' });
    expect(parseQuietHours('off')).toBeUndefined();
    expect(parseQuietHours(undefined)).toBeUndefined();
    for (const bad of ['9pm-8am', '24:00-08:00', '21:00', '21:00-21:00', ' 21:00-08:00']) expect(() => parseQuietHours(bad), bad).toThrow();
  });

  it('finds every zone a number could be in, by its longest known prefix', () => {
    expect(timeZonesOf('+14255550123')).toEqual(['America/Los_Angeles']);
    expect(timeZonesOf('+46701234567')).toEqual(['Europe/Stockholm']);
    expect(timeZonesOf('+16055551234')).toEqual(['America/Denver', 'America/North_Dakota/Center']);
  });

  it('a daytime window (09:00-17:00) works too, and outside it nothing is quiet', () => {
    const office = parseQuietHours('09:00-17:00');
    expect(customerTime('+46701234567', new Date('2026-11-30T11:00:00Z'), office)).toMatchObject({ localTime: '12:00', quiet: true, allowedFrom: '2026-11-30T16:00:00.000Z' });
    expect(customerTime('+46701234567', new Date('2026-11-30T17:00:00Z'), office)).toEqual({ localTime: '18:00', timeZone: 'Europe/Stockholm', quiet: false });
  });

  it('the generator reads the mapper\'s BSON and writes a module of it', () => {
    // {"1": "America/New_York&America/Chicago", "46": "Europe/Stockholm"} as BSON.
    const entry = (name: string, value: string) => Buffer.concat([Buffer.from([0x02]), Buffer.from(`${name}\0`), Buffer.from(new Uint32Array([Buffer.byteLength(value) + 1]).buffer), Buffer.from(`${value}\0`)]);
    const body = Buffer.concat([entry('1', 'America/New_York&America/Chicago'), entry('46', 'Europe/Stockholm'), Buffer.from([0])]);
    const doc = Buffer.concat([Buffer.from(new Uint32Array([body.length + 4]).buffer), body]);
    expect(stringDocument(doc)).toEqual({ '1': 'America/New_York&America/Chicago', '46': 'Europe/Stockholm' });
    expect(timeZoneModule({ '46': 'Europe/Stockholm', '1': 'X' })).toContain('{"1":"X","46":"Europe/Stockholm"}');
  });
});
