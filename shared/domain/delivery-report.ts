import type { MessageStatus, StatusReason } from './messages';
import type { ProviderName } from './types';

/** A provider's word on an outbound message, whatever format it came in. */
export interface DeliveryReport {
  provider: ProviderName;
  providerMessageId: string;
  status: MessageStatus;
  statusReason?: StatusReason;
  occurredAt: string;
}
