import { describe, expect, it } from 'vitest';
import { cleanTemplateName, templateNameSkeleton } from '../../shared/domain/template-name';
import { isSenderId } from '../../shared/domain/inbound';
import { MAX_MEDIA_BYTES, mediaStorageKey } from '../../shared/domain/media';
import { notificationFor, type Notification } from '../../shared/domain/notifications';
import { customerTime, DEFAULT_QUIET_HOURS, localMinutes, parseQuietHours, REPLY_GRACE_MS, timeZonesOf } from '../../shared/domain/quiet-hours';

describe('template names that look alike', () => {
  // Each letter that passes for a Latin one (UTS #39 prototypes), as a seller would see it in a list.
  const lookAlikes: [string, string][] = [
    ['а', 'a'], ['в', 'b'], ['е', 'e'], ['ё', 'e'], ['һ', 'h'], ['і', 'i'], ['ї', 'i'], ['ј', 'j'], ['к', 'k'], ['м', 'm'], ['н', 'h'], ['о', 'o'], ['р', 'p'], ['с', 'c'], ['т', 't'], ['у', 'y'], ['х', 'x'], ['ѕ', 's'], ['ԁ', 'd'], ['ԛ', 'q'], ['ԝ', 'w'], ['ɡ', 'g'], ['ӏ', 'l'], ['г', 'r'], ['п', 'n'], ['ь', 'b'], ['з', '3'],
    ['α', 'a'], ['β', 'b'], ['ε', 'e'], ['η', 'n'], ['ι', 'i'], ['κ', 'k'], ['ν', 'v'], ['ο', 'o'], ['ρ', 'p'], ['τ', 't'], ['υ', 'u'], ['χ', 'x'], ['γ', 'y'], ['ϳ', 'j'],
    ['օ', 'o'], ['ս', 'u'], ['ո', 'n'], ['հ', 'h'], ['զ', 'q'], ['ց', 'g'],
    ['0', 'o'], ['1', 'l'], ['|', 'l'], ['ı', 'i'], ['ł', 'l'],
  ];
  it.each(lookAlikes)('"%s" reads as "%s"', (confusable, latin) => {
    expect(templateNameSkeleton(`x${confusable}x`)).toBe(templateNameSkeleton(`x${latin}x`));
  });

  it('rn reads as m; case does not matter; other letters stay apart', () => {
    expect(templateNameSkeleton('Modern')).toBe(templateNameSkeleton('Modem'));
    expect(templateNameSkeleton('WELCOME')).toBe('welcome');
    expect(templateNameSkeleton('Välkommen')).not.toBe(templateNameSkeleton('Valkommen'));
    expect(templateNameSkeleton('Offer')).not.toBe(templateNameSkeleton('Offers'));
  });

  it('cleans invisible and direction-changing characters and runs of spaces', () => {
    expect(cleanTemplateName(' A\u200bB\u200c\u200dC\u2060\ufeff\u00ad \u202eD\u2066E\u2069  F ')).toBe('ABC DE F');
    expect(cleanTemplateName('ﬁle')).toBe('file');
  });
});

describe('sender ids', () => {
  it.each(['AMAZON', 'Bank-ID', 'A', 'Shop 24', 'a1', 'Acme_Co', 'Q&A', 'X.Y', '72345', '123', '12345678'])('"%s" is a sender id', (from) => expect(isSenderId(from)).toBe(true));
  it.each(['+14255550123', '14255550123', '12', '123456789', 'ABCDEFGHIJKL', '-AMAZON', '', ' AMAZON', 'AMA@ZON', '123-456'])('"%s" is not', (from) => expect(isSenderId(from)).toBe(false));
});

describe('what a notification shows when it is read', () => {
  const quoting: Notification = { id: 'n', kind: 'inbound_message', conversationId: 'c', messageId: 'm', createdAt: 't', read: false, preview: 'secret', customerNumber: '+1', record: { type: 'contact', id: 'ada', name: 'Ada' } };
  it('everything to a salesperson who still sees the conversation', () => expect(notificationFor({ readsBodies: true }, quoting, true)).toEqual(quoting));
  it('no preview or number without the role, or without sight of the conversation', () => {
    const { preview: _p, customerNumber: _c, ...rest } = quoting;
    expect(notificationFor({ readsBodies: false }, quoting, true)).toEqual({ ...rest, withheld: true });
    expect(notificationFor({ readsBodies: true }, quoting, false)).toEqual({ ...rest, withheld: true });
  });
  it('a notification that quotes nothing is shown as it is', () => {
    const assigned: Notification = { id: 'n', kind: 'conversation_assigned', conversationId: 'c', createdAt: 't', read: false, by: 'alice' };
    expect(notificationFor({ readsBodies: false }, assigned, false)).toEqual(assigned);
  });
});

