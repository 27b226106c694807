import { describe, expect, it } from 'vitest';
import { isSendableE164, normalizePhone, phoneFromPath, requirePhone } from '../../shared/domain/phone';

describe('phone normalization (E.164, default region from configuration)', () => {
  it.each([
    ['+14255550100', 'US', '+14255550100'],
    ['(425) 555-0100', 'US', '+14255550100'],
    ['425.555.0100', 'US', '+14255550100'],
    ['1 425 555 0100', 'US', '+14255550100'],
    ['070-123 45 67', 'SE', '+46701234567'],
    ['+46 70 123 45 67', 'US', '+46701234567'],
    ['020 7946 0958', 'GB', '+442079460958'],
  ])('%s in %s → %s', (input, region, expected) => {
    expect(normalizePhone(input, region)).toBe(expected);
  });

  it.each(['', 'call me', '12', '+0123456', 'abc123456789', '+1 425 555 0100 ext 4 and more text'])('refuses %j', (input) => {
    expect(normalizePhone(input, 'US')).toBeUndefined();
  });

  it('names the field in the InvalidPhoneNumber error', () => {
    expect(() => requirePhone('nope', 'US', 'mobile')).toThrow(expect.objectContaining({ code: 'InvalidPhoneNumber', status: 400 }));
  });

  it('reads business numbers written in a path with %2B, + or no plus', () => {
    expect(phoneFromPath('%2B14255550100', 'US')).toBe('+14255550100');
    expect(phoneFromPath('+14255550100', 'US')).toBe('+14255550100');
    expect(phoneFromPath('14255550100', 'US')).toBe('+14255550100');
  });

  it('accepts only valid E.164 destinations for sending', () => {
    expect(isSendableE164('+14255550100')).toBe(true);
    expect(isSendableE164('4255550100')).toBe(false);
    expect(isSendableE164('+1425')).toBe(false);
    expect(isSendableE164('+999999999999')).toBe(false);
  });
});
