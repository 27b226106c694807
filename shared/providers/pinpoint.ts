import type { PinpointClient} from '@aws-sdk/client-pinpoint';
import { reason, type ReasonCode } from '../domain/status';
import { isAmbiguousFailure, type OutboundSms, type SendResult, type SmsProvider } from './sms-provider';

const deliveryStatusReasons: Record<string, ReasonCode> = {
  THROTTLED: 'Throttled',
  TEMPORARY_FAILURE: 'ProviderError',
  PERMANENT_FAILURE: 'InvalidSendingParameters',
  UNKNOWN_FAILURE: 'ProviderError',
  OPT_OUT: 'OptedOut',
  DUPLICATE: 'ProviderError',
};

/** Amazon Pinpoint SendMessages (its SMS APIs live on as AWS End User Messaging). */
export class PinpointProvider implements SmsProvider {
  readonly name = 'pinpoint' as const;
  constructor(
    private readonly client: PinpointClient,
    private readonly applicationId: string,
  ) {}

  async send(sms: OutboundSms): Promise<SendResult> {
    // The Pinpoint SDK loads with the first send through it, not at every cold start of outbound-send.
    const { SendMessagesCommand } = await import('@aws-sdk/client-pinpoint');
    try {
      const out = await this.client.send(
        new SendMessagesCommand({
          ApplicationId: this.applicationId,
          MessageRequest: {
            Addresses: { [sms.to]: { ChannelType: 'SMS' } },
            MessageConfiguration: { SMSMessage: { Body: sms.body, MessageType: 'TRANSACTIONAL', OriginationNumber: sms.from } },
            Context: { messageId: sms.messageId },
          },
        }),
      );
      const result = out.MessageResponse?.Result?.[sms.to];
      // TIMEOUT is documented but missing from the SDK's enum; compare as a string.
      const status: string = result?.DeliveryStatus ?? 'UNKNOWN_FAILURE';
      if (status === 'SUCCESSFUL' && result?.MessageId) return { outcome: 'sent', providerMessageId: result.MessageId };
      const detail = `Pinpoint ${status}${result?.StatusCode ? ` ${result.StatusCode}` : ''}${result?.StatusMessage ? `: ${result.StatusMessage}` : ''}`;
      if (status === 'TIMEOUT') return { outcome: 'unknown', reason: reason('ProviderTimeout', detail) };
      return { outcome: 'failed', reason: reason(deliveryStatusReasons[status] ?? 'ProviderError', detail) };
    } catch (error) {
      return sdkFailure(error, 'Pinpoint');
    }
  }
}

/** An SDK exception → failed (the provider refused) or unknown (it may have sent). */
export function sdkFailure(error: unknown, provider: string): SendResult {
  const e = error as { name?: string; message?: string; Reason?: string };
  const detail = `${provider} ${e.name ?? 'error'}${e.message ? `: ${e.message}` : ''}`;
  if (isAmbiguousFailure(error)) return { outcome: 'unknown', reason: reason('ProviderTimeout', detail) };
  if (e.name === 'ThrottlingException' || e.name === 'TooManyRequestsException' || e.name === 'ServiceQuotaExceededException') {
    return { outcome: 'failed', reason: reason('Throttled', detail) };
  }
  if (e.name === 'ConflictException' && /OPT(ED)?_OUT/.test(e.Reason ?? e.message ?? '')) return { outcome: 'failed', reason: reason('OptedOut', detail) };
  if (e.name === 'ValidationException' || e.name === 'BadRequestException') return { outcome: 'failed', reason: reason('InvalidSendingParameters', detail) };
  return { outcome: 'failed', reason: reason('ProviderError', detail) };
}
