import type { Deps } from '../deps';
import { HttpError } from '../domain/errors';
import type { InboundResult } from './receive-inbound';
import type { ReportOutcome } from './apply-delivery-report';

export type SmsNotificationOutcome = { kind: 'inbound'; result: InboundResult } | { kind: 'report'; outcome: ReportOutcome };

/** One kind of SMS notification a function accepts: undefined when the payload is not of its kind. */
export type SmsNotificationPath = (deps: Deps, payload: unknown) => Promise<SmsNotificationOutcome | undefined>;

/**
 * The `Message` of an SNS notification from AWS SMS, tried against the paths the function accepts
 * (each function imports only its own, from sms-notification-paths/: delivery reports never load
 * routing or phone metadata).
 * Anything else is a validation error.
 */
export async function handleSmsNotification(deps: Deps, message: string, paths: { inbound?: SmsNotificationPath; events?: SmsNotificationPath }): Promise<SmsNotificationOutcome> {
  let payload: unknown;
  try {
    payload = JSON.parse(message);
  } catch {
    throw new HttpError('ValidationError', 'the SNS Message is not JSON');
  }
  for (const path of [paths.inbound, paths.events]) {
    const outcome = await path?.(deps, payload);
    if (outcome) return outcome;
  }
  throw new HttpError('ValidationError', `the SNS Message is not ${[paths.inbound && 'a two-way SMS', paths.events && 'an SMS event'].filter(Boolean).join(' or ')}`);
}
