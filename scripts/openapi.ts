import * as z from 'zod';
import { mkdirSync, writeFileSync } from 'node:fs';
import { EVENT_SCHEMAS_DIR, eventSchemaDocuments } from './event-schemas';
import { PHONE_METADATA_PATH, phoneMetadataModule } from './phone-metadata';
import { execFileSync } from 'node:child_process';
import { routes, routeKey, type RouteSpec } from '../shared/http/routes';
import { numberBodySchema, sellerBodySchema, teamBodySchema } from '../shared/domain/directory';
import { recordBodySchema, recordRefSchema } from '../shared/domain/records';
import { replySchema, sendMessageSchema } from '../shared/flows/send-message';
import { editScheduledSchema } from '../shared/flows/scheduled-messages';
import { smsStepSchema } from '../shared/flows/sms-steps';
import { createUploadSchema } from '../shared/flows/outbound-media';
import { renderBodySchema, templateBodySchema } from '../shared/domain/template-input';
import { twilioInboundSchema } from '../shared/providers/inbound-formats';
import { twilioStatusSchema } from '../shared/providers/delivery-report-formats';
import { snsHttpEnvelopeSchema } from '../shared/providers/sns-signature';
import * as schemas from '../shared/http/schemas';
import { assignSchema } from '../functions/reassignment/handler';
import { consentBodySchema } from '../functions/privacy/handler';

/**
 * `npm run openapi`: docs/openapi.json from the route table and the zod schemas the handlers parse
 * requests with and type their answers by, then the typed client generated from it (shared/client).
 */

type JsonSchema = Record<string, unknown>;
const jsonSchema = (schema: z.core.$ZodType, io: 'input' | 'output' = 'output'): JsonSchema => {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
};
const ref = (name: keyof typeof components) => ({ $ref: `#/components/schemas/${name}` });
const list = (name: keyof typeof components) => ({ type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref(name) }, nextCursor: { type: 'string', description: 'Pass as `cursor` for the next page; absent on the last page.' } }, additionalProperties: false });

