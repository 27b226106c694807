import * as z from 'zod';
import { errorStatus } from '../domain/errors';
import { automatedKinds, messageStatuses } from '../domain/messages';
import { notificationKinds } from '../domain/notifications';
import { providerNames, recordTypeNames } from '../domain/types';
import type { conversationFor, messageFor } from '../domain/messages';
import type { TimelineEvent } from '../domain/timeline';
import type { ErasureEntry } from '../store/items/erasure';
import type { FoundRecord } from '../store/queries/record-lookup';
import type { Notification } from '../domain/notifications';
import type { BusinessNumber, Seller } from '../store/items/directory';
import type { Template } from '../store/items/template';

/**
 * What the API answers, as zod schemas: the OpenAPI document is generated from them, the handlers'
 * shaping functions are typed by them (`z.infer`), and every response the tests see is validated
 * against the document, so the three cannot drift.
 */
export const errorResponseSchema = z.object({
  error: z.object({ code: z.enum(Object.keys(errorStatus) as [keyof typeof errorStatus, ...(keyof typeof errorStatus)[]]), message: z.string(), details: z.unknown().optional() }),
});
/** API Gateway's own answers (no route, no valid token), which HTTP APIs cannot reshape. */
export const gatewayMessageSchema = z.object({ message: z.string() });

const e164 = z.string().regex(/^\+[1-9]\d{1,14}$/);
const principal = z.object({ type: z.enum(['seller', 'team']), id: z.string() });
const recordRef = z.object({ type: z.enum(recordTypeNames), id: z.string() });
const statusReason = z.object({ code: z.string(), message: z.string() });

export const sellerSchema = z.object({ id: z.string(), name: z.string(), teamIds: z.array(z.string()), roles: z.array(z.string()) });
const hhmmInterval = z.tuple([z.string(), z.string()]).describe("[start, end], local HH:MM (end up to 24:00).");
const businessHours = z
  .object({
    timeZone: z.string(),
    weekly: z.object({ sun: z.array(hhmmInterval).optional(), mon: z.array(hhmmInterval).optional(), tue: z.array(hhmmInterval).optional(), wed: z.array(hhmmInterval).optional(), thu: z.array(hhmmInterval).optional(), fri: z.array(hhmmInterval).optional(), sat: z.array(hhmmInterval).optional() }),
    closedDates: z.array(z.string()).optional(),
  })
  .describe('Opening hours in the number\'s own time zone: local ["HH:MM","HH:MM"] intervals per weekday, and closed dates (YYYY-MM-DD).');
