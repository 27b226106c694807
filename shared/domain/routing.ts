import type { Principal, RecordType } from './types';

/** Why an inbound message landed on its record: the rule that separated it from the runner-up. */
export interface RoutingExplanation {
  rule: RuleName | 'new-lead';
  runnerUp?: { type: RecordType; id: string };
}

export function explain(decision: RoutingDecision): RoutingExplanation {
  if (decision.kind === 'new-lead') return { rule: 'new-lead' };
  return { rule: decision.rule, ...(decision.runnerUp ? { runnerUp: decision.runnerUp } : {}) };
}

/**
 * The contract's inbound routing rules, as a pure function.
 * Candidates are every record holding the customer's number, and every record holding a
 * conversation with the customer; the first by the ordered rules below wins.
 */
export interface RoutingCandidate {
  type: RecordType;
  id: string;
  /** Shown on the conversation; routing never reads it. */
  name?: string | undefined;
  ownerId?: string | undefined;
  owningTeamId?: string | undefined;
  state: 'active' | 'inactive';
  modifiedAt: string;
}

export interface CandidateConversation {
  record: { type: RecordType; id: string };
  assignedTo: Principal;
  lastMessageAt: string;
}

export interface RoutingContext {
  /** Who business number B is assigned to. */
  assignee: Principal;
  /** Members of B's team, when B is assigned to a team. */
  teamMemberIds: ReadonlySet<string>;
  /** Conversations between the customer and any business number. */
  conversations: readonly CandidateConversation[];
}

export type RoutingDecision =
  | { kind: 'existing'; record: RoutingCandidate; rule: RuleName; runnerUp?: { type: RecordType; id: string } }
  | { kind: 'new-lead'; ownerId?: string; owningTeamId?: string };

export type RuleName =
  | 'only-candidate'
  | 'recent-conversation'
  | 'owned-by-assignee'
  | 'owned-by-team'
  | 'record-type'
  | 'active-first'
  | 'recently-modified'
  | 'id';

const typeOrder: Record<RecordType, number> = { contact: 0, account: 1, opportunity: 2, lead: 3 };

const samePrincipal = (a: Principal, b: Principal) => a.type === b.type && a.id === b.id;

type Rule = { name: RuleName; compare: (a: RoutingCandidate, b: RoutingCandidate) => number };

function rules(context: RoutingContext): Rule[] {
  // Rule 1: most recent conversation between C and B's assignee (on any of their numbers), per record.
  const latestWithAssignee = new Map<string, string>();
  for (const c of context.conversations) {
    if (!samePrincipal(c.assignedTo, context.assignee)) continue;
    const key = `${c.record.type}#${c.record.id}`;
    const seen = latestWithAssignee.get(key);
    if (!seen || c.lastMessageAt > seen) latestWithAssignee.set(key, c.lastMessageAt);
  }
  const latest = (r: RoutingCandidate) => latestWithAssignee.get(`${r.type}#${r.id}`) ?? '';
  const assigneeSeller = context.assignee.type === 'seller' ? context.assignee.id : undefined;
  const assigneeTeam = context.assignee.type === 'team' ? context.assignee.id : undefined;
  const ownedByAssignee = (r: RoutingCandidate) => assigneeSeller !== undefined && r.ownerId === assigneeSeller;
  const ownedByTeam = (r: RoutingCandidate) =>
    assigneeTeam !== undefined &&
    ((r.ownerId !== undefined && context.teamMemberIds.has(r.ownerId)) || r.owningTeamId === assigneeTeam);
  const first = (predicate: (r: RoutingCandidate) => boolean) => (a: RoutingCandidate, b: RoutingCandidate) =>
    Number(predicate(b)) - Number(predicate(a));

  return [
    { name: 'recent-conversation', compare: (a, b) => (latest(a) === latest(b) ? 0 : latest(a) > latest(b) ? -1 : 1) },
    { name: 'owned-by-assignee', compare: first(ownedByAssignee) },
    { name: 'owned-by-team', compare: first(ownedByTeam) },
    { name: 'record-type', compare: (a, b) => typeOrder[a.type] - typeOrder[b.type] },
    { name: 'active-first', compare: first((r) => r.state === 'active') },
    { name: 'recently-modified', compare: (a, b) => (a.modifiedAt === b.modifiedAt ? 0 : a.modifiedAt > b.modifiedAt ? -1 : 1) },
    { name: 'id', compare: (a, b) => (a.id === b.id ? 0 : a.id < b.id ? -1 : 1) },
  ];
}

export function chooseRecord(candidates: readonly RoutingCandidate[], context: RoutingContext): RoutingDecision {
  if (candidates.length === 0) {
    return context.assignee.type === 'seller'
      ? { kind: 'new-lead', ownerId: context.assignee.id }
      : { kind: 'new-lead', owningTeamId: context.assignee.id };
  }
  if (candidates.length === 1) return { kind: 'existing', record: candidates[0]!, rule: 'only-candidate' };

  const ordered = rules(context);
  let decidedBy: RuleName = 'id';
  const sorted = [...candidates].sort((a, b) => {
    for (const rule of ordered) {
      const result = rule.compare(a, b);
      if (result !== 0) return result;
    }
    return 0;
  });
  // Name the rule that separated the winner from the runner-up (for logs and tests).
  const [winner, runnerUp] = sorted as [RoutingCandidate, RoutingCandidate];
  for (const rule of ordered) {
    if (rule.compare(winner, runnerUp) !== 0) {
      decidedBy = rule.name;
      break;
    }
  }
  return { kind: 'existing', record: winner, rule: decidedBy, runnerUp: { type: runnerUp.type, id: runnerUp.id } };
}
