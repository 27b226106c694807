import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { idSchema, recordRefSchema } from './records';
import { principalSchema } from './directory';

/**
 * Events to the CRM (contract, "Events to the CRM"): one EventBridge event per change, `source: "sms-crm"`.
 * The zod schemas are the single definition: the publisher builds details that satisfy them and
 * `docs/events/*.json` is generated from them.
 */
export const CRM_EVENT_SOURCE = 'sms-crm';

/** `context` on a send or reply: at most 10 keys, each value at most 256 characters (a sales-accelerator step). */
export const messageContextSchema = z
  .record(z.string().check(z.minLength(1), z.maxLength(64)), z.string().check(z.maxLength(256)))
  .check(
    z.refine((context) => Object.keys(context).length <= 10, 'context holds at most 10 keys'),
    z.describe('Free-form keys of the caller (e.g. sequenceId, stepId), carried in the message\'s events.'),
  );

const recordRef = recordRefSchema;
const principal = principalSchema;
const statusReason = z.object({ code: z.string(), message: z.string() });

const common = {
  eventId: z.string().check(z.describe('Deterministic: the same change always has the same id; de-duplicate on it.')),
  occurredAt: z.string().check(z.describe('When the change happened (ISO 8601 UTC).')),
  conversationId: z.string(),
  record: z.optional(recordRef).check(z.describe('Absent for a sender id that is not a phone number (no record is made for one).')),
  customerNumber: z.string(),
  businessNumber: z.string(),
};

const eventMessage = z.object({
  id: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  body: z.string(),
  createdAt: z.string(),
  status: z.string(),
  statusAt: z.string(),
  statusReason: z.optional(statusReason),
  providerMessageId: z.optional(z.string()),
  sentBy: z.optional(z.string()),
  templateId: z.optional(z.string()),
  segments: z.int(),
  media: z.optional(z.array(z.object({ id: z.string(), contentType: z.string() }))),
  context: z.optional(z.record(z.string(), z.string())),
  scheduledFor: z.optional(z.string()).check(z.describe('Send later: when it goes (or went).')),
  cancelOnReply: z.optional(z.boolean()),
  automated: z.optional(z.enum(['after_hours', 'sms_step'])),
});

/** Events the CRM sends us (its own source): an automated SMS step of a sequence is due (detail-type `SmsStepDue`). */
export const smsStepDueDetailSchema = z.strictObject({
  stepRunId: z.string().check(z.minLength(1), z.maxLength(200), z.regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'), z.describe('One run of one step for one record: the same id never sends twice.')),
  record: recordRefSchema,
  templateId: idSchema,
  sendAt: z.optional(z.string().check(z.maxLength(40), z.describe('ISO 8601; schedules it (1 minute to 35 days ahead). Absent: sent now.'))),
  sellerId: z.optional(idSchema.check(z.describe("On whose behalf (default: the record's owner)."))),
  context: messageContextSchema.check(z.refine((c) => typeof c.sequenceId === 'string' && typeof c.stepId === 'string', 'context needs sequenceId and stepId')),
});
export const crmInboundEventSchemas = { SmsStepDue: smsStepDueDetailSchema } as const;

export const crmEventSchemas = {
  SmsMessageReceived: z.object({ ...common, message: eventMessage }),
  SmsMessageSent: z.object({ ...common, message: eventMessage }).check(z.describe('The send was accepted by the provider (status sent) or failed at once (failed, unknown).')),
  SmsMessageStatusChanged: z.object({ ...common, message: eventMessage, previousStatus: z.string() }),
  SmsConversationMoved: z.object({ ...common, from: recordRef, to: recordRef, mergedFromConversationId: z.optional(z.string()), by: z.optional(z.string()) }),
  SmsConversationAssigned: z.object({ ...common, from: principal, to: principal, by: z.optional(z.string()), auto: z.optional(z.literal(true)).check(z.describe('The team\'s auto-assignment chose the seller (no by).')) }),
  SmsConsentChanged: z.object({
    eventId: common.eventId,
    occurredAt: common.occurredAt,
    conversationId: z.optional(z.string()).check(z.describe('The conversation the keyword arrived in; absent for a manual change.')),
    record: z.optional(recordRef),
    customerNumber: z.string(),
    businessNumber: z.string(),
    consent: z.object({ status: z.enum(['opted_out', 'opted_in']), source: z.enum(['keyword', 'manual']), keyword: z.optional(z.string()), reason: z.optional(z.string()), by: z.optional(z.string()) }),
  }),
  SmsMessageScheduled: z.object({ ...common, message: eventMessage }).check(z.describe('A message was scheduled (status scheduled, scheduledFor); SmsMessageStatusChanged follows when it is sent or canceled.')),
  SmsStepSkipped: z.object({
    eventId: common.eventId,
    occurredAt: common.occurredAt,
    stepRunId: z.string(),
    record: recordRef,
    context: z.record(z.string(), z.string()),
    reason: statusReason.check(z.describe('Why nothing was sent: RecordNotFound, NoPhoneNumber, NoSeller, NotAllowed, NoBusinessNumber, OptedOut, MissingPlaceholderValue, QuietHours, TemplateNotFound, InvalidSendAt.')),
  }),
  SmsCustomerErased: z.object({
    eventId: common.eventId,
    occurredAt: common.occurredAt,
    numberHash: z.string().check(z.describe('Keyed hash of the erased number (the number itself is never sent).')),
    by: z.string(),
    counts: z.object({ conversations: z.int(), messages: z.int() }),
  }),
} as const;

export type CrmDetailType = keyof typeof crmEventSchemas;
export const crmDetailTypes = Object.keys(crmEventSchemas) as CrmDetailType[];

export interface CrmEvent<T extends CrmDetailType = CrmDetailType> {
  detailType: T;
  detail: z.infer<(typeof crmEventSchemas)[T]>;
}

/** A stable id for a change: a re-run of the same stream record, or the same change seen twice, gives the same id. */
export function crmEventId(...parts: string[]): string {
  // JSON keeps the parts apart: ('a', 'b') and ('a\nb') are different changes.
  const hex = createHash('sha256').update(JSON.stringify(parts)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
