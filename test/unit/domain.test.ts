import { describe, expect, it } from 'vitest';
import { canAssignConversation, canReadRecord, canSeeConversation, isPrincipalOf, requireSmsRole, viewerFrom, type Viewer } from '../../shared/domain/visibility';
import { assertKnownPlaceholders, assertNothingMissing, placeholdersOf, render, renderTemplate } from '../../shared/domain/template';
import { inboundKindFor, inboundRecipients, notificationId, notificationPreview } from '../../shared/domain/notifications';
import { conversationFor, messageFor, preview, PREVIEW_LENGTH, type Conversation, type Message } from '../../shared/domain/messages';
import { maskPhoneNumbers, redactLogValue } from '../../shared/domain/redact';
import { newId, systemClock } from '../../shared/domain/clock';
import { toCrmRecord } from '../../shared/domain/record-input';
import { errorStatus, HttpError, notFound } from '../../shared/domain/errors';
import { canTransition, finalStatuses, reason, reasonMessages, statusesThatAccept } from '../../shared/domain/status';
import { E164_PATTERN, isSendableE164, normalizePhone, phoneFromPath, requirePhone } from '../../shared/domain/phone';
import { chooseRecord, type RoutingCandidate } from '../../shared/domain/routing';
import { idSchema, numbersOf } from '../../shared/domain/records';
import { templateBodySchema } from '../../shared/domain/template-input';
import { segmentInfo } from '../../shared/domain/segments';

const viewer = (over: Partial<Viewer> = {}): Viewer => ({ sellerId: 's1', isAdmin: false, teamIds: ['east'], readsBodies: true, ...over });
const thrown = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return error as HttpError;
  }
  throw new Error('expected a throw');
};

