import type * as z from 'zod/mini';
import type { Deps } from '../deps';
import type { Message, StatusReason } from '../domain/messages';
import { DirectoryStore, type BusinessNumber } from '../store/items/directory';
import { RecordStore } from '../store/items/record';
import { getMessage, toPublicMessage } from '../store/items/message';
import { getStepRun, recordSkippedStep, type StepRun } from '../store/items/scheduled';
import { HttpError } from '../domain/errors';
import { isSendableE164 } from '../domain/phone';
import { isSalesperson } from '../domain/visibility';
import { checkSendAt, DEFAULT_SCHEDULE_MIN_LEAD_SECONDS } from '../domain/scheduling';
import { smsStepDueDetailSchema } from '../domain/crm-events';
import { StepAlreadyRan, type OutboundService } from './send-message';
import { count } from '../observability';

/** An automated SMS step of a CRM sequence (`SmsStepDue` detail, and POST /automations/sms-steps). */
export const smsStepSchema = smsStepDueDetailSchema;
export type SmsStep = z.infer<typeof smsStepSchema>;

export type StepResult = { outcome: 'skipped'; reason: StatusReason } | { outcome: 'sent' | 'scheduled'; message: Message };

/** Why a step sends nothing (the CRM gets SmsStepSkipped with one of these). */
const skipMessages = {
  RecordNotFound: 'The record does not exist',
  NoPhoneNumber: 'The record has no number that can receive SMS',
  NoSeller: 'The record has no owner and the step names no seller',
  NotAllowed: 'The seller does not have the salesperson role',
  NoBusinessNumber: 'Neither the seller nor their teams have a business number',
  OptedOut: 'The customer has opted out of messages from the business number',
  MissingPlaceholderValue: 'The template has placeholders with no value for this record',
  QuietHours: "It is inside quiet hours in the customer's time zone and the step has no sendAt",
  TemplateNotFound: 'The template does not exist',
  InvalidSendAt: 'sendAt is not between the minimum lead and 35 days ahead',
} as const;
type SkipCode = keyof typeof skipMessages;

const skip = (code: SkipCode, detail?: string): StatusReason => ({ code, message: detail ? `${skipMessages[code]} (${detail})` : skipMessages[code] });

/**
 * Sends (or schedules) one step on the seller's behalf (`sellerId`, default the record's owner), from their number
 * (else their team's), with the template rendered for the record, `automated: "sms_step"` and the step's context.
 * A step run is recorded once, sent or skipped: the same `stepRunId` again answers what the first one did.
 */
export async function runSmsStep(deps: Deps, outbound: OutboundService, step: SmsStep): Promise<StepResult> {
  const earlier = await earlierRun(deps, step.stepRunId);
  if (earlier) return earlier;
  const run: StepRun = { stepRunId: step.stepRunId, record: step.record, context: step.context, at: deps.clock.now().toISOString() };
  const skipped = async (reason: StatusReason): Promise<StepResult> => {
    if (!(await recordSkippedStep(deps.db, deps.table, run, reason))) return (await earlierRun(deps, step.stepRunId))!;
    count('SmsStepSkipped');
    return { outcome: 'skipped', reason };
  };

  let sendAt: Date | undefined;
  try {
    sendAt = step.sendAt === undefined ? undefined : checkSendAt(step.sendAt, deps.clock.now(), deps.scheduleMinLeadSeconds ?? DEFAULT_SCHEDULE_MIN_LEAD_SECONDS);
  } catch (error) {
    return skipped(skip('InvalidSendAt', (error as Error).message));
  }
  const directory = new DirectoryStore(deps.db, deps.table);
  const record = await new RecordStore(deps.db, deps.table).get(step.record.type, step.record.id);
  if (!record) return skipped(skip('RecordNotFound'));
  const to = record.mobile ?? record.phone ?? record.business;
  if (!to || !isSendableE164(to)) return skipped(skip('NoPhoneNumber'));
  const sellerId = step.sellerId ?? record.ownerId;
  if (!sellerId) return skipped(skip('NoSeller'));
  const seller = await directory.getSeller(sellerId);
  if (!seller || !isSalesperson(seller)) return skipped(skip('NotAllowed'));
  const number = await numberOf(directory, seller.id, seller.teamIds);
  if (!number) return skipped(skip('NoBusinessNumber'));

  try {
    const message = await outbound.sendStep(seller, number, record, to, { templateId: step.templateId, sendAt, context: step.context, step: run });
    count('SmsStepSent');
    return { outcome: sendAt ? 'scheduled' : 'sent', message };
  } catch (error) {
    if (error instanceof StepAlreadyRan) return (await earlierRun(deps, step.stepRunId))!;
    if (!(error instanceof HttpError) || error.status >= 500) throw error;
    const code: SkipCode | undefined = ({ OptedOut: 'OptedOut', MissingPlaceholderValue: 'MissingPlaceholderValue', QuietHours: 'QuietHours', NotFound: 'TemplateNotFound', InvalidSendingParameters: 'NoPhoneNumber', NumberNotAssigned: 'NoBusinessNumber', InsufficientPrivileges: 'NotAllowed' } as const)[error.code as string];
    return skipped(code ? skip(code, error.message) : { code: error.code, message: error.message });
  }
}

/** What a step run already did: its message as it is now, or its skip. */
async function earlierRun(deps: Deps, stepRunId: string): Promise<StepResult | undefined> {
  const run = await getStepRun(deps.db, deps.table, stepRunId);
  if (!run) return undefined;
  if (run.outcome === 'skipped') return { outcome: 'skipped', reason: run.reason };
  const message = await getMessage(deps.db, deps.table, run.messageKey);
  // Erased since: the run happened, and nothing of the message is left to show.
  if (!message) return { outcome: 'skipped', reason: { code: 'Erased', message: 'The step was sent; its message has since been erased' } };
  return { outcome: run.outcome, message: toPublicMessage(message) };
}

/** The seller's own business number, else the first of their teams'. */
async function numberOf(directory: DirectoryStore, sellerId: string, teamIds: readonly string[]): Promise<BusinessNumber | undefined> {
  const own = await directory.numbersOf({ type: 'seller', id: sellerId });
  if (own[0]) return own[0];
  for (const teamId of teamIds) {
    const numbers = await directory.numbersOf({ type: 'team', id: teamId });
    if (numbers[0]) return numbers[0];
  }
  return undefined;
}
