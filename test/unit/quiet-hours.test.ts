import { describe, expect, it } from 'vitest';
import { customerTime, parseQuietHours, timeZonesOf } from '../../shared/domain/quiet-hours';
import { stringDocument, timeZoneModule } from '../../scripts/time-zones';
import { MOBILE_RANGES_PATH, mobileRangesModule } from '../../scripts/mobile-ranges';
import { readFileSync } from 'node:fs';

describe('quiet hours', () => {
  it('parses HH:MM-HH:MM and off; refuses anything else', () => {
    expect(parseQuietHours('21:00-08:00')).toEqual({ start: 21 * 60, end: 8 * 60, text: '21:00-08:00' });
    expect(parseQuietHours('off')).toBeUndefined();
    expect(parseQuietHours(undefined)).toBeUndefined();
    for (const bad of ['9pm-8am', '24:00-08:00', '21:00', '21:00-21:00', ' 21:00-08:00']) expect(() => parseQuietHours(bad), bad).toThrow();
  });

  it('finds every zone a number could be in, by its longest known prefix', () => {
    expect(timeZonesOf('+14255550123')).toEqual(['America/Los_Angeles']);
    expect(timeZonesOf('+12125550100')).toEqual(['America/New_York']);
    expect(timeZonesOf('+46701234567')).toEqual(['Europe/Stockholm']);
    expect(timeZonesOf('+16055551234').sort()).toEqual(['America/Chicago', 'America/Denver', 'America/North_Dakota/Center']);
  });

  // The red team's list: area codes whose exchanges lie in two zones, where the longest prefix gave one.
  it.each([
    ['+14235550100', ['America/Chicago', 'America/New_York']],
    ['+18505550100', ['America/Chicago', 'America/New_York']],
    ['+12705550100', ['America/Chicago', 'America/New_York']],
    ['+18125550100', ['America/Chicago', 'America/New_York']],
    ['+19065550100', ['America/Chicago', 'America/New_York']],
    ['+15415550100', ['America/Denver', 'America/Los_Angeles']],
    ['+17855550100', ['America/Chicago', 'America/Denver']],
    ['+16205550100', ['America/Chicago', 'America/Denver']],
  ])('an area code spanning two zones holds in both: %s', (number, zones) => {
    expect(timeZonesOf(number).sort()).toEqual(zones);
  });

  it('an exchange the data places keeps its one zone (Chattanooga\'s 423-265 is Eastern)', () => {
    expect(timeZonesOf('+14232650100')).toEqual(['America/New_York']);
  });

  it.each([
    ['+61412345678', 'Australia/Perth', 'Australia/Sydney'],
    ['+79161234567', 'Europe/Moscow', 'Asia/Vladivostok'],
    ['+6281234567890', 'Asia/Jakarta', 'Asia/Jayapura'],
  ])('a mobile number carries no place: %s could be anywhere in its country', (number, west, east) => {
    const zones = timeZonesOf(number);
    expect(zones).toContain(west);
    expect(zones).toContain(east);
  });

  it('a fixed line stays placed: Sydney and Moscow landlines are not every zone of their country', () => {
    expect(timeZonesOf('+61212345678')).not.toContain('Australia/Perth');
    expect(timeZonesOf('+74951234567')).toEqual(['Europe/Moscow']);
  });

  it('at 21:00 Eastern, a +1 423 number is quiet (it could be in Chattanooga), as +1 212 is', () => {
    const ninePmEastern = new Date('2026-12-07T02:00:00Z');
    const window = parseQuietHours('21:00-08:00');
    expect(customerTime('+12125550100', ninePmEastern, window)).toMatchObject({ quiet: true, timeZone: 'America/New_York' });
    expect(customerTime('+14235550100', ninePmEastern, window)).toMatchObject({ quiet: true, timeZone: 'America/New_York', localTime: '21:00' });
    // At 08:30 Eastern it is 07:30 in Central: still quiet until 08:00 Central.
    expect(customerTime('+14235550100', new Date('2026-12-07T13:30:00Z'), window)).toMatchObject({ quiet: true, timeZone: 'America/Chicago', allowedFrom: '2026-12-07T14:00:00.000Z' });
  });

  it('mobile ranges are the installed libphonenumber-js\'s (regenerate with npx tsx scripts/mobile-ranges.ts)', () => {
    expect(readFileSync(MOBILE_RANGES_PATH, 'utf8')).toBe(mobileRangesModule());
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
