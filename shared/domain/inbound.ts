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
