import * as z from 'zod/mini';
import type { Deps } from '../deps';
import type { Caller } from '../http/auth';
import type { Providers } from '../providers/registry';
import type { MessageScheduler } from '../schedules/message-scheduler';
import type { Key } from '../store/keys';
import type { Item } from '../store/dynamo-helpers';
import type { Message } from '../domain/messages';
import { DirectoryStore } from '../store/items/directory';
import { RecordStore } from '../store/items/record';
import { TemplateStore } from '../store/items/template';
import { advanceForSent, ConversationStore, type ConversationState } from '../store/items/conversation';
import { cancelScheduled, claimScheduled, getMessage, reviseScheduled, toPublicMessage } from '../store/items/message';
import { scheduledPointer } from '../store/items/scheduled';
import { isOptedOut } from '../store/items/opt-out';
import { HttpError, notFound } from '../domain/errors';
import { canSeeConversation, isPrincipalOf, isSalesperson, viewerFrom } from '../domain/visibility';
import { checkSendAt, DEFAULT_SCHEDULE_MIN_LEAD_SECONDS, QUIET_RETRY_MS, scheduleName, type CancelReason, type ScheduledFire } from '../domain/scheduling';
import { reason } from '../domain/status';
import { render } from '../domain/template';
import { segmentInfo } from '../domain/segments';
import { expiryOf } from '../domain/retention';
import { callProvider, MAX_BODY_LENGTH, quietHoursRefusal, recordSendResult } from './send-message';
import { count, logger } from '../observability';

/** The most a fire waits for its second: a schedule fires in the minute of its time, never earlier. */
const EARLY_FIRE_WAIT_MS = 61_000;
/** The contract's bound: sent within 60 seconds after `scheduledFor` (later is counted, and alarmed on). */
const LATE_AFTER_MS = 60_000;

export const editScheduledSchema = z.strictObject({
  sendAt: z.optional(z.string().check(z.maxLength(40))),
  body: z.optional(z.string().check(z.maxLength(MAX_BODY_LENGTH))),
});

/** What a fire did: sent (or failed at the provider), canceled with a reason, deferred out of quiet hours, or nothing. */
export type FireOutcome = 'sent' | 'canceled' | 'deferred' | 'not-scheduled' | 'stale' | 'gone';

/**
 * Send later, once stored (contract, "Send later"): the author's or an admin's edit and cancel, and the fire of a
 * schedule, which checks everything a send checks again, as the author sending then, and sends at most once.
 */
export class ScheduledMessages {
  private readonly directory: DirectoryStore;
  private readonly conversations: ConversationStore;

  constructor(
    private readonly deps: Deps,
    private readonly providers: Providers,
    private readonly scheduler: () => MessageScheduler,
    /** A fire comes within the minute of the time asked (Scheduler's precision): an early one waits for it. */
    private readonly wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    this.directory = new DirectoryStore(deps.db, deps.table);
    this.conversations = new ConversationStore(deps.db, deps.table, deps.clock);
  }

  /** PATCH /messages/{id}: a new time or text while it is still scheduled (a new revision with its own schedule). */
  async edit(caller: Caller, messageId: string, input: z.infer<typeof editScheduledSchema>): Promise<Message> {
    if (input.sendAt === undefined && input.body === undefined) throw new HttpError('ValidationError', 'give sendAt, body or both');
    const sendAt = input.sendAt === undefined ? undefined : checkSendAt(input.sendAt, this.deps.clock.now(), this.deps.scheduleMinLeadSeconds ?? DEFAULT_SCHEDULE_MIN_LEAD_SECONDS);
    if (input.body !== undefined && input.body.trim() === '') throw new HttpError('ValidationError', 'the message may not be empty');
    const { key, message, conversation } = await this.editable(caller, messageId);
    const at = sendAt ?? new Date(message.scheduledFor as string);
    if (sendAt) {
      const refusal = quietHoursRefusal(this.deps, message.to as string, sendAt, conversation.lastInboundAt);
      if (refusal) throw refusal;
    }
    const revision = message.revision as number;
    const next = scheduleName(messageId, revision + 1);
    await this.scheduler().create(next, at, { scheduledMessage: { id: messageId, revision: revision + 1, at: at.toISOString() } });
    const revised = await reviseScheduled(this.deps.db, this.deps.table, key, { revision, sentBy: message.sentBy as string, id: messageId }, {
      scheduledFor: at.toISOString(),
      ...(input.body !== undefined ? { body: input.body, segments: segmentInfo(input.body).segments, dropTemplate: true } : {}),
      expiresAt: expiryOf(at.toISOString(), this.deps.retentionDays),
    });
    if (!revised) {
      await this.scheduler().delete(next);
      throw new HttpError('Conflict', 'the message is no longer scheduled, or changed meanwhile');
    }
    await this.scheduler().delete(scheduleName(messageId, revision));
    return this.answer(key);
  }

