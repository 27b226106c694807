import { describe, expect, it } from 'vitest';
import { mmsLimits, sniffImageType, uploadStorageKey } from '../../shared/domain/media';
import { regionOfNumber } from '../../shared/domain/phone';

describe('a file is the image its first bytes say, whatever its upload declared', () => {
  it.each([
    ['image/jpeg', [0xff, 0xd8, 0xff, 0xe0]],
    ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]],
    ['image/gif', [...Buffer.from('GIF89a')]],
    ['image/gif', [...Buffer.from('GIF87a')]],
  ])('%s', (type, bytes) => expect(sniffImageType(Uint8Array.from(bytes))).toBe(type));

  it.each([
    ['HTML', [...Buffer.from('<html>')]],
    ['a PNG header cut short', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a]],
    ['GIF88a', [...Buffer.from('GIF88a')]],
    ['GIF89b', [...Buffer.from('GIF89b')]],
    ['SVG', [...Buffer.from('<svg xmlns')]],
    ['nothing', []],
  ])('not an image we send: %s', (_name, bytes) => expect(sniffImageType(Uint8Array.from(bytes))).toBeUndefined());
});

describe('what each provider carries (their documentation)', () => {
  it('Twilio: 10 files, 5 MB in all, to the US and Canada', () => expect(mmsLimits('twilio')).toEqual({ maxFiles: 10, maxBytesPerFile: 5 * 1024 * 1024, maxTotalBytes: 5 * 1024 * 1024, countries: ['US', 'CA'] }));
  it('End User Messaging: one image of at most 2 MB, to the US and Canada', () => expect(mmsLimits('eum')).toEqual({ maxFiles: 1, maxBytesPerFile: 2 * 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024, countries: ['US', 'CA'] }));
  it('the sandbox: as Twilio, anywhere', () => expect(mmsLimits('sandbox')).toEqual({ maxFiles: 10, maxBytesPerFile: 5 * 1024 * 1024, maxTotalBytes: 5 * 1024 * 1024 }));
  it('Pinpoint: no MMS', () => expect(mmsLimits('pinpoint')).toBeUndefined());
  it('uploads wait under uploads/', () => expect(uploadStorageKey('01ABC')).toBe('uploads/01ABC'));
});

describe("a destination's country", () => {
  it.each([
    ['+14255550123', 'US'],
    ['+16135550123', 'CA'],
    ['+46701234567', 'SE'],
  ])('%s is in %s', (number, region) => expect(regionOfNumber(number)).toBe(region));
});
