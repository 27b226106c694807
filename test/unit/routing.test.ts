import { describe, expect, it } from 'vitest';
import { chooseRecord, explain, type RoutingCandidate, type RoutingContext } from '../../shared/domain/routing';
import { consentChange } from '../../shared/domain/opt-out';

const base = (over: Partial<RoutingCandidate> & Pick<RoutingCandidate, 'type' | 'id'>): RoutingCandidate => ({
  state: 'active',
  modifiedAt: '2026-01-01T00:00:00.000Z',
  ...over,
});

const sellerContext = (over: Partial<RoutingContext> = {}): RoutingContext => ({
  assignee: { type: 'seller', id: 'alice' },
  teamMemberIds: new Set(),
  conversations: [],
  ...over,
});

describe('inbound routing (contract, "Inbound routing")', () => {
  it('2. no candidate: a new lead owned by the seller B is assigned to, or by B\'s team', () => {
    expect(chooseRecord([], sellerContext())).toEqual({ kind: 'new-lead', ownerId: 'alice' });
    expect(chooseRecord([], sellerContext({ assignee: { type: 'team', id: 'east' } }))).toEqual({ kind: 'new-lead', owningTeamId: 'east' });
  });

  it('3.1 the record with the most recent conversation with B\'s assignee wins, on any of their numbers', () => {
    const lead = base({ type: 'lead', id: 'l1', ownerId: 'alice' });
    const contact = base({ type: 'contact', id: 'c1', ownerId: 'alice' });
    const decision = chooseRecord([contact, lead], sellerContext({
      conversations: [
        { record: { type: 'contact', id: 'c1' }, assignedTo: { type: 'seller', id: 'alice' }, lastMessageAt: '2026-02-01T00:00:00Z' },
        { record: { type: 'lead', id: 'l1' }, assignedTo: { type: 'seller', id: 'alice' }, lastMessageAt: '2026-03-01T00:00:00Z' },
        // A newer conversation with another seller does not count.
        { record: { type: 'contact', id: 'c1' }, assignedTo: { type: 'seller', id: 'bob' }, lastMessageAt: '2026-04-01T00:00:00Z' },
      ],
    }));
    expect(decision).toMatchObject({ kind: 'existing', record: { id: 'l1' }, rule: 'recent-conversation' });
  });

  it('3.2 owned by the seller B is assigned to', () => {
    const decision = chooseRecord([base({ type: 'contact', id: 'c1', ownerId: 'bob' }), base({ type: 'lead', id: 'l1', ownerId: 'alice' })], sellerContext());
    expect(decision).toMatchObject({ record: { id: 'l1' }, rule: 'owned-by-assignee' });
  });

  it('3.3 owned by a member of B\'s team, or by that team', () => {
    const context = sellerContext({ assignee: { type: 'team', id: 'east' }, teamMemberIds: new Set(['carol']) });
    expect(chooseRecord([base({ type: 'contact', id: 'c1', ownerId: 'bob' }), base({ type: 'lead', id: 'l1', ownerId: 'carol' })], context))
      .toMatchObject({ record: { id: 'l1' }, rule: 'owned-by-team' });
    expect(chooseRecord([base({ type: 'contact', id: 'c1', ownerId: 'bob' }), base({ type: 'lead', id: 'l2', owningTeamId: 'east' })], context))
      .toMatchObject({ record: { id: 'l2' }, rule: 'owned-by-team' });
  });

  it('3.4 type order: contact, account, opportunity, lead', () => {
    const candidates = (['lead', 'opportunity', 'account', 'contact'] as const).map((type) => base({ type, id: type }));
    expect(chooseRecord(candidates, sellerContext())).toMatchObject({ record: { type: 'contact' }, rule: 'record-type' });
    expect(chooseRecord(candidates.slice(0, 3), sellerContext())).toMatchObject({ record: { type: 'account' } });
    expect(chooseRecord(candidates.slice(0, 2), sellerContext())).toMatchObject({ record: { type: 'opportunity' } });
  });

  it('3.5 active before inactive', () => {
    expect(chooseRecord([base({ type: 'contact', id: 'a', state: 'inactive' }), base({ type: 'contact', id: 'b' })], sellerContext()))
      .toMatchObject({ record: { id: 'b' }, rule: 'active-first' });
  });

  it('3.6 most recently modified first', () => {
    expect(chooseRecord([base({ type: 'contact', id: 'a' }), base({ type: 'contact', id: 'b', modifiedAt: '2026-05-01T00:00:00.000Z' })], sellerContext()))
      .toMatchObject({ record: { id: 'b' }, rule: 'recently-modified' });
  });

  it('3.7 record id ascending', () => {
    expect(chooseRecord([base({ type: 'contact', id: 'b' }), base({ type: 'contact', id: 'a' })], sellerContext()))
      .toMatchObject({ record: { id: 'a' }, rule: 'id' });
  });

  it('an earlier rule outranks every later one', () => {
    // c1 would win rules 3.2-3.7; l1 holds the recent conversation and wins by 3.1.
    const c1 = base({ type: 'contact', id: 'a', ownerId: 'alice', modifiedAt: '2026-09-01T00:00:00.000Z' });
    const l1 = base({ type: 'lead', id: 'z', state: 'inactive' });
    const decision = chooseRecord([c1, l1], sellerContext({
      conversations: [{ record: { type: 'lead', id: 'z' }, assignedTo: { type: 'seller', id: 'alice' }, lastMessageAt: '2026-01-02T00:00:00Z' }],
    }));
    expect(decision).toMatchObject({ record: { id: 'z' }, rule: 'recent-conversation' });
  });
});