describe('visibility (contract, "Identity")', () => {
  const conversation = (over: Record<string, unknown> = {}) => ({ assignedTo: { type: 'seller' as const, id: 'other' }, ...over });

  it('a conversation assigned to the viewer or one of their teams is visible', () => {
    expect(canSeeConversation(viewer(), conversation({ assignedTo: { type: 'seller', id: 's1' } }))).toBe(true);
    expect(canSeeConversation(viewer(), conversation({ assignedTo: { type: 'team', id: 'east' } }))).toBe(true);
    expect(canSeeConversation(viewer(), conversation({ assignedTo: { type: 'team', id: 'west' } }))).toBe(false);
    // A team and a seller may share an id: the type decides.
    expect(canSeeConversation(viewer(), conversation({ assignedTo: { type: 'team', id: 's1' } }))).toBe(false);
    expect(canSeeConversation(viewer(), conversation({ assignedTo: { type: 'seller', id: 'east' } }))).toBe(false);
  });

  it('a conversation whose record the viewer or their team owns is visible', () => {
    expect(canSeeConversation(viewer(), conversation({ recordOwnerId: 's1' }))).toBe(true);
    expect(canSeeConversation(viewer(), conversation({ recordOwningTeamId: 'east' }))).toBe(true);
    expect(canSeeConversation(viewer(), conversation({ recordOwnerId: 's2', recordOwningTeamId: 'west' }))).toBe(false);
    expect(canSeeConversation(viewer({ teamIds: [] }), conversation({ recordOwningTeamId: 'east' }))).toBe(false);
    expect(canSeeConversation(viewer(), conversation())).toBe(false);
  });

  it('admins see every conversation and read every record', () => {
    expect(canSeeConversation(viewer({ isAdmin: true }), conversation())).toBe(true);
    expect(canReadRecord(viewer({ isAdmin: true }), {})).toBe(true);
  });

  it('records: readable by their owner and their owning team only', () => {
    expect(canReadRecord(viewer(), { ownerId: 's1' })).toBe(true);
    expect(canReadRecord(viewer(), { owningTeamId: 'east' })).toBe(true);
    expect(canReadRecord(viewer(), { ownerId: 's2', owningTeamId: 'west' })).toBe(false);
    expect(canReadRecord(viewer(), {})).toBe(false);
    expect(canReadRecord(viewer({ sellerId: 's9' }), { ownerId: undefined })).toBe(false);
  });

  it('isPrincipalOf: no principal is nobody\'s', () => {
    expect(isPrincipalOf(viewer(), undefined)).toBe(false);
    expect(isPrincipalOf(viewer(), { type: 'seller', id: 's1' })).toBe(true);
  });

  it('viewerFrom: teams and the right to read text come from the directory', () => {
    expect(viewerFrom({ sellerId: 'a', isAdmin: false }, { teamIds: ['t'], roles: ['salesperson'] })).toEqual({ sellerId: 'a', isAdmin: false, teamIds: ['t'], readsBodies: true });
    expect(viewerFrom({ sellerId: 'a', isAdmin: false }, { teamIds: ['t'], roles: ['viewer'] }).readsBodies).toBe(false);
    expect(viewerFrom({ sellerId: 'a', isAdmin: false }, { teamIds: [] }).readsBodies).toBe(false);
    expect(viewerFrom({ sellerId: 'a', isAdmin: false }, undefined)).toEqual({ sellerId: 'a', isAdmin: false, teamIds: [], readsBodies: false });
    expect(viewerFrom({ sellerId: 'a', isAdmin: true }, undefined).readsBodies).toBe(true);
  });

  it('hand-off: admins, the assignee (or its team) and the record\'s owner (or its team) may; nobody else', () => {
    const c = { assignedTo: { type: 'seller' as const, id: 'other' }, recordOwnerId: 'owner', recordOwningTeamId: 'west' };
    expect(canAssignConversation(viewer({ isAdmin: true, teamIds: [] }), c)).toBe(true);
    expect(canAssignConversation(viewer({ sellerId: 'other', teamIds: [] }), c)).toBe(true);
    expect(canAssignConversation(viewer({ sellerId: 'owner', teamIds: [] }), c)).toBe(true);
    expect(canAssignConversation(viewer({ sellerId: 'x', teamIds: ['west'] }), c)).toBe(true);
    expect(canAssignConversation(viewer({ sellerId: 'x', teamIds: ['east'] }), { ...c, assignedTo: { type: 'team', id: 'east' } })).toBe(true);
    expect(canAssignConversation(viewer({ sellerId: 'x', teamIds: ['east'] }), c)).toBe(false);
  });

  it('requireSmsRole refuses sellers who may not read text with 403', () => {
    expect(() => requireSmsRole(viewer(), 'x')).not.toThrow();
    const error = thrown(() => requireSmsRole(viewer({ readsBodies: false }), 'moving a conversation'));
    expect(error.code).toBe('InsufficientPrivileges');
    expect(error.message).toBe('moving a conversation needs the salesperson role');
  });
});