  /** DELETE /messages/{id}: canceled by the seller, its schedule removed. */
  async cancel(caller: Caller, messageId: string): Promise<Message> {
    const { key, message } = await this.editable(caller, messageId);
    const canceled = await cancelScheduled(this.deps.db, this.deps.table, key, { reason: reason('CanceledBySeller'), at: this.deps.clock.now().toISOString() });
    if (!canceled) throw new HttpError('Conflict', 'the message is no longer scheduled');
    await this.scheduler().delete(scheduleName(messageId, message.revision as number));
    return this.answer(key);
  }

  /** The message as the author or an admin may change it: 404 unseen, 403 someone else's, 409 once it left `scheduled`. */
  private async editable(caller: Caller, messageId: string): Promise<{ key: Key; message: Item; conversation: ConversationState }> {
    const [pointer, seller] = await Promise.all([scheduledPointer(this.deps.db, this.deps.table, messageId), this.directory.getSeller(caller.sellerId)]);
    const message = pointer ? await getMessage(this.deps.db, this.deps.table, pointer.messageKey) : undefined;
    const conversation = message ? await this.conversations.get(message.conversationId as string) : undefined;
    if (!pointer || !message || !conversation || !canSeeConversation(viewerFrom(caller, seller), conversation)) throw notFound('message');
    if (!caller.isAdmin && message.sentBy !== caller.sellerId) throw new HttpError('InsufficientPrivileges', 'only its author or an admin may change a scheduled message');
    if (message.status !== 'scheduled') throw new HttpError('Conflict', `the message is ${String(message.status)}, no longer scheduled`);
    return { key: pointer.messageKey, message, conversation };
  }

  private async answer(key: Key): Promise<Message> {
    const item = await getMessage(this.deps.db, this.deps.table, key);
    if (!item) throw notFound('message');
    return toPublicMessage(item);
  }