describe('each adjacent pair of rules, in a case only that pair decides', () => {
  // A wins by the earlier rule; B wins every later rule. Swapping the pair would choose B.
  const alice = { type: 'seller' as const, id: 'alice' };
  const withAlice = (id: string) => [{ record: { type: 'lead' as const, id }, assignedTo: alice, lastMessageAt: '2026-03-01T00:00:00Z' }];
  const team = { assignee: { type: 'team' as const, id: 'east' }, teamMemberIds: new Set(['carol']) };
  const cases = [
    {
      pair: '3.1 recent conversation before 3.2 owned by the assignee',
      a: base({ type: 'lead', id: 'z', state: 'inactive' }),
      b: base({ type: 'contact', id: 'a', ownerId: 'alice', modifiedAt: '2026-09-01T00:00:00.000Z' }),
      context: sellerContext({ conversations: withAlice('z') }),
      rule: 'recent-conversation',
    },
    {
      pair: '3.3 owned by the team before 3.4 record type',
      a: base({ type: 'lead', id: 'z', ownerId: 'carol', state: 'inactive' }),
      b: base({ type: 'contact', id: 'a', ownerId: 'bob', modifiedAt: '2026-09-01T00:00:00.000Z' }),
      context: sellerContext(team),
      rule: 'owned-by-team',
    },
    {
      pair: '3.4 record type before 3.5 active first',
      a: base({ type: 'contact', id: 'z', state: 'inactive' }),
      b: base({ type: 'lead', id: 'a', state: 'active', modifiedAt: '2026-09-01T00:00:00.000Z' }),
      context: sellerContext(),
      rule: 'record-type',
    },
    {
      pair: '3.5 active first before 3.6 recently modified',
      a: base({ type: 'contact', id: 'z', state: 'active' }),
      b: base({ type: 'contact', id: 'a', state: 'inactive', modifiedAt: '2026-09-01T00:00:00.000Z' }),
      context: sellerContext(),
      rule: 'active-first',
    },
    {
      pair: '3.6 recently modified before 3.7 id',
      a: base({ type: 'contact', id: 'z', modifiedAt: '2026-09-01T00:00:00.000Z' }),
      b: base({ type: 'contact', id: 'a' }),
      context: sellerContext(),
      rule: 'recently-modified',
    },
  ];

  it.each(cases)('$pair', ({ a, b, context, rule }) => {
    expect(chooseRecord([b, a], context)).toMatchObject({ kind: 'existing', record: { id: a.id }, rule });
    expect(chooseRecord([a, b], context)).toMatchObject({ kind: 'existing', record: { id: a.id }, rule });
  });

  it('3.2 and 3.3 never disagree: a number is assigned to a seller or to a team, so at most one of them applies', () => {
    const bobOwned = base({ type: 'lead', id: 'z', ownerId: 'bob', owningTeamId: 'east' });
    const other = base({ type: 'contact', id: 'a' });
    expect(chooseRecord([other, bobOwned], sellerContext({ assignee: { type: 'seller', id: 'bob' } }))).toMatchObject({ record: { id: 'z' }, rule: 'owned-by-assignee' });
    expect(chooseRecord([other, bobOwned], sellerContext({ assignee: { type: 'team', id: 'east' }, teamMemberIds: new Set(['bob']) }))).toMatchObject({ record: { id: 'z' }, rule: 'owned-by-team' });
  });
});

