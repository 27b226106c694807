import { receiveInbound } from '../receive-inbound';
import { fromTwoWaySms, twoWaySmsSchema } from '../../providers/inbound-formats';
import type { SmsNotificationPath } from '../route-sms-notification';

/** A two-way inbound SMS (Pinpoint / End User Messaging format). */
export const inboundSmsPath: SmsNotificationPath = async (deps, payload) => {
  const inbound = twoWaySmsSchema.safeParse(payload);
  return inbound.success ? { kind: 'inbound', result: await receiveInbound(deps, fromTwoWaySms(inbound.data)) } : undefined;
};
