import * as z from 'zod/mini';
import { reason, type ReasonCode } from '../domain/status';
import type { DeliveryReport } from '../domain/delivery-report';
import { twilioErrorReason } from './twilio-errors';

/** A delivery report, whatever provider format it came in (the type lives in the domain). */
export type { DeliveryReport };

// --- Twilio status callback (PROVIDER_FORMATS.md, E)
export const twilioStatusSchema = z.object({
  MessageSid: z.string().check(z.minLength(1), z.maxLength(64)),
  MessageStatus: z.string().check(z.minLength(1), z.maxLength(32)),
  AccountSid: z.string().check(z.minLength(1), z.maxLength(64)),
  ErrorCode: z.optional(z.string().check(z.maxLength(16))),
  ErrorMessage: z.optional(z.string().check(z.maxLength(1024))),
});


export function fromTwilioStatus(form: z.infer<typeof twilioStatusSchema>, now = new Date()): DeliveryReport {
  const status = form.MessageStatus.toLowerCase();
  const base = { provider: 'twilio' as const, providerMessageId: form.MessageSid, occurredAt: now.toISOString() };
  const errorReason = () => reason(twilioErrorReason(form.ErrorCode), form.ErrorCode ? `Twilio error ${form.ErrorCode}` : undefined);
  switch (status) {
    case 'delivered':
    case 'read':
      return { ...base, status: 'delivered' };
    case 'sent':
      return { ...base, status: 'sent' };
    case 'failed':
      return { ...base, status: 'failed', statusReason: errorReason() };
    case 'undelivered':
      return { ...base, status: 'undelivered', statusReason: errorReason() };
    case 'canceled':
      return { ...base, status: 'failed', statusReason: reason('Canceled') };
    default:
      // queued, accepted, scheduled, sending, partially_delivered: still on its way.
      return { ...base, status: 'queued' };
  }
}

// --- Pinpoint SMS event stream (PROVIDER_FORMATS.md, C)
export const pinpointSmsEventSchema = z.object({
  event_type: z.string().check(z.regex(/^_SMS\./)),
  event_timestamp: z.number(),
  attributes: z.object({
    message_id: z.string().check(z.minLength(1), z.maxLength(256)),
    record_status: z.optional(z.string().check(z.maxLength(64))),
    destination_phone_number: z.optional(z.string().check(z.maxLength(40))),
  }),
});

const awsStatusReasons: Record<string, ReasonCode> = {
  INVALID: 'InvalidSendingParameters',
  UNREACHABLE: 'CarrierUnreachable',
  CARRIER_UNREACHABLE: 'CarrierUnreachable',
  BLOCKED: 'Blocked',
  CARRIER_BLOCKED: 'Blocked',
  PROTECT_BLOCKED: 'Blocked',
  SPAM: 'Spam',
  INVALID_MESSAGE: 'InvalidMessage',
  TTL_EXPIRED: 'Expired',
  MAX_PRICE_EXCEEDED: 'MaxPriceExceeded',
  OPTED_OUT: 'OptedOut',
};

function fromAwsStatus(code: string, detail?: string): Pick<DeliveryReport, 'status' | 'statusReason'> {
  if (code === 'DELIVERED' || code === 'SUCCESSFUL') return { status: 'delivered' };
  if (code === 'PENDING' || code === 'QUEUED' || code === 'SENT' || code === 'BUFFERED') return { status: 'sent' };
  if (code === 'UNKNOWN') return { status: 'unknown', statusReason: reason('Unknown', detail) };
  return { status: 'failed', statusReason: reason(awsStatusReasons[code] ?? 'ProviderError', detail ?? code) };
}

export function fromPinpointEvent(event: z.infer<typeof pinpointSmsEventSchema>): DeliveryReport {
  const base = { provider: 'pinpoint' as const, providerMessageId: event.attributes.message_id, occurredAt: new Date(event.event_timestamp).toISOString() };
  const recordStatus = event.attributes.record_status?.toUpperCase();
  switch (event.event_type) {
    case '_SMS.BUFFERED':
      return { ...base, status: 'sent' };
    case '_SMS.SUCCESS':
      return { ...base, ...fromAwsStatus(recordStatus === 'UNKNOWN' ? 'UNKNOWN' : 'DELIVERED') };
    case '_SMS.OPTOUT':
      return { ...base, status: 'failed', statusReason: reason('OptedOut') };
    case '_SMS.FAILURE':
      return { ...base, ...fromAwsStatus(recordStatus && recordStatus !== 'SUCCESSFUL' && recordStatus !== 'DELIVERED' ? recordStatus : 'FAILED', `record_status ${recordStatus ?? 'missing'}`) };
    default:
      return { ...base, ...fromAwsStatus(recordStatus ?? 'PENDING') };
  }
}

// --- End User Messaging SMS v2 event destination (PROVIDER_FORMATS.md, D)
export const eumEventSchema = z.object({
  // SMS events are TEXT_*, MMS events MEDIA_* (the same statuses after the prefix).
  eventType: z.string().check(z.regex(/^(TEXT|MEDIA)_/)),
  eventTimestamp: z.number(),
  messageId: z.string().check(z.minLength(1), z.maxLength(256)),
  messageStatus: z.optional(z.string().check(z.maxLength(64))),
  messageStatusDescription: z.optional(z.string().check(z.maxLength(1024))),
  isFinal: z.optional(z.boolean()),
});

export function fromEumEvent(event: z.infer<typeof eumEventSchema>): DeliveryReport {
  return {
    provider: 'eum',
    providerMessageId: event.messageId,
    occurredAt: new Date(event.eventTimestamp).toISOString(),
    ...fromAwsStatus(event.eventType.replace(/^(TEXT|MEDIA)_/, ''), event.messageStatusDescription),
  };
}

/** An AWS SMS event (Pinpoint event stream record or End User Messaging event), or undefined. */
export function parseAwsSmsEvent(payload: unknown): DeliveryReport | undefined {
  const eum = eumEventSchema.safeParse(payload);
  if (eum.success) return fromEumEvent(eum.data);
  const pinpoint = pinpointSmsEventSchema.safeParse(payload);
  if (pinpoint.success) return fromPinpointEvent(pinpoint.data);
  return undefined;
}
