import { reason } from '../domain/status';
import { twilioErrorReason } from './twilio-errors';
import type { TwilioCredentials } from '../secrets';
import { isAmbiguousFailure, type OutboundSms, type SendResult, type SmsProvider } from './sms-provider';


/** Twilio Programmable Messaging: POST /2010-04-01/Accounts/{sid}/Messages.json with a status callback. */
export class TwilioProvider implements SmsProvider {
  readonly name = 'twilio' as const;
  constructor(
    private readonly options: { baseUrl: string; credentials: () => Promise<TwilioCredentials>; statusCallbackUrl?: string | undefined; timeoutMs: number },
  ) {}

  async send(sms: OutboundSms): Promise<SendResult> {
    const { accountSid, authToken } = await this.options.credentials();
    const form = new URLSearchParams({ To: sms.to, From: sms.from, Body: sms.body });
    if (this.options.statusCallbackUrl) form.set('StatusCallback', this.options.statusCallbackUrl);
    // MMS: Twilio fetches each file from its URL when it sends the message.
    for (const file of sms.media ?? []) if (file.url) form.append('MediaUrl', file.url);
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl.replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: form.toString(),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      const detail = `Twilio ${(error as Error).name}: ${(error as Error).message}`;
      // A request that left us may have reached Twilio: report unknown, never resend.
      return { outcome: 'unknown', reason: reason(isAmbiguousFailure(error) || (error as Error).name === 'TypeError' ? 'ProviderTimeout' : 'ProviderError', detail) };
    }
    const payload = (await response.json().catch(() => ({}))) as { sid?: string; code?: number; message?: string; status?: string };
    if (response.ok && payload.sid) return { outcome: 'sent', providerMessageId: payload.sid };
    const detail = `Twilio ${response.status}${payload.code ? ` error ${payload.code}` : ''}${payload.message ? `: ${payload.message}` : ''}`;
    if (response.status >= 500) return { outcome: 'unknown', reason: reason('ProviderTimeout', detail) };
    if (response.status === 429) return { outcome: 'failed', reason: reason('Throttled', detail) };
    return { outcome: 'failed', reason: reason(twilioErrorReason(payload.code), detail) };
  }
}
