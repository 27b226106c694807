import type { Deps } from '../deps';
import { isSenderId, type InboundSms } from '../domain/inbound';
import type { Principal, RecordType } from '../domain/types';
import { cancellationCodes, type Item } from '../store/dynamo-helpers';
import { chooseRecord, explain, type CandidateConversation, type RoutingCandidate } from '../domain/routing';
import { consentKeyword } from '../domain/opt-out';
import { isLikelyOptOut } from '../domain/likely-opt-out';
import { conversationEventItem } from '../store/items/timeline';
import { newId } from '../domain/clock';
import { expiryOf } from '../domain/retention';
import { displayText, mediaStorageKey } from '../domain/media';
import type { Message } from '../domain/messages';
import { appendMessageItems, ConversationStore, conversationKey, isSenderIdRecord, newConversation, SENDER_ID_RECORD, type ConversationState, type TransactItem } from '../store/items/conversation';
import { messageKey, newMessage, toPublicMessage, type MessageState } from '../store/items/message';
import { inboundPointerItem } from '../store/items/provider-message';
import { optOutItems } from '../store/items/opt-out';
import { DirectoryStore } from '../store/items/directory';
import { readCustomerPartition } from '../store/queries/customer-partition';
import { phoneIndexEntry, RecordStore } from '../store/items/record';
import type { CrmRecord } from '../domain/records';
import { count, countBy, logger } from '../observability';
import { retryOnConflict, RETRY, writeTransaction } from '../store/transact';
import { afterHoursPeriodDue, chooseAutoAssignee } from './team-inbox';
import { takeTicket } from '../store/items/round-robin';
import { inboundCountItems } from '../store/items/response-times';

export type { InboundSms };

export type InboundResult =
  | { outcome: 'stored'; message: Message; conversationId: string; record?: { type: RecordType; id: string }; rule: string }
  | { outcome: 'duplicate'; providerMessageId: string };

/** Business numbers missing from the directory still get their messages stored, visible to admins. */
export const UNASSIGNED: Principal = { type: 'team', id: '_unassigned' };

const MAX_ATTEMPTS = 12;

/**
 * Stores an inbound SMS on the record the routing rules choose, exactly once:
 * read (number ‖ customer partition), decide (pure), write (one transaction that also
 * de-duplicates on the provider id and, for an unknown customer, claims the number for one lead).
 */
export async function receiveInbound(deps: Deps, sms: InboundSms): Promise<InboundResult> {
  // A team's auto-assignment ticket is taken at most once per message, whatever the retries.
  let ticket: Promise<number> | undefined;
  const teamTicket = (teamId: string) => (ticket ??= takeTicket(deps.db, deps.table, teamId));
  return retryOnConflict({ name: 'Inbound', maxAttempts: MAX_ATTEMPTS }, async () => {
    const plan = await planInbound(deps, sms, teamTicket);
    try {
      await writeTransaction(deps.db, plan.items);
      count(plan.rule === 'new-lead' ? 'InboundStoredNewLead' : 'InboundStored');
      countBy('InboundMessages', 'provider', sms.provider);
      return { outcome: 'stored', message: toPublicMessage(plan.message as unknown as Item), conversationId: plan.message.conversationId, ...(isSenderIdRecord(plan.message.record) ? {} : { record: plan.message.record }), rule: plan.rule };
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[plan.dedupeIndex] === 'ConditionalCheckFailed') {
        count('InboundDuplicate');
        return { outcome: 'duplicate', providerMessageId: sms.providerMessageId };
      }
      // A racing message created the lead or the conversation, or moved it, or a transaction conflicted: re-read and retry.
      return RETRY;
    }
  });
}

interface Plan {
  items: TransactItem[];
  dedupeIndex: number;
  message: MessageState;
  rule: string;
}

