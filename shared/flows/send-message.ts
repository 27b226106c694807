import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import type { Deps } from '../deps';
import type { Key } from '../store/keys';
import type { Principal } from '../domain/types';
import { cancellationCodes } from '../store/dynamo-helpers';
import { DirectoryStore, type BusinessNumber, type Seller } from '../store/items/directory';
import { RecordStore } from '../store/items/record';
import { TemplateStore } from '../store/items/template';
import { appendMessageItems, ConversationStore, isSellerReply, conversationKey, newConversation, scheduleMessageItems, type ConversationState, type TransactItem } from '../store/items/conversation';
import { getMessage, leaveQueued, markSentItem, messageItem, messageKey as keyOfMessage, newMessage, toPublicMessage, type MessageState } from '../store/items/message';
import { businessSeconds, type BusinessHours } from '../domain/business-hours';
import { responseItems } from '../store/items/response-times';
import { scheduledPointerItem, stepRunTransactItem, type StepRun } from '../store/items/scheduled';
import { checkSendAt, DEFAULT_SCHEDULE_MIN_LEAD_SECONDS, scheduleName } from '../domain/scheduling';
import type { MessageScheduler } from '../schedules/message-scheduler';
import { outboundPointerItem } from '../store/items/provider-message';
import { isOptedOut } from '../store/items/opt-out';
import { getIdempotency, idempotencyItem } from '../store/items/idempotency';
import { HttpError, notFound } from '../domain/errors';
import { customerTime, REPLY_GRACE_MS } from '../domain/quiet-hours';
import { isSendableE164, normalizePhone } from '../domain/phone';
import { idSchema, phoneFields, recordRefSchema, type CrmRecord, type PhoneField } from '../domain/records';
import { canReadRecord, canSeeConversation, isPrincipalOf, isSalesperson, viewerFrom, type Viewer } from '../domain/visibility';
import { assertNothingMissing, placeholdersOf, render } from '../domain/template';
import { newId, timeOfId } from '../domain/clock';
import type { Message } from '../domain/messages';
import type { Caller } from '../http/auth';
import type { Providers } from '../providers/registry';
import type { SendResult, SmsProvider } from '../providers/sms-provider';
import { applyPendingReports } from './apply-delivery-report';
import { count, countBy, logger } from '../observability';
import { retryOnConflict, RETRY, writeTransaction } from '../store/transact';
import { expiryOf } from '../domain/retention';
import { messageContextSchema } from '../domain/crm-events';
import { checkAttachments, consumeUploads, discardFiles, keepFiles, mediaIdsSchema, providerMedia } from './outbound-media';
import type { MediaStore } from '../media/store';
import { displayText, type StoredMediaItem } from '../domain/media';

export const MAX_BODY_LENGTH = 1600;

const messageBody = z.optional(z.string().check(z.maxLength(MAX_BODY_LENGTH)));

/** Send later: when (checked against now in the flow) and whether a reply cancels it (default true). */
const sendLater = {
  sendAt: z.optional(z.string().check(z.maxLength(40))),
  cancelOnReply: z.optional(z.boolean()),
};

export const sendMessageSchema = z.strictObject({
  ...sendLater,
  record: recordRefSchema,
  phoneField: z.optional(z.enum(phoneFields)),
  to: z.optional(z.string().check(z.maxLength(40))),
  from: z.string().check(z.minLength(1), z.maxLength(40)),
  body: messageBody,
  templateId: z.optional(idSchema),
  context: z.optional(messageContextSchema),
  media: mediaIdsSchema,
});

export const replySchema = z.strictObject({ ...sendLater, body: messageBody, templateId: z.optional(idSchema), context: z.optional(messageContextSchema), media: mediaIdsSchema });