  /** A schedule fired: only the current revision of a message still scheduled is sent, after the send's checks. */
  async fire(fire: ScheduledFire): Promise<FireOutcome> {
    const { db, table, clock } = this.deps;
    // Scheduler fires within the minute of the time asked, possibly before it: wait for the second (the message, whose
    // schedule is made just before it is stored, is there by then).
    const early = fire.scheduledMessage.at ? Date.parse(fire.scheduledMessage.at) - clock.now().getTime() : 0;
    if (early > EARLY_FIRE_WAIT_MS) return 'stale';
    if (early > 0) await this.wait(early);
    const pointer = await scheduledPointer(db, table, fire.scheduledMessage.id);
    const message = pointer ? await getMessage(db, table, pointer.messageKey) : undefined;
    // Erased (or never stored: the schedule is made first): nothing to send.
    if (!pointer || !message) return 'gone';
    if (message.status !== 'scheduled') return 'not-scheduled';
    // An earlier revision's schedule: the current one has its own.
    if (message.revision !== fire.scheduledMessage.revision) return 'stale';
    const key = pointer.messageKey;
    const revision = message.revision as number;
    // A fire of this revision that came before its time (a payload without `at`): wait for it too.
    const stillEarly = Date.parse(message.scheduledFor as string) - clock.now().getTime();
    if (stillEarly > EARLY_FIRE_WAIT_MS) return 'stale';
    if (stillEarly > 0) await this.wait(stillEarly);
    const now = clock.now();

    const checked = await this.recheck(message);
    if ('cancel' in checked) {
      const canceled = await cancelScheduled(db, table, key, { reason: reason(checked.cancel), at: now.toISOString(), revision });
      if (canceled) count('ScheduledCanceled');
      return canceled ? 'canceled' : 'not-scheduled';
    }
    const quiet = quietHoursRefusal(this.deps, message.to as string, now, checked.conversation.lastInboundAt);
    if (quiet) {
      // A quiet window that began since it was scheduled: it goes when the window ends (the firing schedule removes itself).
      const allowedFrom = (quiet.details as { allowedFrom?: string } | undefined)?.allowedFrom;
      const later = allowedFrom ? new Date(allowedFrom) : new Date(now.getTime() + QUIET_RETRY_MS);
      await this.scheduler().create(scheduleName(message.id as string, revision + 1), later, { scheduledMessage: { id: message.id as string, revision: revision + 1, at: later.toISOString() } });
      const deferred = await reviseScheduled(db, table, key, { revision, sentBy: message.sentBy as string, id: message.id as string }, { scheduledFor: later.toISOString(), expiresAt: expiryOf(later.toISOString(), this.deps.retentionDays) });
      if (deferred) count('ScheduledDeferred');
      return deferred ? 'deferred' : 'not-scheduled';
    }
    const body = checked.body;
    // The one transition out of `scheduled` for this revision: a second fire, an edit or a cancel meanwhile wins or loses here.
    if (!(await claimScheduled(db, table, key, { revision, id: message.id as string, createdAt: message.createdAt as string }, { body, segments: segmentInfo(body).segments, at: now.toISOString() }))) return 'not-scheduled';
    const delayMs = now.getTime() - Date.parse(message.scheduledFor as string);
    logger.info('scheduled message fired', { delayMs });
    count('ScheduledFired');
    if (delayMs > LATE_AFTER_MS) count('ScheduledSentLate');
    await advanceForSent(db, table, clock, message.conversationId as string, { createdAt: now.toISOString(), body, expiresAt: message.expiresAt as number | undefined });
    // Scheduled messages carry text only (send-message.ts refuses files with sendAt).
    const result = await callProvider(this.providers(message.provider as Parameters<Providers>[0]), { id: message.id as string, from: message.from as string, to: message.to as string, body });
    await recordSendResult(this.deps, result, message.provider as string, key, message.expiresAt as number | undefined);
    return 'sent';
  }

  /**
   * Everything a send checks, again, as its author now: the role, the number and the conversation (NotAllowed), the
   * customer's consent (OptedOut), a reply since it was scheduled (CustomerReplied), the template's placeholders for
   * the record as it is now (MissingPlaceholderValue). The text to send when it may go.
   */
  private async recheck(message: Item): Promise<{ cancel: CancelReason } | { body: string; conversation: ConversationState }> {
    const { db, table } = this.deps;
    const sellerId = message.sentBy as string;
    const [seller, conversation, number, optedOut] = await Promise.all([
      this.directory.getSeller(sellerId),
      this.conversations.get(message.conversationId as string),
      this.directory.getNumber(message.from as string),
      isOptedOut(db, table, message.to as string, message.from as string),
    ]);
    if (!conversation) return { cancel: 'NotAllowed' };
    const viewer = viewerFrom({ sellerId, isAdmin: false }, seller);
    if (!seller || !isSalesperson(seller) || !number || !isPrincipalOf(viewer, conversation.assignedTo) || !canSeeConversation(viewer, conversation)) return { cancel: 'NotAllowed' };
    if (optedOut) return { cancel: 'OptedOut' };
    if (message.cancelOnReply === true && conversation.lastInboundAt && conversation.lastInboundAt > (message.createdAt as string)) return { cancel: 'CustomerReplied' };
    let body = message.body as string;
    if (typeof message.templateId === 'string') {
      const [template, record] = await Promise.all([new TemplateStore(db, table).get(message.templateId), new RecordStore(db, table).get(conversation.record.type, conversation.record.id)]);
      // A template deleted since keeps the text it rendered when it was scheduled.
      if (template && record) {
        const rendered = render(template.body, { record, seller: { name: seller.name } });
        if (rendered.missing.length > 0) return { cancel: 'MissingPlaceholderValue' };
        body = rendered.body;
      }
    }
    if (body.length > MAX_BODY_LENGTH) body = body.slice(0, MAX_BODY_LENGTH);
    return { body, conversation };
  }
}