async function planInbound(deps: Deps, sms: InboundSms, teamTicket: (teamId: string) => Promise<number>): Promise<Plan> {
  if (isSenderId(sms.from)) return planSenderIdInbound(deps, sms);
  const { db, table, clock } = deps;
  const directory = new DirectoryStore(db, table);
  const [number, partition] = await Promise.all([directory.getNumber(sms.to), readCustomerPartition(db, table, sms.from)]);
  const assignee = number?.assignedTo ?? UNASSIGNED;
  if (!number) logger.warn('inbound SMS to a number missing from the directory', { to: sms.to });

  const byRecord = new Map<string, RoutingCandidate>(partition.records.map((r) => [`${r.type}#${r.id}`, r]));
  const conversations = partition.conversations;
  // A conversation moved to a record without C's number keeps that record a candidate.
  const missing = unique(conversations.map((c) => c.record).filter((r) => !byRecord.has(`${r.type}#${r.id}`)));
  for (const record of await loadRecords(deps, missing)) byRecord.set(`${record.type}#${record.id}`, phoneIndexEntry(record));

  const candidates = [...byRecord.values()];
  const teamMemberIds = await membersIfNeeded(directory, assignee, candidates);
  const decision = chooseRecord(candidates, {
    assignee,
    teamMemberIds,
    conversations: conversations.map<CandidateConversation>((c) => ({ record: c.record, assignedTo: c.assignedTo, lastMessageAt: c.lastMessageAt })),
  });

  const now = clock.now();
  const createdAt = now.toISOString();
  const items: TransactItem[] = [];
  let record: RoutingCandidate;
  if (decision.kind === 'new-lead') {
    const lead: CrmRecord = {
      type: 'lead',
      id: newId(now),
      name: sms.from,
      mobile: sms.from as CrmRecord['mobile'],
      state: 'active',
      modifiedAt: createdAt,
      ...(decision.ownerId ? { ownerId: decision.ownerId } : {}),
      ...(decision.owningTeamId ? { owningTeamId: decision.owningTeamId } : {}),
    };
    record = phoneIndexEntry(lead);
    items.push(...RecordStore.newLeadItems(table, lead, createdAt));
  } else {
    record = decision.record;
  }

  const recordRef = { type: record.type, id: record.id };
  const key = conversationKey({ customerNumber: sms.from, businessNumber: sms.to, record: recordRef }).sk;
  const existing = conversations.find((c) => c.key === key);
  const likely = isLikelyOptOut(sms.body);
  // A new conversation on a team number that auto-assigns goes to the member whose turn it is (or stays with the team).
  const auto = !existing && assignee.type === 'team' ? await autoAssignment(deps, assignee.id, teamTicket) : undefined;
  const opened: ConversationState =
    existing ??
    newConversation({
      id: newId(now),
      record,
      customerNumber: sms.from,
      businessNumber: sms.to,
      assignedTo: auto ? { type: 'seller', id: auto.seller.id } : assignee,
      assigneeName: auto ? auto.seller.name : number?.assigneeName,
      firstMessage: { createdAt, body: displayText(sms.body, sms.media) },
    });
  const consent = consentKeyword(sms.body);
  const afterHours = afterHoursPeriodDue({ number, conversation: opened, at: now, optedOut: partition.optedOutOf.has(sms.to), keyword: consent !== undefined });
  const conversation: ConversationState = { ...opened, ...(likely ? { likelyOptOut: true as const } : {}), ...(afterHours ? { afterHoursPeriod: afterHours } : {}) };
  const messageId = newId(now);
  // MMS: stored with the message, pending; the media copier fetches the files from the stream.
  const media = sms.media?.map((m, i) => {
    const id = `${messageId}-${i}`;
    return { id, contentType: m.contentType, status: 'pending' as const, sourceUrl: m.url, storageKey: mediaStorageKey(conversation.id, messageId, id) };
  });
  // The message carries the record's current owners, even on a conversation that predates a change of owner.
  const message = newMessage(
    { ...conversation, recordOwnerId: record.ownerId, recordOwningTeamId: record.owningTeamId },
    { id: messageId, direction: 'inbound', from: sms.from, to: sms.to, body: sms.body, createdAt, status: 'received', providerMessageId: sms.providerMessageId, provider: sms.provider, routing: explain(decision), expiresAt: expiryOf(createdAt, deps.retentionDays), ...(media ? { media } : {}) },
  );
  // The automations consumer sends the after-hours reply from this message's stream record, once.
  if (afterHours) message.autoReplyDue = true;
  items.push(...appendMessageItems(table, existing, conversation, message));
  const dedupeIndex = items.length;
  items.push(inboundPointerItem(table, sms.provider, sms.providerMessageId, conversation.id, messageKey(message), message.expiresAt));
  if (auto) {
    const to: Principal = { type: 'seller', id: auto.seller.id };
    items.push(conversationEventItem(table, conversation.id, { id: `${conversation.id}-auto`, kind: 'assigned', at: createdAt, detail: { from: assignee, to, fromName: number?.assigneeName ?? assignee.id, toName: auto.seller.name, auto: true } }, { record: recordRef, customerNumber: sms.from, businessNumber: sms.to }));
  }
  // Response times: the message counts for whoever holds the conversation, and for the team whose number it came to.
  items.push(...inboundCountItems(table, responsePrincipals(conversation.assignedTo, assignee), createdAt, (existing?.inboundCount ?? 0) === 0));

  if (likely) {
    // Nobody is opted out by a guess: the conversation is flagged and its timeline says which message.
    items.push(conversationEventItem(table, conversation.id, { id: `${message.id}-likely`, kind: 'likely_opt_out', at: createdAt, detail: { messageId: message.id } }, { record: recordRef, customerNumber: sms.from, businessNumber: sms.to }));
  }
  if (consent) {
    items.push(...optOutItems(table, sms.from, sms.to, { id: message.id, status: consent.change === 'opt-out' ? 'opted_out' : 'opted_in', at: createdAt, source: 'keyword', keyword: consent.keyword, messageId: message.id }, { conversationId: conversation.id, record: recordRef }));
  }
  return { items, dedupeIndex, message, rule: decision.kind === 'new-lead' ? 'new-lead' : decision.rule };
}

