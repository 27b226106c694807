import type { Deps } from '../deps';
import { isSenderIdRecord } from '../store/items/conversation';
import type { Item } from '../store/dynamo-helpers';
import type { ChangedItem } from '../store/stream';
import { getMessage } from '../store/items/message';
import { toPublicMedia, type StoredMediaItem } from '../domain/media';
import { crmEventId, type CrmEvent } from '../domain/crm-events';
import type { TimelineEvent } from '../domain/timeline';
import type { ConsentRecord } from '../domain/opt-out';
import type { RecordRef } from '../domain/records';

/**
 * The CRM events a change of the table gives (contract, "Events to the CRM"): at most one per change,
 * with an id derived from the change itself, so a re-run of the same stream record puts the same id.
 * Messages are read again first: a message erased since it changed gives no event (no erased body
 * ever leaves after its erasure).
 */
export async function crmEventsOf(deps: Deps, change: ChangedItem): Promise<CrmEvent[]> {
  const item = change.newImage;
  if (!item) return [];
  if (item.kind === 'message') return messageEvents(deps, change, item);
  if (change.eventName === 'INSERT' && item.kind === 'conversationEvent') return conversationEvents(item);
  if (change.eventName === 'INSERT' && item.kind === 'consentChange') return [consentEvent(item)];
  if (change.eventName === 'INSERT' && item.kind === 'stepRun' && item.outcome === 'skipped') return [stepSkippedEvent(item)];
  if (item.kind === 'erasure' && item.status === 'done' && change.oldImage?.status !== 'done') {
    return [
      {
        detailType: 'SmsCustomerErased',
        detail: {
          eventId: crmEventId('erased', item.numberHash as string, item.finishedAt as string),
          occurredAt: item.finishedAt as string,
          numberHash: item.numberHash as string,
          by: item.by as string,
          counts: { conversations: (item.conversations as number) ?? 0, messages: (item.messages as number) ?? 0 },
        },
      },
    ];
  }
  return [];
}

async function messageEvents(deps: Deps, change: ChangedItem, item: Item): Promise<CrmEvent[]> {
  const was = change.oldImage?.status as string | undefined;
  const now = item.status as string;
  let event: CrmEvent | undefined;
  // A message moved by a merge is the same message: its arrival was told when it arrived.
  if (change.eventName === 'INSERT' && item.direction === 'inbound' && !item.movedAt) {
    event = { detailType: 'SmsMessageReceived', detail: { ...about(item), eventId: crmEventId('received', item.id as string), occurredAt: item.createdAt as string, message: eventMessage(item) } };
  } else if (change.eventName === 'INSERT' && item.direction === 'outbound' && now === 'scheduled' && !item.movedAt) {
    event = { detailType: 'SmsMessageScheduled', detail: { ...about(item), eventId: crmEventId('scheduled', item.id as string), occurredAt: item.createdAt as string, message: eventMessage(item) } };
  } else if (change.eventName === 'MODIFY' && was === 'scheduled' && now === 'queued') {
    // Its send is told when the provider answers (below): one event for the send, as for any message.
    event = undefined;
  } else if (change.eventName === 'MODIFY' && item.direction === 'outbound' && was === 'queued' && now !== 'queued' && item.scheduledFor) {
    // A scheduled message that went: a status change from `scheduled` (contract, "Send later").
    event = {
      detailType: 'SmsMessageStatusChanged',
      detail: { ...about(item), eventId: crmEventId('status', item.id as string, now), occurredAt: item.statusAt as string, message: eventMessage(item), previousStatus: 'scheduled' },
    };
  } else if (change.eventName === 'MODIFY' && item.direction === 'outbound' && was === 'queued' && now !== 'queued') {
    event = { detailType: 'SmsMessageSent', detail: { ...about(item), eventId: crmEventId('sent', item.id as string), occurredAt: item.statusAt as string, message: eventMessage(item) } };
  } else if (change.eventName === 'MODIFY' && was !== undefined && was !== now && was !== 'queued') {
    event = {
      detailType: 'SmsMessageStatusChanged',
      detail: { ...about(item), eventId: crmEventId('status', item.id as string, now), occurredAt: item.statusAt as string, message: eventMessage(item), previousStatus: was },
    };
  }
  if (!event) return [];
  const current = await getMessage(deps.db, deps.table, { pk: item.pk as string, sk: item.sk as string });
  return current ? [event] : [];
}