/** Named schemas, referenced by the operations. */
const components = {
  Error: jsonSchema(schemas.errorResponseSchema),
  GatewayMessage: jsonSchema(schemas.gatewayMessageSchema),
  Seller: jsonSchema(schemas.sellerSchema),
  Me: jsonSchema(schemas.meSchema),
  AvailabilityBody: { type: 'object', required: ['available'], additionalProperties: false, properties: { available: { type: 'boolean' } } },
  Team: jsonSchema(schemas.teamSchema),
  BusinessNumber: jsonSchema(schemas.businessNumberSchema),
  CrmRecord: jsonSchema(schemas.crmRecordSchema),
  Conversation: jsonSchema(schemas.conversationSchema),
  Message: jsonSchema(schemas.messageSchema),
  Notification: jsonSchema(schemas.notificationSchema),
  Template: jsonSchema(schemas.templateSchema),
  RenderedTemplate: jsonSchema(schemas.renderedTemplateSchema),
  Related: jsonSchema(schemas.relatedSchema),
  TimelineEvent: jsonSchema(schemas.timelineEventSchema),
  UnreadTotals: jsonSchema(schemas.unreadTotalsSchema),
  FoundRecord: jsonSchema(schemas.foundRecordSchema),
  Assignee: jsonSchema(schemas.assigneeSchema),
  ConsentState: jsonSchema(schemas.consentStateSchema),
  ErasureEntry: jsonSchema(schemas.erasureEntrySchema),
  ErasureResult: jsonSchema(schemas.erasureResultSchema),
  ErasureInProgress: jsonSchema(schemas.erasureInProgressSchema),
  ConsentBody: jsonSchema(consentBodySchema, 'input'),
  ResponseReport: jsonSchema(schemas.responseReportSchema),
  SnsCallbackOutcome: jsonSchema(schemas.snsCallbackSchema),
  TwilioStatusOutcome: jsonSchema(schemas.twilioStatusCallbackSchema),
  SendMessage: jsonSchema(sendMessageSchema, 'input'),
  Reply: jsonSchema(replySchema, 'input'),
  EditScheduled: jsonSchema(editScheduledSchema, 'input'),
  SmsStep: jsonSchema(smsStepSchema, 'input'),
  SmsStepResult: {
    oneOf: [
      { type: 'object', required: ['outcome', 'reason'], additionalProperties: false, properties: { outcome: { const: 'skipped' }, reason: { type: 'object', required: ['code', 'message'], additionalProperties: false, properties: { code: { type: 'string' }, message: { type: 'string' } } } } },
      { type: 'object', required: ['outcome', 'message'], additionalProperties: false, properties: { outcome: { enum: ['sent', 'scheduled'] }, message: { $ref: '#/components/schemas/Message' } } },
    ],
  },
  SellerBody: jsonSchema(sellerBodySchema, 'input'),
  TeamBody: jsonSchema(teamBodySchema, 'input'),
  NumberBody: jsonSchema(numberBodySchema, 'input'),
  RecordBody: jsonSchema(recordBodySchema, 'input'),
  MoveBody: jsonSchema(z.object({ record: recordRefSchema }).strict(), 'input'),
  AssignBody: jsonSchema(assignSchema, 'input'),
  TemplateBody: jsonSchema(templateBodySchema, 'input'),
  RenderBody: jsonSchema(renderBodySchema, 'input'),
  MediaUploadBody: jsonSchema(createUploadSchema, 'input'),
  MediaUpload: {
    type: 'object',
    required: ['mediaId', 'upload', 'expiresAt'],
    additionalProperties: false,
    properties: {
      mediaId: { type: 'string', description: 'Name it in `media` of a send or reply (the caller\'s own, within 24 hours).' },
      upload: {
        type: 'object',
        required: ['url', 'method'],
        additionalProperties: false,
        description: 'Send the file there: a presigned S3 POST in AWS (form `fields`, then the file as `file`), a PUT with `headers` locally.',
        properties: {
          url: { type: 'string' },
          method: { type: 'string', enum: ['POST', 'PUT'] },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          fields: { type: 'object', additionalProperties: { type: 'string' } },
        },
      },
      expiresAt: { type: 'string', format: 'date-time', description: 'The upload URL works until then (at most 15 minutes).' },
    },
  },
  // Providers add fields without notice: the forms and the envelope accept any others.
  TwilioInboundForm: jsonSchema(z.looseObject(twilioInboundSchema.shape), 'input'),
  TwilioStatusForm: jsonSchema(z.looseObject(twilioStatusSchema.shape), 'input'),
  SnsEnvelope: jsonSchema(snsHttpEnvelopeSchema, 'input'),
} satisfies Record<string, JsonSchema>;

interface Operation {
  operationId: string;
  summary: string;
  tag: 'Directory' | 'Records' | 'Conversations' | 'Messages' | 'Notifications' | 'Templates' | 'Reports' | 'Consent and privacy' | 'Provider callbacks';
  success: { status: number; schema?: JsonSchema; description: string; mediaType?: string };
  body?: { schema: JsonSchema; mediaTypes?: string[]; textHoldsJson?: boolean };
  query?: { name: string; schema: JsonSchema; description: string; required?: boolean }[];
  idempotent?: boolean;
  /** Reads something on the caller's behalf: the console names its tab (`X-Live-Tab`) so its own live frames skip it. */
  liveTab?: boolean;
  conflict?: boolean;
  /** Also answers 302 with a Location header (described here). */
  redirect?: string;
  /** Also answers 202: the work goes on, and the request is repeated after Retry-After. */
  accepted?: { schema: JsonSchema; description: string };
  extension?: string;
}

const page = [
  { name: 'limit', schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 }, description: 'Page size.' },
  { name: 'cursor', schema: { type: 'string', maxLength: 4096 }, description: 'The `nextCursor` of the previous page.' },
];
const phoneField = { name: 'phoneField', schema: { type: 'string', enum: ['phone', 'business', 'mobile'] }, description: "Only the conversations with that field's number." };
const unread = { name: 'unread', schema: { type: 'string', enum: ['true', 'false'] }, description: 'Only unread ones.' };

