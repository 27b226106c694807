import { describe, expect, it } from 'vitest';
import { canTransition, finalStatuses } from '../../shared/domain/status';
import { messageStatuses } from '../../shared/domain/messages';
import { fromEumEvent, fromPinpointEvent, fromTwilioStatus, parseAwsSmsEvent } from '../../shared/providers/delivery-report-formats';

describe('status transitions (contract: final statuses never move)', () => {
  it('never moves a final status, whatever the report', () => {
    for (const final of finalStatuses) for (const next of messageStatuses) expect(canTransition(final, next), `${final} → ${next}`).toBe(false);
  });

  it('moves forward only: queued → sent → delivered / failed / undelivered', () => {
    expect(canTransition('queued', 'sent')).toBe(true);
    expect(canTransition('sent', 'delivered')).toBe(true);
    expect(canTransition('queued', 'failed')).toBe(true);
    expect(canTransition('sent', 'queued')).toBe(false);
    expect(canTransition('sent', 'sent')).toBe(false);
  });

  it('leaves unknown on any later news, and a sent message may become unknown', () => {
    expect(canTransition('unknown', 'sent')).toBe(true);
    expect(canTransition('unknown', 'delivered')).toBe(true);
    expect(canTransition('sent', 'unknown')).toBe(true);
    expect(canTransition('received', 'delivered')).toBe(false);
  });
});

describe('provider report mapping', () => {
  it('Twilio statuses and error codes', () => {
    const base = { MessageSid: 'SM1', AccountSid: 'AC1' };
    expect(fromTwilioStatus({ ...base, MessageStatus: 'read' }).status).toBe('delivered');
    expect(fromTwilioStatus({ ...base, MessageStatus: 'sending' }).status).toBe('queued');
    expect(fromTwilioStatus({ ...base, MessageStatus: 'undelivered', ErrorCode: '30005' })).toMatchObject({ status: 'undelivered', statusReason: { code: 'InvalidSendingParameters' } });
    expect(fromTwilioStatus({ ...base, MessageStatus: 'failed', ErrorCode: '21610' }).statusReason?.code).toBe('OptedOut');
    expect(fromTwilioStatus({ ...base, MessageStatus: 'failed', ErrorCode: '99999' }).statusReason?.code).toBe('ProviderError');
  });

  it('End User Messaging event types', () => {
    const event = (eventType: string) => ({ eventType, eventTimestamp: 1764065412000, messageId: 'm1' });
    expect(fromEumEvent(event('TEXT_SUCCESSFUL')).status).toBe('delivered');
    expect(fromEumEvent(event('TEXT_PENDING')).status).toBe('sent');
    expect(fromEumEvent(event('TEXT_TTL_EXPIRED')).statusReason?.code).toBe('Expired');
    expect(fromEumEvent(event('TEXT_SPAM')).statusReason?.code).toBe('Spam');
    expect(fromEumEvent(event('TEXT_PROTECT_BLOCKED')).statusReason?.code).toBe('Blocked');
    expect(fromEumEvent(event('TEXT_UNKNOWN')).status).toBe('unknown');
  });

  it('Pinpoint event types decide first, record_status gives the reason', () => {
    const event = (event_type: string, record_status?: string) => ({ event_type, event_timestamp: 1764065412000, attributes: { message_id: 'm1', ...(record_status ? { record_status } : {}) } });
    expect(fromPinpointEvent(event('_SMS.BUFFERED', 'SUCCESSFUL')).status).toBe('sent');
    expect(fromPinpointEvent(event('_SMS.SUCCESS', 'DELIVERED')).status).toBe('delivered');
    expect(fromPinpointEvent(event('_SMS.SUCCESS', 'UNKNOWN')).status).toBe('unknown');
    expect(fromPinpointEvent(event('_SMS.FAILURE', 'TTL_EXPIRED')).statusReason?.code).toBe('Expired');
    expect(fromPinpointEvent(event('_SMS.OPTOUT')).statusReason?.code).toBe('OptedOut');
  });

  it('ignores payloads that are not SMS events', () => {
    expect(parseAwsSmsEvent({ event_type: '_email.send', event_timestamp: 1, attributes: { message_id: 'x' } })).toBeUndefined();
    expect(parseAwsSmsEvent({ originationNumber: '+1', messageBody: 'hi' })).toBeUndefined();
  });
});
