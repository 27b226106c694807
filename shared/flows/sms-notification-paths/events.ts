import { applyDeliveryReport } from '../apply-delivery-report';
import { parseAwsSmsEvent } from '../../providers/delivery-report-formats';
import type { SmsNotificationPath } from '../route-sms-notification';

/** An SMS event (End User Messaging event destination or Pinpoint event stream). */
export const smsEventPath: SmsNotificationPath = async (deps, payload) => {
  const report = parseAwsSmsEvent(payload);
  return report ? { kind: 'report', outcome: await applyDeliveryReport(deps, report) } : undefined;
};
