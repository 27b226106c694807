import type { MessageStatus, StatusReason } from './messages';

export const finalStatuses: ReadonlySet<MessageStatus> = new Set(['delivered', 'failed', 'undelivered', 'canceled']);

// `scheduled` leaves only by its own transitions (store/items/message.ts), never by a provider's report; `canceled` is final.
const rank: Record<MessageStatus, number> = { received: -1, scheduled: -1, queued: 0, unknown: 1, sent: 2, delivered: 3, failed: 3, undelivered: 3, canceled: 3 };

/**
 * Statuses a message may be in for `next` to apply. Final statuses never move; otherwise a status
 * only moves forward (queued → sent → final). `unknown` (provider timeout or no final report within
 * 72 h) is left by any later news, and a sent message becomes unknown when the provider says so.
 */
export function statusesThatAccept(next: MessageStatus): MessageStatus[] {
  if (next === 'received' || next === 'scheduled' || next === 'canceled') return [];
  const from = (['queued', 'unknown', 'sent'] as const).filter((current) => rank[next] > rank[current] || (next === 'unknown' && current === 'sent'));
  return from;
}

export function canTransition(current: MessageStatus, next: MessageStatus): boolean {
  return statusesThatAccept(next).includes(current);
}

/** Readable reasons for the codes the provider mappings produce. */
export const reasonMessages = {
  InvalidSendingParameters: 'The destination is not a number that can receive SMS',
  CarrierUnreachable: "The recipient's carrier or handset could not be reached",
  Blocked: 'The carrier or the provider blocked the message',
  Spam: 'The carrier filtered the message as spam',
  OptedOut: 'The recipient has opted out of messages from this number',
  Expired: 'The message expired before it could be delivered',
  InvalidMessage: 'The message body was refused by the provider',
  MaxPriceExceeded: 'Sending would cost more than the configured maximum price',
  Throttled: 'The provider throttled the send; it was not sent',
  ProviderTimeout: 'The provider did not answer in time; the message may or may not have been sent',
  ProviderError: 'The provider refused the message',
  Canceled: 'The message was canceled before it was sent',
  Unknown: 'The provider reported no final delivery result',
  CustomerReplied: 'The customer wrote in this conversation after it was scheduled',
  NotAllowed: 'Its author may no longer send it (the salesperson role, the business number or the conversation)',
  MissingPlaceholderValue: 'The template has placeholders with no value for this record',
  CanceledBySeller: 'Canceled before it was sent',
} as const;

export type ReasonCode = keyof typeof reasonMessages;

export function reason(code: ReasonCode, providerDetail?: string): StatusReason {
  const detail = providerDetail?.trim();
  return { code, message: detail ? `${reasonMessages[code]} (${detail})` : reasonMessages[code] };
}