export const teamSchema = z.object({ id: z.string(), name: z.string(), autoAssign: z.object({ mode: z.literal('round_robin'), maxOpen: z.number().int().optional() }).optional() });
export const meSchema = z.object({ id: z.string(), name: z.string(), roles: z.array(z.string()), teamIds: z.array(z.string()), available: z.boolean().describe('Available for auto-assignment (the seller\'s own switch; default true).') });
export const businessNumberSchema = z.object({ number: e164, assignedTo: principal, assigneeName: z.string().optional().describe('The assignee\'s display name.'), provider: z.enum(providerNames), label: z.string().optional(), businessHours: businessHours.optional(), autoReply: z.object({ body: z.string() }).optional() });
export const crmRecordSchema = z.object({
  type: z.enum(recordTypeNames),
  id: z.string(),
  name: z.string(),
  phone: e164.optional(),
  business: e164.optional(),
  mobile: e164.optional(),
  ownerId: z.string().optional(),
  owningTeamId: z.string().optional(),
  state: z.enum(['active', 'inactive']),
  modifiedAt: z.string(),
  accountId: z.string().optional(),
  contactIds: z.array(z.string()).optional(),
});
export const conversationSchema = z.object({
  id: z.string(),
  record: recordRef.optional().describe('Absent for a sender id that is not a phone number: no record is made for one.'),
  recordName: z.string().optional().describe('The record\'s display name (nothing else of a record the caller may not read); absent with `record`.'),
  customerNumber: z.string(),
  businessNumber: z.string(),
  assignedTo: principal,
  assigneeName: z.string().describe('The assignee\'s display name (seller or team).'),
  lastMessageAt: z.string(),
  lastMessagePreview: z.string().optional().describe('Absent (and `withheld` true) for a seller without the salesperson role.'),
  unreadCount: z.number().int().min(0).describe("The caller's own: inbound messages after their last read."),
  lastReadAt: z.string().optional().describe('When the caller last read the conversation (by reading it or sending in it).'),
  optedOut: z.boolean().describe('True while the customer has opted out of this business number.'),
  likelyOptOut: z.literal(true).optional().describe('The customer wrote something that reads as an opt-out (not a keyword): someone who may hand the conversation off should record the customer\'s choice (PUT /consent/...) or dismiss it.'),
  replyable: z.boolean().describe('False when the customer\'s sender id is not a phone number (`AMAZON`, a short code): sends answer 409 NotReplyable.'),
  withheld: z.literal(true).optional(),
});
export const messageSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  direction: z.enum(['inbound', 'outbound']),
  from: z.string(),
  to: z.string(),
  body: z.string().optional().describe('Absent (and `withheld` true) for a seller without the salesperson role.'),
  createdAt: z.string(),
  status: z.enum(messageStatuses),
  statusAt: z.string().describe('When the status last changed.'),
  statusReason: statusReason.optional(),
  providerMessageId: z.string().optional(),
  sentBy: z.string().optional(),
  templateId: z.string().optional(),
  segments: z.number().int(),
  routing: z
    .object({
      rule: z.enum(['only-candidate', 'recent-conversation', 'owned-by-assignee', 'owned-by-team', 'record-type', 'active-first', 'recently-modified', 'id', 'new-lead']),
      runnerUp: recordRef.optional(),
    })
    .optional()
    .describe('Inbound only: the first routing rule that separated the chosen record from the runner-up.'),
  media: z
    .array(
      z.object({
        id: z.string(),
        contentType: z.string(),
        status: z.enum(['pending', 'stored', 'failed']),
        size: z.number().int().min(0).optional().describe('Bytes, once stored.'),
        reason: statusReason.optional().describe('Why the copy failed.'),
      }),
    )
    .optional()
    .describe('MMS: the files, copied into our storage after the message is stored; download with GET …/media/{mediaId}.'),
  context: z.record(z.string(), z.string()).optional().describe('The context given with the send (at most 10 keys), carried in its CRM events.'),
  scheduledFor: z.string().optional().describe('Send later: when it goes (or went).'),
  cancelOnReply: z.boolean().optional().describe('Send later: an inbound message in the conversation before it goes cancels it (`CustomerReplied`).'),
  automated: z.enum(automatedKinds).optional().describe('Sent by the product: a CRM sequence step (`sms_step`, sent on `sentBy`\'s behalf) or an after-hours reply.'),
  withheld: z.literal(true).optional(),
});
export const notificationSchema = z.object({
  id: z.string(),
  kind: z.enum(notificationKinds),
  conversationId: z.string().optional(),
  messageId: z.string().optional(),
  createdAt: z.string(),
  read: z.boolean(),
  preview: z.string().optional().describe('inbound_message only: the first 160 characters of the body.'),
  customerNumber: z.string().optional().describe('inbound_message only.'),
  record: z.object({ type: z.enum(recordTypeNames), id: z.string(), name: z.string() }).optional().describe('inbound_message only: the record the message landed on.'),
  by: z.string().optional().describe('conversation_assigned only: the seller who handed the conversation off.'),
  statusReason: statusReason.optional().describe('delivery_failed and scheduled_canceled: why the message failed or was canceled.'),
  withheld: z.literal(true).optional().describe('The reader has no salesperson role now, or can no longer see the conversation: no preview and no customerNumber.'),
});
export const templateSchema = z.object({
  id: z.string(),
  name: z.string(),
  body: z.string(),
  recordTypes: z.array(z.enum(recordTypeNames)).optional(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const renderedTemplateSchema = z.object({
  body: z.string(),
  encoding: z.enum(['GSM-7', 'UCS-2']),
  segments: z.number().int(),
  missing: z.array(z.string()).describe('Placeholders with no value and no default; sending this template would answer 400 MissingPlaceholderValue.'),
  customerTime: z
    .object({ localTime: z.string(), timeZone: z.string(), quiet: z.boolean(), allowedFrom: z.string().optional() })
    .optional()
    .describe("The customer's local time by their number (`to`, or the record's mobile, phone, business), whether quiet hours hold now, and when a text may go; absent when the number's time zone is unknown."),
});
export const relatedSchema = z.object({
  items: z.array(z.object({ record: z.union([crmRecordSchema, recordRef]).describe('The whole record when the caller may read it, else only {type, id}.'), conversations: z.array(conversationSchema) })),
});

const consentDetail = z.object({ source: z.enum(['keyword', 'manual']), keyword: z.string().optional(), reason: z.string().optional() });
const eventBase = { id: z.string(), at: z.string(), by: z.string().optional().describe('The acting seller; absent for the customer or the system.') };
export const timelineEventSchema = z.discriminatedUnion('kind', [
  z.object({ ...eventBase, kind: z.literal('created'), detail: z.object({ record: recordRef.optional(), routing: messageSchema.shape.routing }) }),
  z.object({ ...eventBase, kind: z.literal('moved'), detail: z.object({ from: recordRef, to: recordRef }) }),
  z.object({ ...eventBase, kind: z.literal('merged'), detail: z.object({ fromConversationId: z.string() }) }),
  z.object({ ...eventBase, kind: z.literal('assigned'), detail: z.object({ from: principal, to: principal, fromName: z.string().optional().describe('The previous assignee\'s display name at the time.'), toName: z.string().optional().describe('The new assignee\'s display name at the time.'), auto: z.literal(true).optional().describe('Chosen by the team\'s auto-assignment; no by.') }) }),
  z.object({ ...eventBase, kind: z.literal('opted_out'), detail: consentDetail }),
  z.object({ ...eventBase, kind: z.literal('opted_in'), detail: consentDetail }),
  z.object({ ...eventBase, kind: z.literal('likely_opt_out'), detail: z.object({ messageId: z.string() }) }),
]);
const quantiles = z.object({
  median: z.number().int().min(0).nullable().describe('Seconds; null when there was none.'),
  p90: z.number().int().min(0).nullable().describe('Seconds; null when there was none.'),
});
export const responseRowSchema = z.object({
  principal: z.object({ type: z.enum(['seller', 'team']), id: z.string(), name: z.string() }),
  conversations: z.number().int().min(0).describe('Conversations whose first inbound message arrived in the period.'),
  inboundMessages: z.number().int().min(0).describe('Inbound messages received in the period.'),
  answered: z.number().int().min(0).describe('Of those conversations, how many got a first response from a seller.'),
  firstResponseSeconds: quantiles.describe('From a conversation\'s first inbound message to the first seller-sent reply.'),
  replySeconds: quantiles.describe('From each inbound message that follows a reply to the next seller-sent reply.'),
});
export const responseReportSchema = z.object({
  items: z.array(responseRowSchema),
  businessHoursOnly: z.literal(true).describe('Times count only the seconds inside the number\'s business hours where it has them.'),
  from: z.string().describe('The first UTC day counted.'),
  to: z.string().describe('The last UTC day counted.'),
});
export const unreadTotalsSchema = z.object({
  conversations: z.number().int().min(0).describe('Conversations with unread inbound messages for the caller.'),
  messages: z.number().int().min(0).describe('Unread inbound messages in them.'),
  notifications: z.number().int().min(0).describe('Unread notifications.'),
});
export const assigneeSchema = z.object({ type: z.enum(['seller', 'team']), id: z.string(), name: z.string() });
export const foundRecordSchema = z.object({ type: z.enum(['contact', 'account', 'opportunity', 'lead']), id: z.string(), name: z.string(), state: z.enum(['active', 'inactive']) });

export const consentStateSchema = z.object({
  businessNumber: z.string(),
  status: z.enum(['opted_out', 'opted_in']),
  at: z.string(),
  source: z.enum(['keyword', 'manual']),
  keyword: z.string().optional(),
  by: z.string().optional().describe('The admin who recorded a manual change.'),
  reason: z.string().optional(),
});
export const erasureEntrySchema = z.object({
  numberHash: z.string().describe('HMAC-SHA256 of the number with the deployment\'s secret key: matches a request, never reveals the number.'),
  by: z.string(),
  at: z.string(),
  status: z.enum(['running', 'done']),
  finishedAt: z.string().optional(),
  counts: z.object({ conversations: z.number().int().min(0), messages: z.number().int().min(0) }),
});
export const erasureResultSchema = z.object({ conversations: z.number().int().min(0), messages: z.number().int().min(0) });
export const erasureInProgressSchema = z.object({ conversations: z.number().int().min(0), messages: z.number().int().min(0), status: z.literal('in_progress') });

export const listOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().optional() });

export const snsCallbackSchema = z.union([
  z.object({ confirmed: z.literal(true) }),
  z.object({ ignored: z.literal(true) }),
  z.object({ kind: z.literal('inbound'), outcome: z.enum(['stored', 'duplicate']) }),
  z.object({ kind: z.literal('report'), outcome: z.enum(['applied', 'ignored', 'pending']) }),
]);
export const twilioStatusCallbackSchema = z.object({ outcome: z.enum(['applied', 'ignored', 'pending']) });

export type PublicConversation = z.infer<typeof conversationSchema>;
export type PublicMessage = z.infer<typeof messageSchema>;
export type PublicNotification = z.infer<typeof notificationSchema>;

/**
 * The handlers shape answers with the domain's types; these lines stop the build when a shaping type and
 * its response schema disagree (a field added to one and not the other).
 */
/** Each assignable to the other, with the same keys (an optional field missing on one side counts). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? ([keyof A] extends [keyof B] ? ([keyof B] extends [keyof A] ? true : false) : false) : false) : false;
export const shapesAgree: [
  Same<ReturnType<typeof conversationFor>, PublicConversation>,
  Same<ReturnType<typeof messageFor>, PublicMessage>,
  Same<Notification, PublicNotification>,
  Same<Seller, z.infer<typeof sellerSchema>>,
  Same<BusinessNumber, z.infer<typeof businessNumberSchema>>,
  Same<Template, z.infer<typeof templateSchema>>,
  Same<TimelineEvent, z.infer<typeof timelineEventSchema>>,
  Same<FoundRecord, z.infer<typeof foundRecordSchema>>,
  Same<ErasureEntry, z.infer<typeof erasureEntrySchema>>,
] = [true, true, true, true, true, true, true, true, true];