/** Every route's documentation, by route key: a route without one fails the generator. */
const operations: Record<string, Operation> = {
  'PUT /directory/sellers/{sellerId}': { operationId: 'putSeller', summary: 'Create or replace a seller', tag: 'Directory', success: { status: 200, schema: ref('Seller'), description: 'The seller as stored.' }, body: { schema: ref('SellerBody') }, conflict: true },
  'PUT /directory/teams/{teamId}': { operationId: 'putTeam', summary: 'Create or replace a team', tag: 'Directory', success: { status: 200, schema: ref('Team'), description: 'The team as stored.' }, body: { schema: ref('TeamBody') } },
  'PUT /directory/numbers/{number}': { operationId: 'putNumber', summary: 'Assign a business number to a seller or team', tag: 'Directory', success: { status: 200, schema: ref('BusinessNumber'), description: 'The number as stored.' }, body: { schema: ref('NumberBody') }, conflict: true },
  'GET /directory/assignees': { operationId: 'lookUpAssignees', summary: 'Whom a conversation can be handed to, by name', tag: 'Directory', success: { status: 200, schema: list('Assignee'), description: 'Sellers with the salesperson role and teams whose name starts with `q` (any case), by name; at most 20.' }, query: [{ name: 'q', schema: { type: 'string', minLength: 1, maxLength: 100 }, description: 'The start of a name (any case).' }], extension: 'Any seller. Names and ids only, nothing else of the directory. Required `q`.' },
  'GET /me/numbers': { operationId: 'listMyNumbers', summary: 'Business numbers the caller may send from', tag: 'Directory', success: { status: 200, schema: list('BusinessNumber'), description: 'Numbers of the caller and their teams, by number.' }, query: page },
  'PUT /records/{type}/{id}': { operationId: 'putRecord', summary: 'Create or replace a CRM record', tag: 'Records', success: { status: 200, schema: ref('CrmRecord'), description: 'The record as stored.' }, body: { schema: ref('RecordBody') }, conflict: true },
  'GET /records/{type}/{id}': { operationId: 'getRecord', summary: 'A CRM record', tag: 'Records', success: { status: 200, schema: ref('CrmRecord'), description: 'The record.' } },
  'GET /records': { operationId: 'lookUpRecords', summary: 'Record lookup (the move dialog)', tag: 'Records', success: { status: 200, schema: list('FoundRecord'), description: 'By name.' }, query: [...page, { name: 'q', schema: { type: 'string', minLength: 1, maxLength: 200 }, description: 'The start of a name (at least 2 characters, any case), or a phone number (matched exactly against phone, business and mobile).' }, { name: 'type', schema: { type: 'string', enum: ['contact', 'account', 'opportunity', 'lead'] }, description: 'Only records of this type.' }], extension: 'Required `q`. Records the caller may read; admins search all. A phone-number lookup answers every match on one page.' },
  'GET /me/conversations': { operationId: 'listMyConversations', summary: 'My SMS: conversations visible to the caller', tag: 'Conversations', success: { status: 200, schema: list('Conversation'), description: 'Newest first; with `unread=true`, latest unread message first.' }, query: [...page, unread], extension: 'For admins, every conversation; `unread=true` lists, for admins too, those they have unread messages in as a seller who sees them.' },
  'GET /me/unread': { operationId: 'getMyUnread', summary: "The caller's unread totals", tag: 'Conversations', success: { status: 200, schema: ref('UnreadTotals'), description: 'Unread conversations, messages and notifications.' } },
  'POST /conversations/{id}/read': { operationId: 'markConversationRead', summary: 'Mark a conversation read for the caller', tag: 'Conversations', success: { status: 200, schema: ref('Conversation'), description: 'The conversation, read; the caller’s notifications of it are read too.' }, liveTab: true },
  'GET /conversations/{id}/events': { operationId: 'listConversationEvents', summary: "A conversation's timeline", tag: 'Conversations', success: { status: 200, schema: list('TimelineEvent'), description: 'Newest first.' }, query: page },
  'GET /records/{type}/{id}/conversations': { operationId: 'listRecordConversations', summary: "A record's conversations", tag: 'Conversations', success: { status: 200, schema: list('Conversation'), description: 'Newest first.' }, query: [...page, phoneField] },
  'GET /records/contact/{id}/related': { operationId: 'listRelatedOpportunities', summary: "A contact's opportunities and their conversations", tag: 'Conversations', success: { status: 200, schema: ref('Related'), description: 'Opportunities naming the contact.' } },
  'GET /conversations/{id}': { operationId: 'getConversation', summary: 'A conversation', tag: 'Conversations', success: { status: 200, schema: ref('Conversation'), description: 'The conversation.' }, extension: 'A conversation merged into another resolves to the surviving one.' },
  'GET /conversations/{id}/messages': { operationId: 'listMessages', summary: "A conversation's messages", tag: 'Messages', success: { status: 200, schema: list('Message'), description: 'Newest first.' }, query: page },
  'GET /conversations/{id}/messages/{messageId}/media/{mediaId}': { operationId: 'downloadMedia', summary: "A message's file (MMS)", tag: 'Messages', success: { status: 200, schema: { type: 'string', format: 'binary' }, mediaType: '*/*', description: 'The file itself (the local stack).' }, redirect: 'In AWS: a presigned URL of the copy, valid 5 minutes.', extension: 'Visible to whoever may read the message body (404 for others). 404 while the copy is pending or after it failed.' },
  'GET /me/notifications': { operationId: 'listMyNotifications', summary: "The caller's notifications", tag: 'Notifications', success: { status: 200, schema: list('Notification'), description: 'Newest first.' }, query: [...page, unread] },
  'POST /me/notifications/{id}/read': { operationId: 'markNotificationRead', summary: 'Mark a notification read', tag: 'Notifications', success: { status: 200, schema: ref('Notification'), description: 'The notification.' }, liveTab: true },
  'POST /me/notifications/read-all': { operationId: 'markAllNotificationsRead', summary: "Mark all the caller's notifications read", tag: 'Notifications', success: { status: 200, schema: { type: 'object', required: ['updated'], properties: { updated: { type: 'integer', minimum: 0 } }, additionalProperties: false }, description: 'How many were unread.' }, liveTab: true },
  'GET /templates': { operationId: 'listTemplates', summary: 'Templates', tag: 'Templates', success: { status: 200, schema: list('Template'), description: 'By name.' }, query: [...page, { name: 'recordType', schema: { type: 'string', enum: ['contact', 'account', 'opportunity', 'lead'] }, description: 'Only templates meant for this record type, and those meant for any.' }] },
  'POST /templates': { operationId: 'createTemplate', summary: 'Create a template', tag: 'Templates', success: { status: 201, schema: ref('Template'), description: 'The template.' }, body: { schema: ref('TemplateBody') }, conflict: true },
  'PUT /templates/{id}': { operationId: 'updateTemplate', summary: 'Change a template (its creator or an admin)', tag: 'Templates', success: { status: 200, schema: ref('Template'), description: 'The template.' }, body: { schema: ref('TemplateBody') }, conflict: true },
  'DELETE /templates/{id}': { operationId: 'deleteTemplate', summary: 'Delete a template (its creator or an admin)', tag: 'Templates', success: { status: 204, description: 'Deleted.' } },
  'POST /templates/{id}/render': { operationId: 'renderTemplate', summary: 'Render a template for a record', tag: 'Templates', success: { status: 200, schema: ref('RenderedTemplate'), description: 'The text, its encoding and segments.' }, body: { schema: ref('RenderBody') } },
  'POST /media': { operationId: 'createMediaUpload', summary: 'Upload a file for an MMS (a seller with the salesperson role)', tag: 'Messages', success: { status: 201, schema: ref('MediaUpload'), description: 'Where to upload the file.' }, body: { schema: ref('MediaUploadBody') }, extension: 'Types image/jpeg, image/png, image/gif, at most 5 MB (each provider\'s own limit is checked at send). An upload no message uses is deleted after 24 hours.' },
  'POST /messages': { operationId: 'sendMessage', summary: 'Send an SMS to a record', tag: 'Messages', success: { status: 202, schema: ref('Message'), description: 'The stored message.' }, body: { schema: ref('SendMessage') }, idempotent: true, conflict: true, extension: 'A reused Idempotency-Key with a different body answers 409 Conflict.' },
  'POST /conversations/{id}/messages': { operationId: 'replyInConversation', summary: 'Reply in a conversation', tag: 'Messages', success: { status: 202, schema: ref('Message'), description: 'The stored message.' }, body: { schema: ref('Reply') }, idempotent: true, conflict: true },
  'GET /me': { operationId: 'getMe', summary: 'The caller: name, roles, teams and availability', tag: 'Directory', success: { status: 200, schema: ref('Me'), description: 'The caller as the directory knows them (no roles and no teams before an admin adds them).' } },
  'PUT /me/availability': { operationId: 'setMyAvailability', summary: "The caller's availability for auto-assignment", tag: 'Directory', success: { status: 200, schema: ref('Me'), description: 'The caller, with the new availability.' }, body: { schema: ref('AvailabilityBody') } },
  'GET /directory/sellers/{sellerId}': { operationId: 'getSeller', summary: 'A seller with their availability (admins)', tag: 'Directory', success: { status: 200, schema: ref('Me'), description: 'The seller.' } },
  'PUT /directory/sellers/{sellerId}/availability': { operationId: 'setSellerAvailability', summary: "Set a seller's availability (admins)", tag: 'Directory', success: { status: 200, schema: ref('Me'), description: 'The seller, with the new availability.' }, body: { schema: ref('AvailabilityBody') } },
  'GET /me/scheduled': { operationId: 'listScheduled', summary: "The caller's scheduled messages", tag: 'Messages', success: { status: 200, schema: list('Message'), description: 'Soonest first; only in conversations the caller still sees.' }, query: page },
  'GET /reports/response-times': {
    operationId: 'getResponseTimes',
    summary: 'Response times per seller or team',
    tag: 'Reports',
    success: { status: 200, schema: ref('ResponseReport'), description: 'One row per seller or team, by name.' },
    query: [
      { name: 'from', schema: { type: 'string' }, description: 'The first day (YYYY-MM-DD, or an ISO 8601 time: its UTC day); default 29 days before `to` (30 days).' },
      { name: 'to', schema: { type: 'string' }, description: 'The last day, included; at most 92 days after `from`; default today (UTC).' },
      { name: 'groupBy', schema: { type: 'string', enum: ['seller', 'team'] }, description: 'Rows per seller (default) or per team (the team\'s numbers).' },
    ],
    extension: 'Admins see every seller and team with activity; a seller sees their own row and their teams\'. Times are counted in business hours where the number has them; a wait is counted on the UTC day it began. Median and p90 interpolate between closest ranks; above 10 minutes a time is kept to 0.5 %.',
  },
  'PATCH /messages/{id}': { operationId: 'editScheduled', summary: 'Change a scheduled message (its author or an admin)', tag: 'Messages', success: { status: 200, schema: ref('Message'), description: 'The message, still scheduled.' }, body: { schema: ref('EditScheduled') }, conflict: true, extension: 'Only while it is `scheduled` (409 Conflict afterwards); a new `sendAt` is checked as at scheduling (400 outside 1 minute to 35 days ahead, 409 QuietHours). A new `body` replaces a template\'s text. 404 to a caller who cannot see it, 403 to another seller.' },
  'DELETE /messages/{id}': { operationId: 'cancelScheduled', summary: 'Cancel a scheduled message (its author or an admin)', tag: 'Messages', success: { status: 200, schema: ref('Message'), description: 'The message, `canceled` with `statusReason.code` CanceledBySeller.' }, conflict: true, extension: 'Only while it is `scheduled` (409 Conflict afterwards). 404 to a caller who cannot see it, 403 to another seller.' },
  'POST /automations/sms-steps': { operationId: 'runSmsStep', summary: "Run a CRM sequence's automated SMS step (admins)", tag: 'Messages', success: { status: 200, schema: ref('SmsStepResult'), description: 'Nothing was sent: `{outcome: "skipped", reason}` (the CRM also gets SmsStepSkipped).' }, accepted: { schema: ref('SmsStepResult'), description: 'Sent, or scheduled with `sendAt`: `{outcome, message}`.' }, body: { schema: ref('SmsStep') }, extension: 'The same `stepRunId` again answers what the first run did and sends nothing. Sent on behalf of `sellerId` (default: the record\'s owner) from their number, else their team\'s, with `automated: "sms_step"`.' },
  'POST /conversations/{id}/move': { operationId: 'moveConversation', summary: 'Move a conversation to another record', tag: 'Conversations', success: { status: 200, schema: ref('Conversation'), description: 'The moved (or merged) conversation.' }, body: { schema: ref('MoveBody') }, conflict: true },
  'POST /conversations/{id}/assign': { operationId: 'assignConversation', summary: 'Hand a conversation off to a seller or a team', tag: 'Conversations', success: { status: 200, schema: ref('Conversation'), description: 'The conversation, assigned.' }, body: { schema: ref('AssignBody') }, conflict: true },
  'GET /consent/{customerNumber}': { operationId: 'getConsent', summary: "A customer's consent, per business number", tag: 'Consent and privacy', success: { status: 200, schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: ref('ConsentState') } }, additionalProperties: false }, description: 'The current state per business number that ever had one.' }, extension: 'Admins, and sellers who see a conversation with the number (404 for anyone else).' },
  'POST /conversations/{id}/likely-opt-out/dismiss': { operationId: 'dismissLikelyOptOut', summary: 'Dismiss a likely opt-out', tag: 'Conversations', success: { status: 200, schema: ref('Conversation'), description: 'The conversation, without `likelyOptOut`.' }, extension: 'Admins, the assignee (a member of the assignee team) and the record\'s owner (a member of its owning team), with the salesperson role: 404 to a seller who cannot see the conversation, else 403. A conversation that moves meanwhile is dismissed where it now is; 409 Conflict only when it kept changing or was merged away.', conflict: true },
  'PUT /consent/{customerNumber}/{businessNumber}': { operationId: 'putConsent', summary: 'Record a manual opt-out (admins, and sellers who may hand off a conversation between the two numbers) or opt-in (admins only)', tag: 'Consent and privacy', success: { status: 200, schema: ref('ConsentState'), description: 'The new state.' }, body: { schema: ref('ConsentBody') }, conflict: true, extension: 'A seller\'s `opted_in` answers 403 InsufficientPrivileges. An opt-in applies only to the state it was decided on: when the customer\'s consent changed meanwhile (a STOP), it answers 409 Conflict and changes nothing.' },
  'DELETE /customers/{customerNumber}': { operationId: 'eraseCustomer', summary: 'Erase a customer on request (admins)', tag: 'Consent and privacy', success: { status: 200, schema: ref('ErasureResult'), description: 'What was erased (cumulative over repeats of an interrupted erasure).' }, accepted: { schema: ref('ErasureInProgress'), description: 'A large customer: the erasure did not fit in one request and stopped between two committed batches. Repeat the same request after Retry-After to resume it; it answers 200 when done.' }, extension: 'Resumable: repeating an interrupted erasure finishes it. Each request works at most 20 s (API Gateway allows 30). Keeps the opt-out state and the consent history.' },
  'GET /erasures': { operationId: 'listErasures', summary: 'Erasure audit entries (admins)', tag: 'Consent and privacy', success: { status: 200, schema: list('ErasureEntry'), description: 'Newest first.' }, query: page },
  'POST /callbacks/twilio/inbound': { operationId: 'twilioInbound', summary: 'Twilio inbound SMS webhook', tag: 'Provider callbacks', success: { status: 200, schema: { type: 'string' }, mediaType: 'text/xml', description: 'Empty TwiML.' }, body: { schema: ref('TwilioInboundForm'), mediaTypes: ['application/x-www-form-urlencoded'] } },
  'POST /callbacks/twilio/status': { operationId: 'twilioStatus', summary: 'Twilio status callback', tag: 'Provider callbacks', success: { status: 200, schema: ref('TwilioStatusOutcome'), description: 'What the report did.' }, body: { schema: ref('TwilioStatusForm'), mediaTypes: ['application/x-www-form-urlencoded'] } },
  'POST /callbacks/sns': { operationId: 'snsNotification', summary: 'SNS HTTPS subscription (two-way SMS and SMS events)', tag: 'Provider callbacks', success: { status: 200, schema: ref('SnsCallbackOutcome'), description: 'What the message did.' }, body: { schema: ref('SnsEnvelope'), mediaTypes: ['text/plain', 'application/json'], textHoldsJson: true }, extension: 'A validly signed message from a topic that is not configured answers 403 InsufficientPrivileges.' },
};