describe('routing explained: the deciding rule and the runner-up (contract, "routing")', () => {
  const alice = { type: 'seller' as const, id: 'alice' };
  const cases: [string, RoutingCandidate[], RoutingContext, { rule: string; runnerUp?: { type: string; id: string } }][] = [
    ['only-candidate', [base({ type: 'lead', id: 'l' })], sellerContext(), { rule: 'only-candidate' }],
    ['recent-conversation', [base({ type: 'contact', id: 'c' }), base({ type: 'lead', id: 'l' })], sellerContext({ conversations: [{ record: { type: 'lead', id: 'l' }, assignedTo: alice, lastMessageAt: '2026-03-01T00:00:00Z' }] }), { rule: 'recent-conversation', runnerUp: { type: 'contact', id: 'c' } }],
    ['owned-by-assignee', [base({ type: 'contact', id: 'c' }), base({ type: 'lead', id: 'l', ownerId: 'alice' })], sellerContext(), { rule: 'owned-by-assignee', runnerUp: { type: 'contact', id: 'c' } }],
    ['owned-by-team', [base({ type: 'contact', id: 'c' }), base({ type: 'lead', id: 'l', owningTeamId: 'east' })], sellerContext({ assignee: { type: 'team', id: 'east' } }), { rule: 'owned-by-team', runnerUp: { type: 'contact', id: 'c' } }],
    ['record-type', [base({ type: 'lead', id: 'l' }), base({ type: 'account', id: 'a' })], sellerContext(), { rule: 'record-type', runnerUp: { type: 'lead', id: 'l' } }],
    ['active-first', [base({ type: 'contact', id: 'a', state: 'inactive' }), base({ type: 'contact', id: 'b' })], sellerContext(), { rule: 'active-first', runnerUp: { type: 'contact', id: 'a' } }],
    ['recently-modified', [base({ type: 'contact', id: 'a' }), base({ type: 'contact', id: 'b', modifiedAt: '2026-05-01T00:00:00.000Z' })], sellerContext(), { rule: 'recently-modified', runnerUp: { type: 'contact', id: 'a' } }],
    ['id', [base({ type: 'contact', id: 'b' }), base({ type: 'contact', id: 'a' }), base({ type: 'contact', id: 'c' })], sellerContext(), { rule: 'id', runnerUp: { type: 'contact', id: 'b' } }],
    ['new-lead', [], sellerContext(), { rule: 'new-lead' }],
  ];
  it.each(cases)('%s', (_rule, candidates, context, expected) => {
    expect(explain(chooseRecord(candidates, context))).toEqual(expected);
  });
});

describe('opt-out keywords', () => {
  it.each(['STOP', ' stop ', 'StopAll', 'UNSUBSCRIBE', 'cancel', 'END', 'quit', 'OPTOUT', 'opt-out', 'REMOVE', 'revoke', 'ARRET', 'td'])('%j opts out', (body) => {
    expect(consentChange(body)).toBe('opt-out');
  });
  it.each(['START', 'unstop', ' yes'])('%j opts back in', (body) => expect(consentChange(body)).toBe('opt-in'));
  it.each(['stop it', 'Please STOP', 'yes please', ''])('%j is an ordinary message', (body) => expect(consentChange(body)).toBeUndefined());
});
