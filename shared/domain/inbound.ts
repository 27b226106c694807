import { normalizePhone } from './phone';
/** One normalized inbound SMS, whatever provider format it arrived in. */
export interface InboundSms {
  /** Namespace of the provider's message id: `twilio`, or `aws-sms` for Pinpoint / End User Messaging. */
  provider: 'twilio' | 'aws-sms' | 'sandbox';
  providerMessageId: string;
  from: string;
  to: string;
  body: string;
  /** MMS: the provider's file URLs, copied into our storage after the message is stored. */
  media?: { url: string; contentType: string }[];
}

/**
 * A sender that is not a phone number: an alphanumeric sender id (`AMAZON`, at most 11 characters, at least
 * one letter) or a short code (3 to 8 digits). Such a message is stored, on no record, and cannot be answered.
 */
export function isSenderId(from: string): boolean {
  return /^(?=.*[A-Za-z])[A-Za-z0-9][A-Za-z0-9 &._-]{0,10}$/.test(from) || /^\d{3,8}$/.test(from);
}

/** A customer as a local provider route takes it: a sender id kept as written, else a phone number (undefined if neither). */
export function localSender(value: string, defaultRegion: string): string | undefined {
  const trimmed = value.trim();
  return isSenderId(trimmed) ? trimmed : normalizePhone(value, defaultRegion);
}
