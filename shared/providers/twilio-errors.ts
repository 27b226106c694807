import type { ReasonCode } from '../domain/status';

/**
 * Twilio error codes we can explain, from the REST API's refusals (2xxxx) and from delivery
 * status callbacks (3xxxx): one table for both paths. Unlisted codes are a ProviderError.
 */
const twilioErrorReasons: Record<string, ReasonCode> = {
  '20429': 'Throttled',
  '21211': 'InvalidSendingParameters',
  '21212': 'InvalidSendingParameters',
  '21408': 'InvalidSendingParameters',
  '21610': 'OptedOut',
  '21614': 'InvalidSendingParameters',
  '30001': 'Throttled',
  '30003': 'CarrierUnreachable',
  '30004': 'Blocked',
  '30005': 'InvalidSendingParameters',
  '30006': 'CarrierUnreachable',
  '30007': 'Spam',
  '30008': 'Unknown',
  '30010': 'MaxPriceExceeded',
  '30032': 'Blocked',
  '30034': 'Blocked',
};

export function twilioErrorReason(code: string | number | undefined): ReasonCode {
  return twilioErrorReasons[String(code ?? '')] ?? 'ProviderError';
}