/**
 * A sender id that is not a phone number (`AMAZON`, a short code): no routing and no lead. The message joins
 * the sender's conversation with B (created if missing), assigned to B's assignee, who is notified as usual.
 */
async function planSenderIdInbound(deps: Deps, sms: InboundSms): Promise<Plan> {
  const { db, table, clock } = deps;
  const directory = new DirectoryStore(db, table);
  const key = conversationKey({ customerNumber: sms.from, businessNumber: sms.to, record: SENDER_ID_RECORD });
  const [number, found] = await Promise.all([directory.getNumber(sms.to), new ConversationStore(db, table).at(key)]);
  const existing = found?.state;
  const now = clock.now();
  const createdAt = now.toISOString();
  const conversation: ConversationState = existing ?? {
    ...newConversation({ id: newId(now), record: { ...SENDER_ID_RECORD, name: sms.from }, customerNumber: sms.from, businessNumber: sms.to, assignedTo: number?.assignedTo ?? UNASSIGNED, assigneeName: number?.assigneeName, firstMessage: { createdAt, body: displayText(sms.body, sms.media) } }),
    senderId: true,
  };
  const messageId = newId(now);
  const media = sms.media?.map((m, i) => ({ id: `${messageId}-${i}`, contentType: m.contentType, status: 'pending' as const, sourceUrl: m.url, storageKey: mediaStorageKey(conversation.id, messageId, `${messageId}-${i}`) }));
  const message = newMessage(conversation, { id: messageId, direction: 'inbound', from: sms.from, to: sms.to, body: sms.body, createdAt, status: 'received', providerMessageId: sms.providerMessageId, provider: sms.provider, expiresAt: expiryOf(createdAt, deps.retentionDays), ...(media ? { media } : {}) });
  const items = appendMessageItems(table, existing, conversation, message);
  const dedupeIndex = items.length;
  items.push(inboundPointerItem(table, sms.provider, sms.providerMessageId, conversation.id, messageKey(message), message.expiresAt));
  return { items, dedupeIndex, message, rule: 'sender-id' };
}

async function autoAssignment(deps: Deps, teamId: string, teamTicket: (teamId: string) => Promise<number>) {
  const team = await new DirectoryStore(deps.db, deps.table).getTeam(teamId);
  return team?.autoAssign ? chooseAutoAssignee(deps, team, () => teamTicket(teamId)) : undefined;
}

/** Whose response times an inbound message counts in: the conversation's assignee, and the team of a team number. */
export function responsePrincipals(assignedTo: Principal, numberAssignee: Principal): Principal[] {
  const principals = [assignedTo, ...(numberAssignee.type === 'team' ? [numberAssignee] : [])];
  const distinct = new Map(principals.filter((p) => !(p.type === UNASSIGNED.type && p.id === UNASSIGNED.id)).map((p) => [`${p.type}#${p.id}`, p]));
  return [...distinct.values()];
}

/** Team members matter only when B is a team number and a seller-owned candidate could tie. */
async function membersIfNeeded(directory: DirectoryStore, assignee: Principal, candidates: RoutingCandidate[]): Promise<Set<string>> {
  if (assignee.type !== 'team' || candidates.length < 2 || !candidates.some((c) => c.ownerId)) return new Set();
  return new Set(await directory.teamMemberIds(assignee.id));
}

async function loadRecords(deps: Deps, refs: { type: RecordType; id: string }[]): Promise<CrmRecord[]> {
  if (refs.length === 0) return [];
  return new RecordStore(deps.db, deps.table).getMany(refs);
}

function unique<T extends { type: string; id: string }>(refs: T[]): T[] {
  const seen = new Map(refs.map((r) => [`${r.type}#${r.id}`, r]));
  return [...seen.values()];
}
