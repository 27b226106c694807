import { lambdaContext } from './api';
import { createHandler as createInbound } from '../../functions/inbound/handler';
import type { Deps } from '../../shared/deps';

let sequence = 0;

/** The SNS → Lambda event of the two-way SMS topic (Records[].Sns.Message is the payload as a JSON string). */
export function twoWaySnsEvent(payload: { from: string; to: string; body: string; id?: string }) {
  const inboundMessageId = payload.id ?? `in-${Date.now()}-${sequence++}`;
  return {
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: 'arn:aws:sns:us-east-1:123456789012:inbound-sms:3b1c',
        Sns: {
          Type: 'Notification',
          MessageId: `sns-${inboundMessageId}`,
          TopicArn: 'arn:aws:sns:us-east-1:123456789012:inbound-sms',
          Subject: null,
          Message: JSON.stringify({
            originationNumber: payload.from,
            destinationNumber: payload.to,
            messageKeyword: 'KEYWORD_123456789012',
            messageBody: payload.body,
            inboundMessageId,
            previousPublishedMessageId: 'prev-1',
          }),
          Timestamp: new Date().toISOString(),
          SignatureVersion: '1',
          Signature: 'unused-for-lambda',
          SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem',
          UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
          MessageAttributes: {},
        },
      },
    ],
  };
}

export function inboundSender(deps: Deps) {
  const handler = createInbound(deps);
  return async (payload: { from: string; to: string; body: string; id?: string }) => {
    const result = (await handler(twoWaySnsEvent(payload) as never, lambdaContext)) as { outcomes: string[] };
    return result.outcomes[0];
  };
}