describe('templates (contract, "Templates")', () => {
  const record = { type: 'contact' as const, id: 'ada', name: 'Ada', state: 'active' as const, mobile: '+14255550100' as never };

  it('renders record and seller fields, spaces inside braces allowed, missing fields empty', () => {
    expect(renderTemplate('Hi {{record.name}}, {{ seller.name }} on {{record.mobile}} ({{record.phone}})', { record, seller: { name: 'Alice' } })).toBe('Hi Ada, Alice on +14255550100 ()');
    expect(renderTemplate('{{record.type}}/{{record.id}}/{{record.state}}', { record, seller: { name: 'x' } })).toBe('contact/ada/active');
    expect(renderTemplate('no placeholders', { record, seller: { name: 'x' } })).toBe('no placeholders');
  });

  it('defaults after | fill empty or missing values; what has neither is reported missing, once', () => {
    const blank = { ...record, name: '  ' };
    expect(render('Hi {{record.name|there}} {{record.phone | }} {{record.phone}}', { record: blank, seller: { name: 'Al' } })).toEqual({ body: 'Hi there  ', missing: ['record.phone'] });
    expect(render('{{seller.name|x}} {{record.name|y}}', { record, seller: { name: 'Al' } })).toEqual({ body: 'Al Ada', missing: [] });
    expect(placeholdersOf('{{ record.name | there }}')).toEqual(['record.name']);
    expect(() => assertKnownPlaceholders('{{record.name|there}}')).not.toThrow();
  });

  it('an empty default is no default; spaces around the default are trimmed', () => {
    expect(render('[{{record.phone|}}]', { record, seller: { name: 'x' } })).toEqual({ body: '[]', missing: ['record.phone'] });
    expect(render('[{{record.phone|  there  }}]', { record, seller: { name: 'x' } })).toEqual({ body: '[there]', missing: [] });
  });

  it('a text with holes is refused with 400 MissingPlaceholderValue naming them', () => {
    expect(thrown(() => assertNothingMissing({ body: '', missing: ['record.name', 'record.phone'] })).message).toMatch(/^no value for \{\{record\.name\}\}, \{\{record\.phone\}\};/);
    expect(assertNothingMissing({ body: 'ok', missing: [] })).toBe('ok');
    const error = thrown(() => assertNothingMissing({ body: 'Hi ,', missing: ['record.name'] }));
    expect(error).toMatchObject({ code: 'MissingPlaceholderValue', status: 400, details: { placeholders: ['record.name'] } });
    expect(error.message).toContain('{{record.name}}');
  });

  it('lists placeholders trimmed, in order', () => {
    expect(placeholdersOf('{{ a }} and {{b.c}} and {{a}}')).toEqual(['a', 'b.c', 'a']);
    expect(placeholdersOf('{ {x} }')).toEqual([]);
  });

  it('refuses unknown placeholders with 400 UnknownPlaceholder naming each once', () => {
    expect(() => assertKnownPlaceholders('{{record.name}} {{seller.name}} {{record.accountId}}')).not.toThrow();
    const one = thrown(() => assertKnownPlaceholders('{{record.salary}}'));
    expect(one).toBeInstanceOf(HttpError);
    expect(one.code).toBe('UnknownPlaceholder');
    expect(one.message).toBe('unknown placeholder: {{record.salary}}');
    const two = thrown(() => assertKnownPlaceholders('{{x}} {{y}} {{x}}'));
    expect(two.message).toBe('unknown placeholders: {{x}}, {{y}}');
    expect(two.details).toMatchObject({ unknown: ['x', 'y'] });
    expect((two.details as { allowed: string[] }).allowed).toContain('record.name');
    expect(() => renderTemplate('{{seller.phone}}', { record, seller: { name: 'x' } })).toThrow(HttpError);
    expect(() => renderTemplate('{{record.salary}}', { record, seller: { name: 'x' } })).toThrow(/record\.salary/);
    expect(thrown(() => renderTemplate('{{record.salary}}', { record, seller: { name: 'x' } })).code).toBe('UnknownPlaceholder');
  });
});

describe('notifications (contract, "Notifications")', () => {
  it('an inbound message reaches B\'s seller (or every member of B\'s team) and the record\'s owner (or its owning team), once each', () => {
    expect(inboundRecipients({ assignedTo: { type: 'seller', id: 'b' }, assigneeTeamMembers: ['x'], recordOwnerId: 'a', recordOwningTeamMembers: ['y'] })).toEqual(['a', 'b']);
    expect(inboundRecipients({ assignedTo: { type: 'team', id: 't' }, assigneeTeamMembers: ['m2', 'm1'], recordOwnerId: 'm1', recordOwningTeamMembers: [] })).toEqual(['m1', 'm2']);
    expect(inboundRecipients({ assignedTo: { type: 'seller', id: 'b' }, assigneeTeamMembers: [], recordOwningTeamMembers: ['o1', 'o2'] })).toEqual(['b', 'o1', 'o2']);
  });

  it('a notification previews the first 160 characters of the body, whole characters', () => {
    expect(notificationPreview('short')).toBe('short');
    expect(notificationPreview('x'.repeat(200))).toBe('x'.repeat(160));
    expect(notificationPreview(`${'x'.repeat(159)}😀😀`)).toBe(`${'x'.repeat(159)}😀`);
  });

  it('recipients without the salesperson role are told without the text', () => {
    expect(inboundKindFor(['salesperson'])).toBe('inbound_message');
    expect(inboundKindFor(['viewer'])).toBe('insufficient_privileges');
    expect(inboundKindFor(undefined)).toBe('insufficient_privileges');
  });

  it('ids are deterministic, distinct per seller, kind and message, and sort by time', () => {
    const id = notificationId('2026-11-01T10:00:00.000Z', 'm1', 'inbound_message', 's1');
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(notificationId('2026-11-01T10:00:00.000Z', 'm1', 'inbound_message', 's1')).toBe(id);
    expect(notificationId('2026-11-01T10:00:00.000Z', 'm1', 'inbound_message', 's2')).not.toBe(id);
    expect(notificationId('2026-11-01T10:00:00.000Z', 'm2', 'inbound_message', 's1')).not.toBe(id);
    expect(notificationId('2026-11-01T10:00:00.000Z', 'm1', 'delivery_failed', 's1')).not.toBe(id);
    expect(notificationId('2026-11-01T10:00:00.001Z', 'm1', 'inbound_message', 's1') > id).toBe(true);
    expect(id.slice(0, 10)).toBe(newId(new Date('2026-11-01T10:00:00.000Z')).slice(0, 10));
  });
});