function about(message: Item) {
  const inbound = message.direction === 'inbound';
  return {
    conversationId: message.conversationId as string,
    // A sender id that is not a phone number has no record (its conversation's key holds SENDER_ID_RECORD).
    ...(isSenderIdRecord(message.record as RecordRef) ? {} : { record: message.record as RecordRef }),
    customerNumber: (inbound ? message.from : message.to) as string,
    businessNumber: (inbound ? message.to : message.from) as string,
  };
}

function eventMessage(item: Item) {
  return {
    id: item.id as string,
    direction: item.direction as 'inbound' | 'outbound',
    body: item.body as string,
    createdAt: item.createdAt as string,
    status: item.status as string,
    statusAt: (item.statusAt ?? item.createdAt) as string,
    ...(item.statusReason ? { statusReason: item.statusReason as { code: string; message: string } } : {}),
    ...(item.providerMessageId ? { providerMessageId: item.providerMessageId as string } : {}),
    ...(item.sentBy ? { sentBy: item.sentBy as string } : {}),
    ...(item.templateId ? { templateId: item.templateId as string } : {}),
    segments: item.segments as number,
    ...(Array.isArray(item.media) && item.media.length ? { media: toPublicMedia(item.media as StoredMediaItem[]).map(({ id, contentType }) => ({ id, contentType })) } : {}),
    ...(item.context ? { context: item.context as Record<string, string> } : {}),
    ...(item.scheduledFor ? { scheduledFor: item.scheduledFor as string, cancelOnReply: item.cancelOnReply === true } : {}),
    ...(item.automated ? { automated: item.automated as 'after_hours' | 'sms_step' } : {}),
  };
}

/** A CRM step that sent nothing: the CRM learns why (its sequence may move on or retry). */
function stepSkippedEvent(item: Item): CrmEvent {
  return {
    detailType: 'SmsStepSkipped',
    detail: {
      eventId: crmEventId('step-skipped', item.stepRunId as string),
      occurredAt: item.at as string,
      stepRunId: item.stepRunId as string,
      record: item.record as RecordRef,
      context: item.context as Record<string, string>,
      reason: item.reason as { code: string; message: string },
    },
  };
}

function conversationEvents(item: Item): CrmEvent[] {
  const event = item.event as TimelineEvent;
  const base = { conversationId: item.conversationId as string, ...(item.about as { record: RecordRef; customerNumber: string; businessNumber: string }), eventId: crmEventId('timeline', event.id), occurredAt: event.at };
  if (event.kind === 'moved') return [{ detailType: 'SmsConversationMoved', detail: { ...base, record: event.detail.to, from: event.detail.from, to: event.detail.to, ...(event.by ? { by: event.by } : {}) } }];
  if (event.kind === 'merged') {
    const from = (item.mergedFrom as RecordRef | undefined) ?? base.record;
    return [{ detailType: 'SmsConversationMoved', detail: { ...base, from, to: base.record, mergedFromConversationId: event.detail.fromConversationId, ...(event.by ? { by: event.by } : {}) } }];
  }
  if (event.kind === 'assigned') return [{ detailType: 'SmsConversationAssigned', detail: { ...base, from: event.detail.from, to: event.detail.to, ...(event.by ? { by: event.by } : {}), ...(event.detail.auto ? { auto: true as const } : {}) } }];
  return [];
}

function consentEvent(item: Item): CrmEvent {
  const change = item.change as ConsentRecord;
  return {
    detailType: 'SmsConsentChanged',
    detail: {
      eventId: crmEventId('consent', change.id),
      occurredAt: change.at,
      ...(item.conversationId ? { conversationId: item.conversationId as string, record: item.record as RecordRef } : {}),
      customerNumber: item.customerNumber as string,
      businessNumber: item.businessNumber as string,
      consent: { status: change.status, source: change.source, ...(change.keyword ? { keyword: change.keyword } : {}), ...(change.reason ? { reason: change.reason } : {}), ...(change.by ? { by: change.by } : {}) },
    },
  };
}