export const idempotencyKeySchema = z.string().check(z.minLength(1), z.maxLength(255), z.regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'));

/** What a send needs once the route has decided where it goes. */
interface SendPlan {
  seller: Seller;
  record: CrmRecord;
  /** False when the caller only sees conversations on the record: templates may not show its fields. */
  recordReadable: boolean;
  from: string;
  to: string;
  assignee: Principal;
  /** Names a new conversation carries: the record's (even when the caller sees only its conversations) and the assignee's. */
  recordName: string;
  assigneeName: string | undefined;
  provider: Parameters<Providers>[0];
  body?: string | undefined;
  templateId?: string | undefined;
  context?: Record<string, string> | undefined;
  /** Upload ids of the files to send (MMS). */
  media?: string[] | undefined;
  /** Send later: stored `scheduled` and sent by its schedule at this time. */
  sendAt?: Date | undefined;
  cancelOnReply?: boolean | undefined;
  /** A CRM sequence's step, sent on the seller's behalf: its run is recorded with the message (never sent twice). */
  step?: StepRun | undefined;
  /** An after-hours reply: sent by nobody (no `sentBy`), never a response. */
  afterHours?: true | undefined;
  /** The number's opening hours: a reply's response time counts only the time inside them. */
  businessHours?: BusinessHours | undefined;
  /** Whom the business number belongs to: a team's number counts its replies in the team's response times too. */
  numberAssignee: Principal;
}

/** What storing a send gave: the message, or the first message of a repeated Idempotency-Key. */
type Stored = { message: MessageState; messageKey: Key } | { replay: Message };

export class OutboundService {
  private readonly directory: DirectoryStore;
  private readonly records: RecordStore;
  private readonly templates: TemplateStore;
  private readonly conversations: ConversationStore;

  constructor(
    private readonly deps: Deps,
    private readonly providers: Providers,
    /** Outbound MMS files (the media bucket in AWS); absent where no send carries files. */
    private readonly media?: () => MediaStore,
    /** Send later: the schedules (EventBridge Scheduler in AWS); absent where nothing is scheduled. */
    private readonly scheduler?: () => MessageScheduler,
  ) {
    this.directory = new DirectoryStore(deps.db, deps.table);
    this.records = new RecordStore(deps.db, deps.table);
    this.templates = new TemplateStore(deps.db, deps.table);
    this.conversations = new ConversationStore(deps.db, deps.table, deps.clock);
  }

  /** POST /messages */
  async send(caller: Caller, input: z.infer<typeof sendMessageSchema>, idempotencyKey?: string): Promise<Message> {
    const sendAt = this.sendAtOf(input);
    const from = normalizePhone(input.from, this.deps.defaultRegion);
    // Independent reads in one round: the checks below still answer in the contract's order.
    const [earlier, sellerProfile, number, record] = await Promise.all([
      this.earlierSend(caller, idempotencyKey, input),
      this.directory.getSeller(caller.sellerId),
      from ? this.directory.getNumber(from) : undefined,
      this.records.get(input.record.type, input.record.id),
    ]);
    if (earlier) return this.replayAsNow(caller, sellerProfile, earlier);
    const { seller, number: sender } = authorizeSender(caller, sellerProfile, number, input.from);
    if (!record) throw notFound('record');
    const reachable = await this.reachableRecord(viewerFrom(caller, seller), record);
    const to = destination(reachable.record, input, this.deps.defaultRegion);
    return this.deliver(
      caller,
      { seller, record, recordReadable: reachable.readable, from: sender.number, to, assignee: sender.assignedTo, numberAssignee: sender.assignedTo, businessHours: sender.businessHours, recordName: record.name, assigneeName: sender.assigneeName, provider: sender.provider, body: input.body, templateId: input.templateId, context: input.context, media: input.media, sendAt, cancelOnReply: input.cancelOnReply },
      idempotencyKey,
      input,
    );
  }

  /** POST /conversations/{id}/messages: from the conversation's business number to its customer. */
  async reply(caller: Caller, conversation: ConversationState, input: z.infer<typeof replySchema>, idempotencyKey?: string): Promise<Message> {
    if (conversation.senderId) throw new HttpError('NotReplyable', `${conversation.customerNumber} is a sender id, not a phone number: it cannot receive messages`);
    const sendAt = this.sendAtOf(input);
    const [earlier, sellerProfile, number, record] = await Promise.all([
      this.earlierSend(caller, idempotencyKey, { conversationId: conversation.id, ...input }),
      this.directory.getSeller(caller.sellerId),
      this.directory.getNumber(conversation.businessNumber),
      this.records.get(conversation.record.type, conversation.record.id),
    ]);
    if (earlier) return this.replayAsNow(caller, sellerProfile, earlier);
    // Replies follow the conversation's assignment (a hand-off carries the right to answer); new conversations the number's.
    const { seller, number: sender } = authorizeReplier(caller, sellerProfile, number, conversation);
    if (!record) throw notFound('record');
    if (!isSendableE164(conversation.customerNumber)) throw new HttpError('InvalidSendingParameters', `${conversation.customerNumber} is not a valid E.164 destination`);
    return this.deliver(
      caller,
      { seller, record, recordReadable: canReadRecord(viewerFrom(caller, seller), record), from: sender.number, to: conversation.customerNumber, assignee: conversation.assignedTo, numberAssignee: sender.assignedTo, businessHours: sender.businessHours, recordName: conversation.recordName, assigneeName: conversation.assigneeName, provider: sender.provider, body: input.body, templateId: input.templateId, context: input.context, media: input.media, sendAt, cancelOnReply: input.cancelOnReply },
      idempotencyKey,
      { conversationId: conversation.id, ...input },
    );
  }

  /** `sendAt`, at least the minimum lead and at most 35 days ahead (400 otherwise); undefined sends now. */
  private sendAtOf(input: { sendAt?: string | undefined; cancelOnReply?: boolean | undefined; media?: string[] | undefined }): Date | undefined {
    if (input.sendAt === undefined) {
      if (input.cancelOnReply !== undefined) throw new HttpError('ValidationError', 'cancelOnReply goes with sendAt');
      return undefined;
    }
    // Files are kept for the send that uses them at once; a scheduled message carries text only.
    if (input.media?.length) throw new HttpError('ValidationError', 'a scheduled message carries text only: send MMS at once');
    return checkSendAt(input.sendAt, this.deps.clock.now(), this.deps.scheduleMinLeadSeconds ?? DEFAULT_SCHEDULE_MIN_LEAD_SECONDS);
  }

  /**
   * A CRM sequence's automated step, sent (or scheduled) as `seller` from `from`: the checks of a send, with the
   * step run stored in the message's transaction. The caller has already chosen the seller, number and record.
   */
  async sendStep(seller: Seller, sender: BusinessNumber, record: CrmRecord, to: string, input: { templateId: string; sendAt?: Date | undefined; context: Record<string, string>; step: StepRun }): Promise<Message> {
    const caller: Caller = { sellerId: seller.id, isAdmin: false };
    return this.deliver(
      caller,
      { seller, record, recordReadable: true, from: sender.number, to, assignee: sender.assignedTo, numberAssignee: sender.assignedTo, businessHours: sender.businessHours, recordName: record.name, assigneeName: sender.assigneeName, provider: sender.provider, templateId: input.templateId, context: input.context, sendAt: input.sendAt, cancelOnReply: input.sendAt ? true : undefined, step: input.step },
      undefined,
      undefined,
    );
  }

  /**
   * The after-hours reply to an inbound message (its number's `autoReply`, rendered for the record and the conversation's
   * assignee): a message of the conversation with `automated: "after_hours"` and no sender, through the send path (opt-out,
   * provider, delivery report). The run `after_hours:<inbound id>` is stored with it, so it goes at most once; undefined
   * when it was sent before or cannot be (no text for an empty placeholder).
   */
  async afterHoursReply(conversation: ConversationState, inboundMessageId: string): Promise<Message | undefined> {
    const number = await this.directory.getNumber(conversation.businessNumber);
    if (!number?.autoReply || conversation.senderId) return undefined;
    const record = await this.records.get(conversation.record.type, conversation.record.id);
    if (!record) return undefined;
    const rendered = render(number.autoReply.body, { record, seller: { name: conversation.assigneeName } });
    if (rendered.missing.length > 0) {
      count('AfterHoursReplyMissingValue');
      logger.warn('after-hours reply not sent: a placeholder has no value and no default', { conversationId: conversation.id, missing: rendered.missing });
      return undefined;
    }
    const run: StepRun = { stepRunId: `after_hours:${inboundMessageId}`, record: conversation.record, context: { automation: 'after_hours', inboundMessageId }, at: this.deps.clock.now().toISOString() };
    const automaton: Seller = { id: '', name: conversation.assigneeName, teamIds: [], roles: [] };
    try {
      return await this.deliver(
        { sellerId: '', isAdmin: false },
        { seller: automaton, record, recordReadable: true, from: number.number, to: conversation.customerNumber, assignee: conversation.assignedTo, numberAssignee: number.assignedTo, recordName: conversation.recordName, assigneeName: conversation.assigneeName, provider: number.provider, body: rendered.body, step: run, afterHours: true },
        undefined,
        undefined,
      );
    } catch (error) {
      if (error instanceof StepAlreadyRan) return undefined;
      throw error;
    }
  }

  /**
   * The record as far as this caller may use it: all of it when they may read it; when they only see
   * conversations on it, just the numbers of those conversations (so no answer, error or default pick
   * can reveal another field). Neither: 404, exactly as for a missing record.
   */
  private async reachableRecord(viewer: Viewer, record: CrmRecord): Promise<{ record: CrmRecord; readable: boolean }> {
    if (canReadRecord(viewer, record)) return { record, readable: true };
    const known = new Set((await this.conversations.ofRecord(record.type, record.id)).filter((c) => canSeeConversation(viewer, c)).map((c) => c.customerNumber));
    if (known.size === 0) throw notFound('record');
    const redacted: CrmRecord = { type: record.type, id: record.id, name: '', state: record.state, modifiedAt: record.modifiedAt };
    for (const field of phoneFields) if (record[field] && known.has(record[field])) redacted[field] = record[field];
    // A conversation moved onto this record keeps a number the record itself may not hold.
    if (!phoneFields.some((field) => redacted[field])) redacted.mobile = [...known][0] as CrmRecord['mobile'];
    return { record: redacted, readable: false };
  }

  /** Stores the message (queued) before the provider is called, then records what the provider said. */
  private async deliver(caller: Caller, plan: SendPlan, idempotencyKey: string | undefined, request: unknown): Promise<Message> {
    // A provider that is not configured fails here, before anything is stored or sent.
    const provider = this.providers(plan.provider);
    const messageId = newId(this.deps.clock.now());
    const media = plan.media?.length ? this.mediaStore() : undefined;
    // Files are checked before anything is stored or sent (a provider or destination without MMS, a foreign or missing upload).
    const files = media ? await checkAttachments(this.deps, media, caller, { provider: plan.provider, to: plan.to, messageId }, plan.media!) : undefined;
    const [body, optOut] = await Promise.all([this.body(plan, files !== undefined), isOptedOut(this.deps.db, this.deps.table, plan.to, plan.from)]);
    if (optOut) throw new HttpError('OptedOut', `${plan.to} has opted out of messages from ${plan.from}`);
    await this.outsideQuietHours(plan, plan.sendAt);
    // The schedule exists before the message is stored, so a stored scheduled message always has one; a schedule
    // whose message was never stored fires, finds nothing and is removed.
    const schedule = plan.sendAt ? scheduleName(messageId, 0) : undefined;
    if (schedule) await this.schedules().create(schedule, plan.sendAt!, { scheduledMessage: { id: messageId, revision: 0, at: plan.sendAt!.toISOString() } });
    // The message never names a file that is not in its own place; what is checked is the copy that is sent.
    if (media && files) await keepFiles(media, files, plan.provider);

    let stored: Stored;
    try {
      stored = await this.store(caller, plan, body, idempotencyKey, request, messageId, files);
    } catch (error) {
      // Not stored: no copy outlives it where erasure could not find it.
      if (media && files) await discardFiles(media, files);
      if (schedule) await this.schedules().delete(schedule);
      throw error;
    }
    if ('replay' in stored) {
      if (media && files) await discardFiles(media, files);
      if (schedule) await this.schedules().delete(schedule);
      return stored.replay;
    }
    if (media && files) await consumeUploads(this.deps, media, files);
    if (plan.sendAt) {
      count('OutboundScheduled');
      return toPublicMessage(messageItem(stored.message));
    }
    const result = await callProvider(provider, stored.message, media && files ? await providerMedia(media, files) : undefined);
    await recordSendResult(this.deps, result, plan.provider, stored.messageKey, stored.message.expiresAt);
    // Gone only if the customer was erased meanwhile: nothing of it is answered.
    const sent = await getMessage(this.deps.db, this.deps.table, stored.messageKey);
    if (!sent) throw notFound('message');
    return toPublicMessage(sent);
  }

  private schedules(): MessageScheduler {
    if (!this.scheduler) throw new HttpError('ValidationError', 'this deployment schedules no messages (no scheduler)');
    return this.scheduler();
  }

  /**
   * Quiet hours: a text that would reach the customer inside the window of their local time (any zone the
   * number could be in) is refused with when it may go, unless the customer wrote in this conversation in
   * the last 24 hours (answering is always allowed). Only a quiet time costs a read (the conversation).
   */
  private async outsideQuietHours(plan: SendPlan, at?: Date): Promise<void> {
    const when = at ?? this.deps.clock.now();
    if (!customerTime(plan.to, when, this.deps.quietHours)?.quiet) return;
    const conversation = (await this.conversations.at(conversationKey({ customerNumber: plan.to, businessNumber: plan.from, record: plan.record })))?.state;
    const refusal = quietHoursRefusal(this.deps, plan.to, when, conversation?.lastInboundAt);
    if (refusal) throw refusal;
  }

  private mediaStore(): MediaStore {
    if (!this.media) throw new HttpError('InvalidSendingParameters', 'this deployment sends no MMS (no media storage)');
    return this.media();
  }

  /**
   * Stores the message in its conversation (created if missing), `queued` or `scheduled`, with the Idempotency-Key,
   * the scheduled message's pointer and a step's run in the same transaction; a key already used returns the first
   * message instead, a step run already stored throws StepAlreadyRan.
   */
  private async store(caller: Caller, plan: SendPlan, body: string, idempotencyKey: string | undefined, request: unknown, messageId: string, files: StoredMediaItem[] | undefined): Promise<Stored> {
    const { db, table, clock } = this.deps;
    const exhausted = () => new HttpError('Conflict', 'the conversation kept changing while sending; retry the request');
    // A scheduled message keeps the id its schedule was made with, as one with files keeps the id of their storage keys.
    const fixedId = files !== undefined || plan.sendAt !== undefined;
    return retryOnConflict({ name: 'OutboundStore', exhausted, maxAttempts: 8, capMs: 500 }, async (): Promise<Stored | typeof RETRY> => {
      // Re-read each time: an inbound reply may have moved the conversation forward meanwhile.
      const existing = (await this.conversations.at(conversationKey({ customerNumber: plan.to, businessNumber: plan.from, record: plan.record })))?.state;
      const now = clock.now();
      // A message with files keeps the id their storage keys were made with (an id carries its creation time).
      const id = fixedId ? messageId : newId(now);
      const createdAt = (fixedId ? timeOfId(messageId)! : now).toISOString();
      const conversation: ConversationState =
        existing ?? newConversation({ id: newId(now), record: { ...plan.record, name: plan.recordName }, customerNumber: plan.to, businessNumber: plan.from, assignedTo: plan.assignee, assigneeName: plan.assigneeName, firstMessage: { createdAt, body: displayText(body, files) } });
      const message = newMessage(
        { ...conversation, recordOwnerId: plan.record.ownerId, recordOwningTeamId: plan.record.owningTeamId },
        {
          id,
          direction: 'outbound',
          from: plan.from,
          to: plan.to,
          body,
          createdAt,
          status: plan.sendAt ? 'scheduled' : 'queued',
          ...(plan.afterHours ? {} : { sentBy: caller.sellerId }),
          provider: plan.provider,
          inboundSeen: conversation.inboundCount,
          // A scheduled message is kept for the retention period after it goes, not after it was written.
          expiresAt: expiryOf(plan.sendAt?.toISOString() ?? createdAt, this.deps.retentionDays),
          ...(plan.templateId ? { templateId: plan.templateId } : {}),
          ...(plan.context ? { context: plan.context } : {}),
          ...(files ? { media: files } : {}),
          ...(plan.sendAt ? { scheduledFor: plan.sendAt.toISOString(), cancelOnReply: plan.cancelOnReply ?? true, revision: 0 } : {}),
          ...(plan.afterHours ? { automated: 'after_hours' as const } : plan.step ? { automated: 'sms_step' as const } : {}),
        },
      );
      const messageKey = keyOfMessage(message);
      const items: TransactItem[] = plan.sendAt ? scheduleMessageItems(table, existing, conversation, message, message.cancelOnReply === true) : appendMessageItems(table, existing, conversation, message);
      if (plan.sendAt) items.push(scheduledPointerItem(table, id, messageKey, caller.sellerId, message.expiresAt));
      // A seller's reply to a waiting customer: its response time, in the buckets of the day the wait began.
      if (existing?.waitingSince && !plan.sendAt && isSellerReply(message)) {
        const response = { first: !existing.responded, seconds: businessSeconds(plan.businessHours, new Date(existing.waitingSince), new Date(createdAt)) };
        items.push(...responseItems(table, repliedFor(caller.sellerId, plan.numberAssignee), existing.waitingSince, response));
      }
      const stepIndex = items.length;
      if (plan.step) items.push(stepRunTransactItem(table, plan.step, { outcome: plan.sendAt ? 'scheduled' : 'sent', messageKey }));
      const idempotencyIndex = items.length;
      if (idempotencyKey) items.push(idempotencyItem(table, caller.sellerId, idempotencyKey, messageKey, hashRequest(request), now));
      try {
        await writeTransaction(db, items);
        return { message, messageKey };
      } catch (error) {
        const codes = cancellationCodes(error);
        if (plan.step && codes?.[stepIndex] === 'ConditionalCheckFailed') throw new StepAlreadyRan(plan.step.stepRunId);
        if (idempotencyKey && codes?.[idempotencyIndex] === 'ConditionalCheckFailed') {
          const earlier = await this.earlierSend(caller, idempotencyKey, request);
          if (earlier) return { replay: await this.replayAsNow(caller, await this.directory.getSeller(caller.sellerId), earlier) };
        }
        if (!codes) throw error;
        return RETRY;
      }
    });
  }

  private async body(plan: SendPlan, hasMedia = false): Promise<string> {
    if (plan.body !== undefined && plan.templateId !== undefined) throw new HttpError('ValidationError', 'give body or templateId, not both');
    let body = plan.body;
    if (plan.templateId) {
      const template = await this.templates.get(plan.templateId);
      if (!template) throw notFound('template');
      if (!plan.recordReadable && placeholdersOf(template.body).some((p) => p.startsWith('record.') && p !== 'record.type' && p !== 'record.id')) {
        throw new HttpError('InsufficientPrivileges', 'this template shows fields of a record you may not read; send a body instead');
      }
      body = assertNothingMissing(render(template.body, { record: plan.record, seller: { name: plan.seller.name } }));
    }
    // An MMS may go without text.
    if (hasMedia && (body === undefined || body.trim() === '')) return '';
    if (body === undefined || body.trim() === '') throw new HttpError('ValidationError', 'body or templateId is required, and the message may not be empty');
    if (body.length > MAX_BODY_LENGTH) throw new HttpError('ValidationError', `the message is longer than ${MAX_BODY_LENGTH} characters`);
    return body;
  }

  /** The message an earlier request with this Idempotency-Key stored (409 when the key came with another request). */
  private async earlierSend(caller: Caller, idempotencyKey: string | undefined, request: unknown): Promise<Key | undefined> {
    if (!idempotencyKey) return undefined;
    const stored = await getIdempotency(this.deps.db, this.deps.table, caller.sellerId, idempotencyKey);
    if (!stored) return undefined;
    if (stored.requestHash !== hashRequest(request)) throw new HttpError('Conflict', 'this Idempotency-Key was used with a different request');
    return stored.messageKey;
  }

  /**
   * A repeated Idempotency-Key returns the first message and sends nothing, answered as the send would be
   * now: 403 without the salesperson role, 404 once the message is erased or its conversation out of sight.
   */
  private async replayAsNow(caller: Caller, seller: Seller | undefined, key: Key): Promise<Message> {
    if (!seller || !isSalesperson(seller)) throw new HttpError('InsufficientPrivileges', 'sending SMS needs the salesperson role');
    const item = await getMessage(this.deps.db, this.deps.table, key);
    const conversation = item ? await this.conversations.get(item.conversationId as string) : undefined;
    if (!item || !conversation || !canSeeConversation(viewerFrom(caller, seller), conversation)) throw notFound('message');
    return toPublicMessage(item);
  }
}

/** Whose response times a seller's reply counts in: the seller's, and the team's when it went from a team's number. */
function repliedFor(sellerId: string, numberAssignee: Principal): Principal[] {
  return [{ type: 'seller', id: sellerId }, ...(numberAssignee.type === 'team' ? [numberAssignee] : [])];
}

/**
 * Quiet hours: a text that would reach the customer at `at` inside the window of their local time (any zone the number
 * could be in) is refused with when it may go, unless the customer wrote in this conversation in the 24 hours before
 * (answering is always allowed). Undefined when it may go.
 */
export function quietHoursRefusal(deps: Pick<Deps, 'quietHours'>, to: string, at: Date, lastInboundAt: string | undefined): HttpError | undefined {
  const time = customerTime(to, at, deps.quietHours);
  if (!time?.quiet) return undefined;
  if (lastInboundAt && at.getTime() - Date.parse(lastInboundAt) < REPLY_GRACE_MS) return undefined;
  return new HttpError('QuietHours', `it is ${time.localTime} for the customer (${time.timeZone}), inside quiet hours ${deps.quietHours!.text}${time.allowedFrom ? `; allowed from ${time.allowedFrom}` : ''}`, {
    customerLocalTime: time.localTime,
    timeZone: time.timeZone,
    ...(time.allowedFrom ? { allowedFrom: time.allowedFrom } : {}),
  });
}

/** A CRM step run that was already stored: the repeat sends nothing. */
export class StepAlreadyRan extends Error {
  constructor(readonly stepRunId: string) {
    super(`step run ${stepRunId} already ran`);
  }
}

/** Calls the provider for a stored message; an adapter that throws is an unknown outcome (never retried: it may have left). */
export async function callProvider(provider: SmsProvider, message: Pick<MessageState, 'id' | 'from' | 'to' | 'body'>, media?: Awaited<ReturnType<typeof providerMedia>>): Promise<SendResult> {
  try {
    return await provider.send({ messageId: message.id, from: message.from, to: message.to, body: message.body, ...(media ? { media } : {}) });
  } catch (error) {
    logger.error('provider adapter threw', { error: error as Error, provider: provider.name });
    return { outcome: 'unknown', reason: { code: 'ProviderError', message: `The provider adapter failed: ${(error as Error).message}` } };
  }
}

/** What the provider said, on the queued message: `sent` with its id (and reports that came first), or failed / unknown. */
export async function recordSendResult(deps: Deps, result: SendResult, provider: string, messageKey: Key, expiresAt: number | undefined): Promise<void> {
  const { db, table, clock } = deps;
  count(`Outbound${result.outcome === 'sent' ? 'Sent' : result.outcome === 'failed' ? 'Failed' : 'Unknown'}`);
  const at = clock.now().toISOString();
  if (result.outcome === 'sent') {
    countBy('OutboundMessages', 'provider', provider);
    await writeTransaction(db, [markSentItem(table, messageKey, result.providerMessageId, at), outboundPointerItem(table, provider, result.providerMessageId, messageKey, expiresAt)]);
    await applyPendingReports(deps, provider, result.providerMessageId, messageKey);
    return;
  }
  await leaveQueued(db, table, messageKey, { status: result.outcome, reason: result.reason, at, providerMessageId: 'providerMessageId' in result ? result.providerMessageId : undefined });
}

/** The sender must hold the salesperson role and send from a number assigned to them or their team. */
function authorizeSender(caller: Caller, seller: Seller | undefined, number: BusinessNumber | undefined, from: string): { seller: Seller; number: BusinessNumber } {
  if (!seller || !isSalesperson(seller)) throw new HttpError('InsufficientPrivileges', 'sending SMS needs the salesperson role');
  // Admins too send only from numbers assigned to them or their teams.
  const viewer = viewerFrom({ ...caller, isAdmin: false }, seller);
  if (!number || !isPrincipalOf(viewer, number.assignedTo)) throw new HttpError('NumberNotAssigned', `${from} is not a business number assigned to you or your team`);
  return { seller, number };
}

/**
 * A reply is for the conversation's assignee (every member, for a team), from the conversation's business
 * number, whoever that number is assigned to now; the number's other holders answer only their own conversations.
 */
function authorizeReplier(caller: Caller, seller: Seller | undefined, number: BusinessNumber | undefined, conversation: ConversationState): { seller: Seller; number: BusinessNumber } {
  if (!seller || !isSalesperson(seller)) throw new HttpError('InsufficientPrivileges', 'sending SMS needs the salesperson role');
  const viewer = viewerFrom({ ...caller, isAdmin: false }, seller);
  if (!number) throw new HttpError('NumberNotAssigned', `${conversation.businessNumber} is no longer a business number of this organisation`);
  if (!isPrincipalOf(viewer, conversation.assignedTo)) throw new HttpError('NumberNotAssigned', 'only the conversation\'s assignee may reply in it; hand it off to answer');
  return { seller, number };
}

/** `to` must be one of the record's numbers; without it, `phoneField` (default mobile, phone, business) picks one. */
export function destination(record: CrmRecord, input: { to?: string | undefined; phoneField?: PhoneField | undefined }, defaultRegion: string): string {
  let to: string | undefined;
  if (input.to !== undefined) {
    const normalized = normalizePhone(input.to, defaultRegion);
    if (!normalized || !isSendableE164(normalized)) throw new HttpError('InvalidSendingParameters', `to: "${input.to}" is not a valid E.164 destination`);
    if (!phoneFields.some((f) => record[f] === normalized)) throw new HttpError('InvalidSendingParameters', `to: ${normalized} is not one of the record's numbers`);
    to = normalized;
  } else if (input.phoneField) {
    to = record[input.phoneField];
    if (!to) throw new HttpError('InvalidSendingParameters', `the record has no ${input.phoneField} number`);
  } else {
    to = record.mobile ?? record.phone ?? record.business;
    if (!to) throw new HttpError('InvalidSendingParameters', 'the record has no phone number');
  }
  if (!isSendableE164(to)) throw new HttpError('InvalidSendingParameters', `${to} is not a valid E.164 destination`);
  return to;
}

function hashRequest(request: unknown): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}