describe('quiet hours, edges', () => {
  const night = parseQuietHours('21:00-08:00')!;
  it('the window starts at its first minute and ends before its last', () => {
    const la = '+14255550123';
    expect(customerTime(la, new Date('2026-11-30T04:59:00Z'), night)!.quiet).toBe(false); // 20:59
    expect(customerTime(la, new Date('2026-11-30T05:00:00Z'), night)!.quiet).toBe(true); // 21:00
    expect(customerTime(la, new Date('2026-11-30T15:59:00Z'), night)!.quiet).toBe(true); // 07:59
    expect(customerTime(la, new Date('2026-11-30T16:00:00Z'), night)!.quiet).toBe(false); // 08:00
  });
  it('a daytime window is quiet only inside it', () => {
    const office = parseQuietHours('09:00-17:00')!;
    expect(office).toEqual({ start: 540, end: 1020, text: '09:00-17:00' });
    expect(customerTime('+46701234567', new Date('2026-11-30T07:59:00Z'), office)!.quiet).toBe(false); // 08:59
    expect(customerTime('+46701234567', new Date('2026-11-30T08:00:00Z'), office)!.quiet).toBe(true); // 09:00
    expect(customerTime('+46701234567', new Date('2026-11-30T16:00:00Z'), office)!.quiet).toBe(false); // 17:00
  });
  it('without a window nothing is quiet; a number with no known zone is not held back', () => {
    expect(customerTime('+14255550123', new Date('2026-11-30T07:40:00Z'), undefined)).toEqual({ localTime: '23:40', timeZone: 'America/Los_Angeles', quiet: false });
    expect(timeZonesOf('+999123')).toEqual([]);
    expect(customerTime('+999123', new Date('2026-11-30T07:40:00Z'), night)).toBeUndefined();
  });
  it('a number in several zones: quiet while any zone is; allowed from the latest of their window ends', () => {
    // +1 605: Denver (07:30) and North Dakota Center (08:30); +1 907: Anchorage (08:30) and Adak (07:30).
    expect(customerTime('+16055551234', new Date('2026-11-30T14:30:00Z'), night)).toEqual({ localTime: '07:30', timeZone: 'America/Denver', quiet: true, allowedFrom: '2026-11-30T15:00:00.000Z' });
    expect(customerTime('+19075551234', new Date('2026-11-30T17:30:00Z'), night)).toEqual({ localTime: '07:30', timeZone: 'America/Adak', quiet: true, allowedFrom: '2026-11-30T18:00:00.000Z' });
    // 21:30 in Center, 20:30 in Denver: one zone is already quiet.
    expect(customerTime('+16055551234', new Date('2026-12-01T03:30:00Z'), night)).toMatchObject({ timeZone: 'America/North_Dakota/Center', quiet: true, allowedFrom: '2026-12-01T15:00:00.000Z' });
    expect(customerTime('+16055551234', new Date('2026-11-30T20:00:00Z'), night)).toEqual({ localTime: '13:00', timeZone: 'America/Denver', quiet: false });
  });

  it('reads minutes, and any valid hour at either end; the default is TCPA\'s; answering is allowed for 24 hours', () => {
    expect(parseQuietHours('21:30-07:15')).toEqual({ start: 21 * 60 + 30, end: 7 * 60 + 15, text: '21:30-07:15' });
    expect(parseQuietHours('08:00-21:00')).toEqual({ start: 480, end: 1260, text: '08:00-21:00' });
    expect(parseQuietHours('22:00-23:59')).toEqual({ start: 1320, end: 1439, text: '22:00-23:59' });
    expect(() => parseQuietHours('21:00-08:00x')).toThrow();
    expect(DEFAULT_QUIET_HOURS).toBe('21:00-08:00');
    expect(REPLY_GRACE_MS).toBe(24 * 60 * 60 * 1000);
  });

  it('the message says what is wrong with a malformed window', () => {
    expect(() => parseQuietHours('9pm')).toThrow('quiet hours "9pm" are not HH:MM-HH:MM or off');
    expect(() => parseQuietHours('08:00-08:00')).toThrow('quiet hours "08:00-08:00" start and end at the same time');
  });

  it('local minutes in a zone', () => {
    expect(localMinutes('Europe/Stockholm', new Date('2026-11-30T12:34:00Z'))).toBe(13 * 60 + 34);
    expect(localMinutes('America/Los_Angeles', new Date('2026-11-30T08:05:00Z'))).toBe(5);
  });
});

describe('MMS files', () => {
  it('are kept under media/ (the prefix the roles and the bucket policy grant), per conversation, message and file', () => {
    expect(mediaStorageKey('conv-1', 'msg-1', 'file-1')).toBe('media/conv-1/msg-1/file-1');
  });
  it('are at most 5 MB each (Twilio\'s limit)', () => {
    expect(MAX_MEDIA_BYTES).toBe(5 * 1024 * 1024);
  });
});
