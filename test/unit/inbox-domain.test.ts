import { describe, expect, it } from 'vitest';
import { conversationViewers, unreadCount } from '../../shared/domain/read-state';
import { timeline } from '../../shared/domain/timeline';
import { consentKeyword } from '../../shared/domain/opt-out';

describe('unreadCount', () => {
  it('is the inbound messages after the read mark, never negative', () => {
    expect(unreadCount(3, undefined)).toBe(3);
    expect(unreadCount(3, { readCount: 1, lastReadAt: 't' })).toBe(2);
    expect(unreadCount(3, { readCount: 3, lastReadAt: 't' })).toBe(0);
    expect(unreadCount(2, { readCount: 5, lastReadAt: 't' })).toBe(0);
  });
});

describe('conversationViewers', () => {
  it('are the assignee (every member of a team) and the record owner and owning team, once each, sorted', () => {
    expect(conversationViewers({ assignedTo: { type: 'seller', id: 'b' }, assigneeTeamMembers: ['x'], recordOwnerId: 'a', recordOwningTeamMembers: ['c', 'a'] })).toEqual(['a', 'b', 'c']);
    expect(conversationViewers({ assignedTo: { type: 'team', id: 't' }, assigneeTeamMembers: ['m'], recordOwnerId: 'o', recordOwningTeamMembers: [] })).toEqual(['m', 'o']);
    expect(conversationViewers({ assignedTo: { type: 'team', id: 't' }, assigneeTeamMembers: ['m', 'n'], recordOwningTeamMembers: [] })).toEqual(['m', 'n']);
  });
});

describe('consentKeyword', () => {
  it('names the keyword as written, upper-cased, and the change it asks for', () => {
    expect(consentKeyword('  stop ')).toEqual({ keyword: 'STOP', change: 'opt-out' });
    expect(consentKeyword('Start')).toEqual({ keyword: 'START', change: 'opt-in' });
    expect(consentKeyword('stop please')).toBeUndefined();
  });
});

describe('timeline', () => {
  const created = { id: 'c', at: '2026-01-01T00:00:01Z', record: { type: 'lead' as const, id: 'l' }, routing: { rule: 'new-lead' as const } };
  it('merges creation, changes and consent newest first; creation is oldest at the same instant', () => {
    const events = timeline({
      created,
      changes: [{ id: 'm', kind: 'moved', at: '2026-01-01T00:00:02Z', by: 's', detail: { from: { type: 'lead', id: 'l' }, to: { type: 'contact', id: 'k' } } }],
      consent: [
        { id: 'o', status: 'opted_out', at: '2026-01-01T00:00:01Z', source: 'keyword', keyword: 'STOP' },
        { id: 'i', status: 'opted_in', at: '2026-01-01T00:00:03Z', source: 'manual', reason: 'phoned in', by: 'admin' },
      ],
    });
    expect(events.map((e) => e.kind)).toEqual(['opted_in', 'moved', 'opted_out', 'created']);
    expect(events[0]).toEqual({ id: 'i', kind: 'opted_in', at: '2026-01-01T00:00:03Z', by: 'admin', detail: { source: 'manual', reason: 'phoned in' } });
    expect(events[3]).toEqual({ id: 'c', kind: 'created', at: '2026-01-01T00:00:01Z', detail: { record: { type: 'lead', id: 'l' }, routing: { rule: 'new-lead' } } });
  });

  it('leaves out consent changes from before the conversation existed', () => {
    const events = timeline({ created, changes: [], consent: [{ id: 'o', status: 'opted_out', at: '2025-12-31T00:00:00Z', source: 'keyword', keyword: 'STOP' }] });
    expect(events.map((e) => e.kind)).toEqual(['created']);
  });

  it('orders events at the same instant by id, newest id first', () => {
    const at = '2026-01-01T00:00:05Z';
    const events = timeline({
      changes: [
        { id: 'A', kind: 'merged', at, detail: { fromConversationId: 'x' } },
        { id: 'B', kind: 'merged', at, detail: { fromConversationId: 'y' } },
      ],
      consent: [],
    });
    expect(events.map((e) => e.id)).toEqual(['B', 'A']);
  });
});

describe('timeline order', () => {
  const at = (s: number) => `2026-01-01T00:00:0${s}Z`;
  const merged = (id: string, s: number) => ({ id, kind: 'merged' as const, at: at(s), detail: { fromConversationId: id } });
  it('is newest first whatever the input order, creation last at its instant, then by id', () => {
    const created = { id: 'M', at: at(2), record: { type: 'lead' as const, id: 'l' } };
    const changes = [merged('A', 2), merged('Z', 1), merged('B', 3), merged('C', 2)];
    const order = timeline({ created, changes, consent: [] }).map((e) => e.id);
    expect(order).toEqual(['B', 'C', 'A', 'M', 'Z']);
    expect(timeline({ created, changes: [...changes].reverse(), consent: [] }).map((e) => e.id)).toEqual(order);
  });
});
