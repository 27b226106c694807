import { describe, expect, it } from 'vitest';
import { displayText, mediaStorageKey, toPublicMedia } from '../../shared/domain/media';
import { expiryOf, isExpired } from '../../shared/domain/retention';
import { newId, timeOfId } from '../../shared/domain/clock';
import { crmEventId, messageContextSchema } from '../../shared/domain/crm-events';

describe('media', () => {
  it('a message without text shows [image] when every file is an image, else [media]; text always wins', () => {
    expect(displayText('', [{ contentType: 'image/png' }, { contentType: 'IMAGE/JPEG' }])).toBe('[image]');
    expect(displayText('  ', [{ contentType: 'image/png' }, { contentType: 'application/pdf' }])).toBe('[media]');
    expect(displayText('Signed form', [{ contentType: 'image/png' }])).toBe('Signed form');
    expect(displayText('', [])).toBe('');
    expect(displayText('', undefined)).toBe('');
  });

  it('answers only the public fields, keeping size and reason when present', () => {
    const stored = { id: 'f', contentType: 'image/png', status: 'stored' as const, size: 12, sourceUrl: 'https://api.twilio.com/x', storageKey: 'media/c/m/f' };
    const failed = { id: 'g', contentType: 'image/png', status: 'failed' as const, reason: { code: 'MediaTimeout', message: 'slow' }, sourceUrl: 'u', storageKey: 'k' };
    const pending = { id: 'h', contentType: 'image/png', status: 'pending' as const, sourceUrl: 'u', storageKey: 'k' };
    expect(toPublicMedia([stored, failed, pending])).toEqual([
      { id: 'f', contentType: 'image/png', status: 'stored', size: 12 },
      { id: 'g', contentType: 'image/png', status: 'failed', reason: { code: 'MediaTimeout', message: 'slow' } },
      { id: 'h', contentType: 'image/png', status: 'pending' },
    ]);
    expect(toPublicMedia([{ ...stored, size: 0 }])[0]).toHaveProperty('size', 0);
    expect(mediaStorageKey('c', 'm', 'f')).toBe('media/c/m/f');
  });
});

describe('retention', () => {
  it('expires a message the configured number of days after it was created, or never', () => {
    expect(expiryOf('2026-01-01T00:00:00.000Z', 30)).toBe(Date.parse('2026-01-31T00:00:00.000Z') / 1000);
    expect(expiryOf('2026-01-01T00:00:00.999Z', 1)).toBe(Date.parse('2026-01-02T00:00:00.000Z') / 1000);
    expect(expiryOf('2026-01-01T00:00:00.000Z', undefined)).toBeUndefined();
    expect(expiryOf('2026-01-01T00:00:00.000Z', 0)).toBeUndefined();
  });

  it('an item is expired from its expiresAt second on; one without expiresAt never is', () => {
    const expiresAt = Date.parse('2026-01-31T00:00:00.000Z') / 1000;
    expect(isExpired({ expiresAt }, new Date('2026-01-30T23:59:59.999Z'))).toBe(false);
    expect(isExpired({ expiresAt }, new Date('2026-01-31T00:00:00.000Z'))).toBe(true);
    expect(isExpired({}, new Date('2100-01-01'))).toBe(false);
    expect(isExpired({ expiresAt: '1' }, new Date('2100-01-01'))).toBe(false);
  });
});

describe('ids', () => {
  it('an id carries its creation time to the millisecond; anything else has none', () => {
    const at = new Date('2026-11-25T10:11:12.345Z');
    expect(timeOfId(newId(at))?.toISOString()).toBe(at.toISOString());
    expect(timeOfId(newId(new Date(0)))?.getTime()).toBe(0);
    expect(timeOfId('01ZZZZZZZZZZZZZZZZZZZZZZZZ')).toBeInstanceOf(Date);
    for (const bad of ['', 'nope', `${newId(at)}X`, newId(at).toLowerCase(), 'UUUUUUUUUUUUUUUUUUUUUUUUUU']) expect(timeOfId(bad)).toBeUndefined();
  });

  it('CRM event ids keep the parts of a change apart', () => {
    expect(crmEventId('a', 'b')).not.toBe(crmEventId('a\nb'));
    expect(crmEventId('a', 'b')).not.toBe(crmEventId('ab'));
    expect(crmEventId('a', 'b')).toBe(crmEventId('a', 'b'));
  });

  it('a send\'s context holds at most 10 keys of at most 64 characters, values of at most 256', () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(256)]));
    expect(messageContextSchema.safeParse(ten).success).toBe(true);
    expect(messageContextSchema.safeParse({ ...ten, k10: 'v' }).success).toBe(false);
    expect(messageContextSchema.safeParse({ k: 'v'.repeat(257) }).success).toBe(false);
    expect(messageContextSchema.safeParse({ ['k'.repeat(65)]: 'v' }).success).toBe(false);
    expect(messageContextSchema.safeParse({ '': 'v' }).success).toBe(false);
  });
});
