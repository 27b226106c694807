import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../deps';
import { keys, type Principal, type RecordType } from '../store/keys';
import { cancellationCodes, queryAll, type Item } from '../store/dynamo-helpers';
import { chooseRecord, type CandidateConversation, type RoutingCandidate } from '../domain/routing';
import { consentChange } from '../domain/opt-out';
import { segmentInfo } from '../domain/segments';
import { newId } from '../domain/clock';
import { preview, type Message } from '../domain/messages';
import { appendMessageItems, conversationKey, toConversationState, toPublicMessage, type ConversationState, type MessageState, type TransactItem } from '../store/items/conversation';
import { phoneIndexEntry, RecordStore } from '../store/items/record';
import type { CrmRecord } from '../domain/records';
import { count, logger } from '../observability';
import { retryOnConflict, RETRY } from '../store/transact';

/** One normalized inbound SMS, whatever provider format it arrived in. */
export interface InboundSms {
  /** Namespace of the provider's message id: `twilio`, or `aws-sms` for Pinpoint / End User Messaging. */
  provider: 'twilio' | 'aws-sms' | 'sandbox';
  providerMessageId: string;
  from: string;
  to: string;
  body: string;
}

export type InboundResult =
  | { outcome: 'stored'; message: Message; conversationId: string; record: { type: RecordType; id: string }; rule: string }
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
  return retryOnConflict({ name: 'Inbound', maxAttempts: MAX_ATTEMPTS }, async () => {
    const plan = await planInbound(deps, sms);
    try {
      await deps.db.send(new TransactWriteCommand({ TransactItems: plan.items }));
      count(plan.rule === 'new-lead' ? 'InboundStoredNewLead' : 'InboundStored');
      return { outcome: 'stored', message: toPublicMessage(plan.message as unknown as Item), conversationId: plan.message.conversationId, record: plan.message.record, rule: plan.rule };
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

async function planInbound(deps: Deps, sms: InboundSms): Promise<Plan> {
  const { db, table, clock } = deps;
  const [numberItem, partition] = await Promise.all([
    db.send(new GetCommand({ TableName: table, Key: keys.number(sms.to) })).then((r) => r.Item),
    queryAll(db, {
      TableName: table,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.phonePartition(sms.from) },
      ConsistentRead: true,
    }),
  ]);
  const assignee = (numberItem?.assignedTo as Principal | undefined) ?? UNASSIGNED;
  if (!numberItem) logger.warn('inbound SMS to a number missing from the directory', { to: sms.to });

  const byRecord = new Map<string, RoutingCandidate>();
  const conversations: (ConversationState & { key: string })[] = [];
  for (const item of partition) {
    const sk = item.sk as string;
    if (sk.startsWith(keys.phoneRecordPrefix)) byRecord.set(`${item.type}#${item.id}`, item as unknown as RoutingCandidate);
    else if (sk.startsWith(keys.conversationPrefix)) conversations.push({ ...toConversationState(item), key: sk });
  }
  // A conversation moved to a record without C's number keeps that record a candidate.
  const missing = unique(conversations.map((c) => c.record).filter((r) => !byRecord.has(`${r.type}#${r.id}`)));
  for (const record of await loadRecords(deps, missing)) byRecord.set(`${record.type}#${record.id}`, phoneIndexEntry(record));

  const candidates = [...byRecord.values()];
  const teamMemberIds = await membersIfNeeded(deps, assignee, candidates);
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
    items.push(
      // The claim makes racing first messages from one unknown number create exactly one lead.
      { Put: { TableName: table, Item: { ...keys.leadClaim(sms.from), kind: 'leadClaim', leadId: lead.id, createdAt }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: table, Item: { ...keys.record('lead', lead.id), kind: 'record', ...lead, version: 1 }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: table, Item: { ...keys.phoneIndex(sms.from, 'lead', lead.id), kind: 'phoneIndex', number: sms.from, fields: ['mobile'], ...record } } },
    );
  } else {
    record = decision.record;
  }

  const recordRef = { type: record.type, id: record.id };
  const key = conversationKey({ customerNumber: sms.from, businessNumber: sms.to, record: recordRef }).sk;
  const existing = conversations.find((c) => c.key === key);
  const conversation: ConversationState = existing ?? {
    id: newId(now),
    record: recordRef,
    customerNumber: sms.from,
    businessNumber: sms.to,
    assignedTo: assignee,
    lastMessageAt: createdAt,
    lastMessagePreview: preview(sms.body),
    recordOwnerId: record.ownerId,
    recordOwningTeamId: record.owningTeamId,
  };
  const message: MessageState = {
    id: newId(now),
    conversationId: conversation.id,
    direction: 'inbound',
    from: sms.from,
    to: sms.to,
    body: sms.body,
    createdAt,
    status: 'received',
    providerMessageId: sms.providerMessageId,
    segments: segmentInfo(sms.body).segments,
    provider: sms.provider,
    record: recordRef,
    assignedTo: conversation.assignedTo,
    recordOwnerId: record.ownerId,
    recordOwningTeamId: record.owningTeamId,
  };
  items.push(...appendMessageItems(table, existing, conversation, message));
  const dedupeIndex = items.length;
  items.push({
    Put: {
      TableName: table,
      Item: { ...keys.providerMessage(sms.provider, sms.providerMessageId), kind: 'providerMessage', conversationId: conversation.id, messageKey: keys.message(conversation.id, createdAt, message.id), direction: 'inbound' },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  });

  const consent = consentChange(sms.body);
  if (consent === 'opt-out') {
    items.push({ Put: { TableName: table, Item: { ...keys.optOut(sms.from, sms.to), kind: 'optOut', customerNumber: sms.from, businessNumber: sms.to, optedOutAt: createdAt, messageId: message.id } } });
  } else if (consent === 'opt-in') {
    items.push({ Delete: { TableName: table, Key: keys.optOut(sms.from, sms.to) } });
  }
  return { items, dedupeIndex, message, rule: decision.kind === 'new-lead' ? 'new-lead' : decision.rule };
}

/** Team members matter only when B is a team number and a seller-owned candidate could tie. */
async function membersIfNeeded(deps: Deps, assignee: Principal, candidates: RoutingCandidate[]): Promise<Set<string>> {
  if (assignee.type !== 'team' || candidates.length < 2 || !candidates.some((c) => c.ownerId)) return new Set();
  const items = await queryAll(deps.db, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.team(assignee.id).pk, ':prefix': keys.teamMembersPrefix() },
  });
  return new Set(items.map((i) => i.sellerId as string));
}

async function loadRecords(deps: Deps, refs: { type: RecordType; id: string }[]): Promise<CrmRecord[]> {
  if (refs.length === 0) return [];
  return new RecordStore(deps.db, deps.table).getMany(refs);
}

function unique<T extends { type: string; id: string }>(refs: T[]): T[] {
  const seen = new Map(refs.map((r) => [`${r.type}#${r.id}`, r]));
  return [...seen.values()];
}
