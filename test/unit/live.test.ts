import { describe, expect, it } from 'vitest';
import { conversationChange, encodeFrame, messageChange } from '../../shared/domain/live';

/** What a change means to someone looking at a conversation (contract, "Live updates"): hints, never data. */
describe('conversation changes', () => {
  const base = { id: 'c1', lastMessageAt: '2026-11-01T09:00:00Z', messageCount: 2, inboundCount: 1, assignedTo: { type: 'seller', id: 'alice' }, assigneeName: 'Alice', recordOwnerId: 'alice', recordName: 'Ada', mergedFromIds: new Set(['a', 'b']) };

  it('a new item is a message, or a move when it carries movedAt', () => {
    expect(conversationChange(undefined, base)).toBe('message');
    expect(conversationChange(undefined, { ...base, movedAt: '2026-11-01T10:00:00Z' })).toBe('moved');
  });

  it('moves, merges and a renamed record are `moved`', () => {
    expect(conversationChange(base, { ...base, movedAt: '2026-11-01T10:00:00Z' })).toBe('moved');
    expect(conversationChange(base, { ...base, mergedFromIds: new Set(['a', 'b', 'c']) })).toBe('moved');
    expect(conversationChange(base, { ...base, recordName: 'Ada Lovelace' })).toBe('moved');
  });

  it('a hand-off, a renamed assignee and a new record owner or team are `assigned`', () => {
    expect(conversationChange(base, { ...base, assignedTo: { type: 'team', id: 'east' } })).toBe('assigned');
    expect(conversationChange(base, { ...base, assigneeName: 'Alice A.' })).toBe('assigned');
    expect(conversationChange(base, { ...base, recordOwnerId: 'bob' })).toBe('assigned');
    expect(conversationChange(base, { ...base, recordOwningTeamId: 'east' })).toBe('assigned');
  });

  it('a new message (time, count or inbound count) is `message`; a likely opt-out is `consent`', () => {
    expect(conversationChange(base, { ...base, lastMessageAt: '2026-11-01T09:05:00Z' })).toBe('message');
    expect(conversationChange(base, { ...base, messageCount: 3 })).toBe('message');
    expect(conversationChange(base, { ...base, inboundCount: 2 })).toBe('message');
    expect(conversationChange(base, { ...base, likelyOptOut: true })).toBe('consent');
  });

  it('bookkeeping nobody sees is no change; a set compares by its members, not its order', () => {
    expect(conversationChange(base, { ...base, mergingInto: 'c2' })).toBeUndefined();
    expect(conversationChange(base, { ...base, mergedFromIds: new Set(['b', 'a']) })).toBeUndefined();
  });
});

describe('message changes', () => {
  const sent = { id: 'm1', status: 'sent', media: [{ id: 'f', status: 'pending' }] };
  it('a new message is not a status change (the conversation says it)', () => {
    expect(messageChange(undefined, sent)).toBeUndefined();
  });
  it('a status, a reason or a copied file is `status`; anything else is nothing', () => {
    expect(messageChange(sent, { ...sent, status: 'delivered' })).toBe('status');
    expect(messageChange(sent, { ...sent, statusReason: { code: 'CarrierUnreachable' } })).toBe('status');
    expect(messageChange(sent, { ...sent, media: [{ id: 'f', status: 'stored' }] })).toBe('status');
    expect(messageChange(sent, { ...sent, providerMessageId: 'SM1' })).toBeUndefined();
    // Two images of one item hold equal, not identical, reasons: no frame for that.
    expect(messageChange({ ...sent, statusReason: { code: 'X' } }, { ...sent, statusReason: { code: 'X' }, providerMessageId: 'SM1' })).toBeUndefined();
  });
});

describe('frames', () => {
  it('carry ids and kinds only, as small JSON', () => {
    expect(encodeFrame({ type: 'conversation', conversationId: 'c1', change: 'status' })).toBe('{"type":"conversation","conversationId":"c1","change":"status"}');
    expect(encodeFrame({ type: 'notification', unread: 3 })).toBe('{"type":"notification","unread":3}');
  });
});