const tagDescriptions: Record<Operation['tag'], string> = {
  Directory: 'Sellers, teams and the business numbers assigned to them (administrators), and the caller\'s own numbers.',
  Records: 'CRM records (contacts, accounts, opportunities, leads), written by administrators or the CRM sync.',
  Conversations: 'Conversations visible to the caller: My SMS, a record\'s conversations, moving them.',
  Messages: 'Sending, replying, and a conversation\'s history.',
  Notifications: 'The caller\'s in-app notifications.',
  Templates: 'Message templates with placeholders.',
  Reports: 'Team inboxes: response times per seller and team.',
  'Consent and privacy': 'Opt-out state and manual changes, erasure of a customer on request, and its audit trail.',
  'Provider callbacks': 'Webhooks of the SMS providers: no token, each request verified by its signature.',
};

const error = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });

function responses(route: RouteSpec, op: Operation) {
  const success = op.success.schema ? { description: op.success.description, content: { [op.success.mediaType ?? 'application/json']: { schema: op.success.schema } } } : { description: op.success.description };
  const out: Record<string, unknown> = { [op.success.status]: success, '400': error('Invalid input (ValidationError, InvalidPhoneNumber, …).') };
  if (route.access === 'public') {
    out['403'] = error('A signature that does not verify (InvalidSignature), or a topic not configured.');
    if (route.path.startsWith('/callbacks/twilio/')) out['503'] = error('NotConfigured: the Twilio secret has not been set since the first deploy; Twilio retries the callback.');
  } else {
    out['401'] = { description: 'No valid token. API Gateway answers `{"message": "Unauthorized"}` itself; the local stack and the function answer in the contract format.', content: { 'application/json': { schema: { oneOf: [ref('Error'), ref('GatewayMessage')] } } } };
    out['403'] = error('The caller may not do this (InsufficientPrivileges, NumberNotAssigned).');
    out['404'] = { description: 'Not found, or not visible to the caller. API Gateway answers `{"message": "Not Found"}` for an unknown route.', content: { 'application/json': { schema: { oneOf: [ref('Error'), ref('GatewayMessage')] } } } };
  }
  if (op.conflict) out['409'] = error(route.fn === 'outbound-send' ? "Conflict, OptedOut, NotReplyable (the conversation's customer is a sender id, not a phone number), or QuietHours (details: `{customerLocalTime, timeZone, allowedFrom}`: it is inside quiet hours in the customer's time zone and they have not written in the last 24 hours)." : 'Conflict or OptedOut.');
  if (op.accepted) out['202'] = { description: op.accepted.description, headers: { 'Retry-After': { description: 'Seconds to wait before repeating the request.', schema: { type: 'integer', minimum: 1 } } }, content: { 'application/json': { schema: op.accepted.schema } } };
  if (op.redirect) out['302'] = { description: op.redirect, headers: { Location: { description: 'Where to download the file.', schema: { type: 'string', format: 'uri' } } } };
  out['413'] = error('PayloadTooLarge.');
  if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH') out['415'] = error('UnsupportedMediaType: a body that is not of the declared media type.');
  out['500'] = error('InternalError (never with internals); the request can be retried.');
  return out;
}

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const key = routeKey(route);
    const op = operations[key];
    if (!op) throw new Error(`no OpenAPI operation for ${key}`);
    const parameters: unknown[] = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: m[1] === 'type' ? { type: 'string', enum: ['contact', 'account', 'opportunity', 'lead'] } : { type: 'string', maxLength: 200 },
    }));
    for (const q of op.query ?? []) parameters.push({ name: q.name, in: 'query', required: q.required ?? false, description: q.description, schema: q.schema });
    // Twilio signs every webhook: a generated client or a validating gateway must know the header.
    if (route.path.startsWith('/callbacks/twilio/')) parameters.push({ name: 'X-Twilio-Signature', in: 'header', required: true, description: 'HMAC-SHA1 of the public URL and the sorted form fields with the account\'s auth token (base64); a bad one answers 403 InvalidSignature.', schema: { type: 'string', minLength: 1, maxLength: 128 } });
    if (op.liveTab) parameters.push({ name: 'X-Live-Tab', in: 'header', required: false, description: 'The console tab asking (8 to 64 letters, digits, `-` or `_`; the same id as `?tab=` on the live channel): the `read` and bell frames this read causes are not sent to that tab. Anything else answers 400 ValidationError.', schema: { type: 'string', pattern: '^[A-Za-z0-9_-]{8,64}$' } });
    if (op.idempotent) parameters.push({ name: 'Idempotency-Key', in: 'header', required: false, description: 'A repeated key returns the first message and sends nothing (kept 24 hours).', schema: { type: 'string', minLength: 1, maxLength: 255 } });
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: op.operationId,
      summary: op.summary,
      tags: [op.tag],
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(route.access === 'admin' ? { description: 'Administrators only (`cognito:groups` contains `admin`).' } : {}),
      ...(op.extension ? { 'x-contract-extension': op.extension } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(op.body ? { requestBody: { required: true, content: Object.fromEntries((op.body.mediaTypes ?? ['application/json']).map((type) => [type, { schema: bodySchema(op.body!, type) }])) } } : {}),
      responses: responses(route, op),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SMS CRM backend',
      version: '0.2.0',
      description: 'The SMS conversation backend for sales CRMs. Generated from shared/http/routes.ts and the zod schemas (npm run openapi).',
      license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'The local stack (npm start)' },
      { url: '{apiUrl}', description: 'A deployment: the ApiUrl output of cdk deploy', variables: { apiUrl: { default: 'https://api.example.invalid' } } },
    ],
    tags: Object.entries(tagDescriptions).map(([name, description]) => ({ name, description })),
    components: { securitySchemes: { jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: components },
    security: [{ jwt: [] }],
    paths,
  };
}

