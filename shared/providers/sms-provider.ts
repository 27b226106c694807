import type { StatusReason } from '../domain/messages';
import type { ProviderName } from '../domain/types';

export interface OutboundSms {
  /** Our message id, passed where the provider echoes context into events. */
  messageId: string;
  from: string;
  to: string;
  body: string;
  /** MMS files, as each provider fetches them: a short-lived URL (Twilio), an S3 URI (End User Messaging). */
  media?: { id: string; contentType: string; size: number; url?: string | undefined; s3Uri?: string | undefined }[];
}

/**
 * What a provider said about a send: accepted (`sent`), refused (`failed`, nothing went out), or
 * no answer we can trust (`unknown`: it may or may not have gone out, so we never send it again).
 */
export type SendResult =
  | { outcome: 'sent'; providerMessageId: string }
  | { outcome: 'failed'; reason: StatusReason; providerMessageId?: string }
  | { outcome: 'unknown'; reason: StatusReason };

export interface SmsProvider {
  readonly name: ProviderName;
  send(sms: OutboundSms): Promise<SendResult>;
}

/** A request that ran out of time or lost its connection after it may have reached the provider. */
export function isAmbiguousFailure(error: unknown): boolean {
  const e = error as { name?: string; code?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  return (
    ['TimeoutError', 'AbortError', 'RequestTimeout', 'RequestTimeoutException'].includes(e.name ?? '') ||
    ['ETIMEDOUT', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'].includes(e.code ?? '') ||
    (status !== undefined && status >= 500)
  );
}
