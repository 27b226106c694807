import middy from '@middy/core';
import type { Context, EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { defaultDeps, type Deps } from '../../shared/deps';
import { OutboundService } from '../../shared/flows/send-message';
import { ScheduledMessages } from '../../shared/flows/scheduled-messages';
import { runSmsStep, smsStepSchema } from '../../shared/flows/sms-steps';
import { isScheduledFire } from '../../shared/domain/scheduling';
import { awsProviders, type Providers } from '../../shared/providers/registry';
import { awsMessageScheduler, type MessageScheduler } from '../../shared/schedules/message-scheduler';
import { logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { config } from '../../shared/config';
import { onFirstUse } from '../../shared/lambda';
import { isStreamEvent, sendAfterHoursReplies } from '../../shared/flows/after-hours';

/** EventBridge `SmsStepDue` from the CRM: `detail` is the step (contract, "Automated SMS steps"). */
export const smsStepDueSchema = z.object({ source: z.string(), 'detail-type': z.literal('SmsStepDue'), detail: smsStepSchema });

/**
 * Sends what is due: a scheduled message when its EventBridge Scheduler schedule fires, the CRM's automated SMS
 * steps (`SmsStepDue` events, through a rule on the CRM's source), and after-hours replies (inbound messages marked
 * `autoReplyDue`, handed over by the stream dispatcher).
 */
export function createHandler(deps: Deps, providers: Providers, options: { scheduler?: (ownArn?: string) => MessageScheduler; crmEventSource?: string } = {}) {
  const crmEventSource = options.crmEventSource ?? config().CRM_EVENT_SOURCE;
  let ownArn: string | undefined;
  // A deferral schedules this function again: its own ARN comes from the invocation (no environment can name it).
  const scheduler = () => (options.scheduler ?? awsMessageScheduler)(ownArn);
  // Steps and scheduled messages carry text only: no media store.
  const outbound = new OutboundService(deps, providers, undefined, scheduler);
  const scheduled = new ScheduledMessages(deps, providers, scheduler);
  const due = async (event: unknown, context?: Context) => {
    ownArn ??= context?.invokedFunctionArn?.split(':').slice(0, 7).join(':');
    if (isScheduledFire(event)) return { fired: await scheduled.fire(event) };
    if (isStreamEvent(event)) return { afterHours: await sendAfterHoursReplies(deps, outbound, event) };
    const step = event as EventBridgeEvent<string, unknown>;
    if (step.source !== crmEventSource) {
      logger.warn('SmsStepDue event from another source ignored', { source: String(step.source).slice(0, 64) });
      return { outcome: 'ignored' as const };
    }
    const parsed = smsStepDueSchema.safeParse(event);
    if (!parsed.success) {
      // A malformed CRM event can never succeed: logged (paths and codes only) and let go rather than retried forever.
      logger.error('SmsStepDue event rejected', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })) });
      return { outcome: 'invalid' as const };
    }
    const result = await runSmsStep(deps, outbound, parsed.data.detail);
    return { outcome: result.outcome };
  };
  return middy(due).use(logContext(logger)).use(publishMetrics(metrics));
}

export const handler = onFirstUse(() => createHandler(defaultDeps(), awsProviders()));