export const OPENAPI_PATH = 'docs/openapi.json';
export const CLIENT_TYPES_PATH = 'shared/client/openapi.d.ts';

if (process.argv[1]?.endsWith('openapi.ts')) {
  writeFileSync(OPENAPI_PATH, `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  mkdirSync(EVENT_SCHEMAS_DIR, { recursive: true });
  for (const [detailType, schema] of Object.entries(eventSchemaDocuments())) writeFileSync(`${EVENT_SCHEMAS_DIR}/${detailType}.json`, `${JSON.stringify(schema, null, 2)}\n`);
  writeFileSync(PHONE_METADATA_PATH, phoneMetadataModule());
  execFileSync('npx', ['openapi-typescript', OPENAPI_PATH, '-o', CLIENT_TYPES_PATH], { stdio: 'inherit' });
  console.log(`wrote ${OPENAPI_PATH} and ${CLIENT_TYPES_PATH}`);
}

/** SNS posts its JSON envelope as `text/plain; charset=UTF-8`: declared as text holding JSON, so a validating proxy accepts it. */
function bodySchema(body: { schema: unknown; textHoldsJson?: boolean }, mediaType: string): unknown {
  if (body.textHoldsJson && mediaType === 'text/plain') return { type: 'string', contentMediaType: 'application/json', contentSchema: body.schema };
  return body.schema;
}
