import type { PinpointSMSVoiceV2Client} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { sdkFailure } from './pinpoint';
import type { OutboundSms, SendResult, SmsProvider } from './sms-provider';

/** AWS End User Messaging SMS (pinpoint-sms-voice-v2) SendTextMessage. */
export class EndUserMessagingProvider implements SmsProvider {
  readonly name = 'eum' as const;
  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly configurationSetName?: string,
  ) {}

  async send(sms: OutboundSms): Promise<SendResult> {
    // The End User Messaging SDK loads with the first send through it.
    const { SendTextMessageCommand, SendMediaMessageCommand } = await import('@aws-sdk/client-pinpoint-sms-voice-v2');
    try {
      const common = {
        DestinationPhoneNumber: sms.to,
        OriginationIdentity: sms.from,
        // Echoed into every event of this message.
        Context: { messageId: sms.messageId },
        ...(this.configurationSetName ? { ConfigurationSetName: this.configurationSetName } : {}),
      };
      const out = sms.media?.length
        ? // MMS: the service reads the file from the media bucket (its policy lets it, for this account only).
          await this.client.send(new SendMediaMessageCommand({ ...common, ...(sms.body ? { MessageBody: sms.body } : {}), MediaUrls: sms.media.map((file) => file.s3Uri!) }))
        : await this.client.send(new SendTextMessageCommand({ ...common, MessageBody: sms.body, MessageType: 'TRANSACTIONAL' }));
      if (!out.MessageId) return sdkFailure(new Error('no MessageId in the response'), 'End User Messaging');
      return { outcome: 'sent', providerMessageId: out.MessageId };
    } catch (error) {
      return sdkFailure(error, 'End User Messaging');
    }
  }
}
