import { randomUUID } from 'node:crypto';
import type { DeliveryReport } from './delivery-report-formats';
import { reason } from '../domain/status';
import type { OutboundSms, SendResult, SmsProvider } from './sms-provider';

export interface SandboxOutboxEntry extends OutboundSms {
  providerMessageId: string;
  acceptedAt: string;
  report?: DeliveryReport;
}

/**
 * The local provider: sends nothing out, keeps what it accepted, and reports each message
 * `delivered`, except destinations ending in 0999, which end `failed` with CarrierUnreachable.
 */
export class SandboxProvider implements SmsProvider {
  readonly name = 'sandbox' as const;
  readonly outbox: SandboxOutboxEntry[] = [];

  constructor(private readonly onReport?: (report: DeliveryReport) => Promise<unknown>) {}

  async send(sms: OutboundSms): Promise<SendResult> {
    // The outbox shows each file by id and type (contract, "Local stack only").
    const entry: SandboxOutboxEntry = { ...sms, ...(sms.media ? { media: sms.media.map(({ id, contentType, size }) => ({ id, contentType, size })) } : {}), providerMessageId: `SB${randomUUID().replace(/-/g, '')}`, acceptedAt: new Date().toISOString() };
    this.outbox.push(entry);
    const report: DeliveryReport = sms.to.endsWith('0999')
      ? { provider: 'sandbox', providerMessageId: entry.providerMessageId, status: 'failed', statusReason: reason('CarrierUnreachable', 'sandbox: destinations ending in 0999 fail'), occurredAt: new Date().toISOString() }
      : { provider: 'sandbox', providerMessageId: entry.providerMessageId, status: 'delivered', occurredAt: new Date().toISOString() };
    entry.report = report;
    // Reported after the send returns, as a real provider's callback would be.
    if (this.onReport) setTimeout(() => void this.onReport!(report).catch((error: unknown) => console.error('sandbox report failed', error)), 50);
    return { outcome: 'sent', providerMessageId: entry.providerMessageId };
  }
}