describe('ids', () => {
  it('the system clock tells the time', () => {
    const before = Date.now();
    const now = systemClock.now().getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('are 26 Crockford characters, time first, so they sort by creation', () => {
    const a = newId(new Date('2026-01-01T00:00:00.000Z'));
    const b = newId(new Date('2026-01-01T00:00:00.001Z'));
    expect(a).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(a < b).toBe(true);
    expect(newId(new Date(0)).slice(0, 10)).toBe('0000000000');
    expect(newId(new Date(31)).slice(0, 10)).toBe('000000000Z');
    expect(newId(new Date(32)).slice(0, 10)).toBe('0000000010');
    expect(newId(new Date(0))).not.toBe(newId(new Date(0)));
  });
});

describe('messages as shown', () => {
  const message: Message = { id: 'm', conversationId: 'c', direction: 'inbound', from: '+1', to: '+2', body: 'secret', createdAt: 't', status: 'received', statusAt: 't', segments: 1 };
  const conversation: Conversation = { id: 'c', record: { type: 'lead', id: 'l' }, recordName: 'Lead L', assigneeName: 'Team T', customerNumber: '+1', businessNumber: '+2', assignedTo: { type: 'team', id: 't' }, lastMessageAt: 't', lastMessagePreview: 'secret', unreadCount: 0, optedOut: false, replyable: true };

  it('bodies and previews are withheld from viewers who may not read text', () => {
    expect(messageFor({ readsBodies: true }, message)).toEqual(message);
    const { body: _body, ...rest } = message;
    expect(messageFor({ readsBodies: false }, message)).toEqual({ ...rest, withheld: true });
    expect(conversationFor({ readsBodies: true }, conversation)).toEqual(conversation);
    const { lastMessagePreview: _preview, ...others } = conversation;
    expect(conversationFor({ readsBodies: false }, conversation)).toEqual({ ...others, withheld: true });
  });

  it('a preview is the body on one line, cut with an ellipsis', () => {
    expect(preview('  hello\n\n  world  ')).toBe('hello world');
    expect(preview('x'.repeat(PREVIEW_LENGTH))).toBe('x'.repeat(PREVIEW_LENGTH));
    expect(preview('x'.repeat(PREVIEW_LENGTH + 1))).toBe(`${'x'.repeat(PREVIEW_LENGTH - 1)}…`);
    expect(PREVIEW_LENGTH).toBe(120);
  });
});

describe('log redaction', () => {
  it.each([
    ['+14255550123', '…0123'],
    ['call +46 70 123 45 67 now', 'call …4567 now'],
    ['(425) 555-0123', '…0123'],
    ['425-555-0123', '…0123'],
    ['425.555.0123', '…0123'],
    ['4255550123', '…0123'],
    ['phone: "14255550123" bad', 'phone: "…0123" bad'],
    ['call (425) 555-0123 now', 'call …0123 now'],
    ['call (425)555-0123', 'call …0123'],
    ['call 425 555-0123, thanks', 'call …0123, thanks'],
    ['x 425-555 0123', 'x …0123'],
  ])('%j → %j', (input, output) => expect(maskPhoneNumbers(input)).toBe(output));

  it.each(['2026-11-25T10:00:00.000Z', 'SM123456789abc', 'id 01JABCDEF0123', 'KEYWORD_123456789012', '123456', 'v1.2345678.9', 'a:1234567', '49590338271490256608559692538361571095'])('%j is left alone', (input) => {
    expect(maskPhoneNumbers(input)).toBe(input);
  });

  it('withholds message text by key and masks numbers in any string', () => {
    for (const key of ['body', 'Body', 'messageBody', 'MessageBody', 'lastMessagePreview', 'preview', 'text']) expect(redactLogValue(key, 'hi there')).toBe('[withheld: 8 characters]');
    expect(redactLogValue('message', 'to +14255550123')).toBe('to …0123');
    expect(redactLogValue('count', 4255550123)).toBe(4255550123);
    expect(redactLogValue('body', 42)).toBe(42);
  });
});

describe('record input', () => {
  const deps = { clock: { now: () => new Date('2026-11-01T00:00:00.000Z') }, defaultRegion: 'US' };
  it('normalizes numbers, defaults modifiedAt to now, keeps links without duplicates', () => {
    expect(toCrmRecord('opportunity', 'o1', { name: 'O', state: 'active', mobile: '(425) 555-0100', phone: null, ownerId: 'a', owningTeamId: 't', accountId: 'acc', contactIds: ['c1', 'c1', 'c2'] }, deps)).toEqual({
      type: 'opportunity', id: 'o1', name: 'O', state: 'active', modifiedAt: '2026-11-01T00:00:00.000Z', mobile: '+14255550100', ownerId: 'a', owningTeamId: 't', accountId: 'acc', contactIds: ['c1', 'c2'],
    });
    // Strict: a field the input lacks is absent, not present as undefined.
    expect(toCrmRecord('lead', 'l', { name: 'L', state: 'inactive', modifiedAt: '2026-10-01T12:00:00+02:00' }, deps)).toStrictEqual({ type: 'lead', id: 'l', name: 'L', state: 'inactive', modifiedAt: '2026-10-01T10:00:00.000Z' });
    expect(thrown(() => toCrmRecord('lead', 'l', { name: 'L', state: 'active', business: 'not a number' }, deps)).code).toBe('InvalidPhoneNumber');
  });
});

describe('errors', () => {
  it('carry the contract status of their code', () => {
    expect(new HttpError('OptedOut', 'x').status).toBe(409);
    expect(new HttpError('ValidationError', 'x').name).toBe('HttpError');
    expect(notFound('conversation')).toMatchObject({ code: 'NotFound', status: 404, message: 'conversation not found' });
    expect(errorStatus.UnsupportedMediaType).toBe(415);
  });
});

describe('status transitions, edge cases', () => {
  it('final statuses are exactly delivered, failed, undelivered and canceled; no report moves a message into or out of scheduled', () => {
    expect([...finalStatuses].sort()).toEqual(['canceled', 'delivered', 'failed', 'undelivered']);
    expect(statusesThatAccept('scheduled')).toEqual([]);
    expect(statusesThatAccept('canceled')).toEqual([]);
    for (const next of ['sent', 'delivered', 'failed', 'undelivered', 'unknown'] as const) expect(statusesThatAccept(next), next).not.toContain('scheduled');
  });
  it('nothing becomes received, and unknown does not repeat', () => {
    expect(statusesThatAccept('received')).toEqual([]);
    expect(canTransition('unknown', 'unknown')).toBe(false);
    expect(canTransition('queued', 'unknown')).toBe(true);
    expect(statusesThatAccept('sent')).toEqual(['queued', 'unknown']);
  });
  it('reasons read well, with the provider\'s detail when there is one', () => {
    expect(reason('Spam')).toEqual({ code: 'Spam', message: reasonMessages.Spam });
    expect(reason('Spam', '   ')).toEqual({ code: 'Spam', message: reasonMessages.Spam });
    expect(reason('Spam', ' 30007 ')).toEqual({ code: 'Spam', message: `${reasonMessages.Spam} (30007)` });
  });
});

describe('phone numbers, edge cases', () => {
  it('normalizes national and international input; refuses words, empty and overlong input', () => {
    expect(normalizePhone(' (425) 555-0100 ', 'US')).toBe('+14255550100');
    expect(normalizePhone('070-123 45 67', 'se')).toBe('+46701234567');
    expect(normalizePhone('', 'US')).toBeUndefined();
    expect(normalizePhone('   ', 'US')).toBeUndefined();
    expect(normalizePhone('425 555 0100 call me', 'US')).toBeUndefined();
    expect(normalizePhone('4255550100x', 'US')).toBe('+14255550100');
    expect(normalizePhone(`+1425555010${'0'.repeat(22)}`, 'US')).toBeUndefined();
    expect(normalizePhone(`+1 425 555 0100${' '.repeat(18)}`, 'US')).toBe('+14255550100');
    expect(normalizePhone('+1 (425) 555-0100 ext 12', 'US')).toBeUndefined();
    // More than 32 characters once trimmed is refused, even when the digits would parse.
    expect(normalizePhone('+1 4 2 5 5 5 5 0 1 0 0', 'US')).toBe('+14255550100');
    expect(normalizePhone('+1   4   2   5   5   5   5   0   1   0   0', 'US')).toBeUndefined();
    expect(normalizePhone('+1  4  2  5  5  5  5  0  1  0  0', 'US')).toBe('+14255550100'); // exactly 32: still accepted
  });

  it('requirePhone names the field in the 400', () => {
    const error = thrown(() => requirePhone('nope', 'US', 'mobile'));
    expect(error).toMatchObject({ code: 'InvalidPhoneNumber', details: { field: 'mobile' }, message: 'mobile: "nope" is not a phone number' });
    expect(thrown(() => requirePhone('nope', 'US')).message).toBe('phone: "nope" is not a phone number');
  });

  it('E.164 is anchored at both ends; sendable numbers are valid ones', () => {
    expect(E164_PATTERN.test('+14255550100')).toBe(true);
    expect(E164_PATTERN.test('x+14255550100')).toBe(false);
    expect(E164_PATTERN.test('+14255550100x')).toBe(false);
    expect(isSendableE164('+1 425 555 0100')).toBe(false);
    expect(isSendableE164('+14255550100')).toBe(true);
    expect(isSendableE164('+1425555010')).toBe(false);
    expect(isSendableE164('14255550100')).toBe(false);
  });

  it('paths: %2B, + (decoded to a space) or no plus at all', () => {
    expect(phoneFromPath('%2B14255550100', 'US')).toBe('+14255550100');
    expect(phoneFromPath(' 14255550100', 'US')).toBe('+14255550100');
    expect(phoneFromPath('14255550100', 'US')).toBe('+14255550100');
    expect(phoneFromPath('46701234567', 'US')).toBe('+46701234567');
    expect(phoneFromPath('+46701234567', 'US')).toBe('+46701234567');
    expect(thrown(() => phoneFromPath('%', 'US'))).toMatchObject({ code: 'InvalidPhoneNumber', details: { field: 'number' } });
    expect(thrown(() => phoneFromPath('123', 'US')).message).toBe('number: "123" is not a phone number');
    expect(thrown(() => phoneFromPath('%', 'US')).message).toBe('number: the path segment is not valid percent-encoding');
    expect(phoneFromPath('1 425 555 0100', 'US')).toBe('+14255550100');
    expect(phoneFromPath('%2B14255550100%20', 'US')).toBe('+14255550100');
    expect(thrown(() => phoneFromPath('1234567x', 'US')).code).toBe('InvalidPhoneNumber');
  });
});

describe('routing, edge cases', () => {
  const base = (over: Partial<RoutingCandidate> & Pick<RoutingCandidate, 'type' | 'id'>): RoutingCandidate => ({ state: 'active', modifiedAt: '2026-01-01T00:00:00.000Z', ...over });
  const seller = { assignee: { type: 'seller' as const, id: 'alice' }, teamMemberIds: new Set<string>(), conversations: [] };

  it('one candidate is chosen as the only candidate', () => {
    expect(chooseRecord([base({ type: 'lead', id: 'x', state: 'inactive' })], seller)).toEqual({ kind: 'existing', record: base({ type: 'lead', id: 'x', state: 'inactive' }), rule: 'only-candidate' });
  });

  it('rule 1 counts conversations with the same principal only (type and id), and the newest per record', () => {
    const context = {
      ...seller,
      conversations: [
        { record: { type: 'lead' as const, id: 'l' }, assignedTo: { type: 'team' as const, id: 'alice' }, lastMessageAt: '2026-05-01T00:00:00Z' },
        { record: { type: 'contact' as const, id: 'c' }, assignedTo: { type: 'seller' as const, id: 'alice' }, lastMessageAt: '2026-04-01T00:00:00Z' },
        { record: { type: 'lead' as const, id: 'l2' }, assignedTo: { type: 'seller' as const, id: 'alice' }, lastMessageAt: '2026-01-01T00:00:00Z' },
        { record: { type: 'lead' as const, id: 'l2' }, assignedTo: { type: 'seller' as const, id: 'alice' }, lastMessageAt: '2026-04-15T00:00:00Z' },
        { record: { type: 'lead' as const, id: 'l2' }, assignedTo: { type: 'seller' as const, id: 'alice' }, lastMessageAt: '2026-01-02T00:00:00Z' },
      ],
    };
    expect(chooseRecord([base({ type: 'lead', id: 'l' }), base({ type: 'contact', id: 'c' })], context)).toMatchObject({ record: { id: 'c' }, rule: 'recent-conversation' });
    expect(chooseRecord([base({ type: 'contact', id: 'c' }), base({ type: 'lead', id: 'l2' })], context)).toMatchObject({ record: { id: 'l2' }, rule: 'recent-conversation' });
  });

  it('a team and a seller sharing an id are not confused by rules 2 and 3', () => {
    const team = { assignee: { type: 'team' as const, id: 'alice' }, teamMemberIds: new Set<string>(), conversations: [] };
    expect(chooseRecord([base({ type: 'lead', id: 'l', ownerId: 'alice' }), base({ type: 'contact', id: 'c' })], team)).toMatchObject({ record: { id: 'c' }, rule: 'record-type' });
    // A seller number: rule 3 never applies, not even to records without an owning team.
    expect(chooseRecord([base({ type: 'contact', id: 'c', owningTeamId: 'east' }), base({ type: 'lead', id: 'l' })], { ...seller, teamMemberIds: new Set(['bob']) })).toMatchObject({ record: { id: 'c' }, rule: 'record-type' });
    expect(chooseRecord([base({ type: 'contact', id: 'c' }), base({ type: 'lead', id: 'l', ownerId: 'bob' })], { ...seller, teamMemberIds: new Set(['bob']) })).toMatchObject({ record: { id: 'c' }, rule: 'record-type' });
  });

  it('the last rule orders ids ascending whatever the input order', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((id) => base({ type: 'contact', id }));
    for (const order of [[a!, b!, c!], [c!, b!, a!], [b!, c!, a!], [c!, a!, b!]]) expect(chooseRecord(order, seller)).toMatchObject({ record: { id: 'a' }, rule: 'id' });
    expect(chooseRecord([c!, b!], seller)).toMatchObject({ record: { id: 'b' }, rule: 'id' });
  });

  it('newer modification wins whatever the input order', () => {
    const old = base({ type: 'contact', id: 'a' });
    const recent = base({ type: 'contact', id: 'b', modifiedAt: '2026-02-01T00:00:00.000Z' });
    expect(chooseRecord([old, recent], seller)).toMatchObject({ record: { id: 'b' } });
    expect(chooseRecord([recent, old], seller)).toMatchObject({ record: { id: 'b' } });
  });
});

describe('records', () => {
  it('numbersOf lists each distinct number once with every field holding it', () => {
    expect([...numbersOf({ phone: '+1' as never, business: '+2' as never, mobile: '+1' as never })]).toEqual([['+1', ['phone', 'mobile']], ['+2', ['business']]]);
    expect([...numbersOf({})]).toEqual([]);
  });
});

describe('schemas and segments, edge cases', () => {
  it('ids refuse characters outside the allowed set with a readable message', () => {
    const result = idSchema.safeParse('a b');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('ids use letters, digits and . _ : @ -');
  });
  it('template names are trimmed, and a blank name is refused', () => {
    expect(templateBodySchema.parse({ name: '  Welcome  ', body: 'x' }).name).toBe('Welcome');
    expect(templateBodySchema.safeParse({ name: '   ', body: 'x' }).success).toBe(false);
  });
  it('an empty message is one GSM-7 segment of no units', () => {
    expect(segmentInfo('')).toEqual({ encoding: 'GSM-7', segments: 1, units: 0 });
  });
});
