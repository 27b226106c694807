import type { Deps } from '../deps';
import { HttpError } from '../domain/errors';
import { receiveInbound, type InboundResult } from './receive-inbound';
import { applyDeliveryReport, type ReportOutcome } from './apply-delivery-report';
import { parseAwsSmsEvent } from '../providers/delivery-report-formats';
import { fromTwoWaySms, parseJsonMessage, twoWaySmsSchema } from '../providers/inbound-formats';

export type SmsNotificationOutcome = { kind: 'inbound'; result: InboundResult } | { kind: 'report'; outcome: ReportOutcome };

/**
 * The `Message` of an SNS notification from AWS SMS: a two-way inbound SMS, or an SMS event
 * (End User Messaging event destination or Pinpoint event). Anything else is a validation error.
 */
export async function handleSmsNotification(deps: Deps, message: string, accept: { inbound: boolean; events: boolean }): Promise<SmsNotificationOutcome> {
  const payload = parseJsonMessage(message);
  if (accept.inbound) {
    const inbound = twoWaySmsSchema.safeParse(payload);
    if (inbound.success) return { kind: 'inbound', result: await receiveInbound(deps, fromTwoWaySms(inbound.data)) };
  }
  if (accept.events) {
    const report = parseAwsSmsEvent(payload);
    if (report) return { kind: 'report', outcome: await applyDeliveryReport(deps, report) };
  }
  throw new HttpError('ValidationError', `the SNS Message is not ${[accept.inbound && 'a two-way SMS', accept.events && 'an SMS event'].filter(Boolean).join(' or ')}`);
}
