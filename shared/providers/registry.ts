import { PinpointClient } from '@aws-sdk/client-pinpoint';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { config } from '../config';
import { twilioCredentials } from '../secrets';
import type { ProviderName } from '../store/directory-store';
import { PinpointProvider } from './pinpoint';
import { EndUserMessagingProvider } from './end-user-messaging';
import { TwilioProvider } from './twilio';
import { SandboxProvider } from './sandbox';
import type { SmsProvider } from './sms-provider';

export type Providers = (name: ProviderName) => SmsProvider;

/**
 * Providers for AWS. Clients make one attempt only: an SDK retry after a timeout could send the
 * same SMS twice, so a timeout becomes an `unknown` message instead.
 */
export function awsProviders(): Providers {
  const c = config();
  const clientOptions = { region: c.AWS_REGION, maxAttempts: 1, requestHandler: { requestTimeout: c.PROVIDER_TIMEOUT_MS, connectionTimeout: 2000 } };
  const cache = new Map<ProviderName, SmsProvider>();
  const build = (name: ProviderName): SmsProvider => {
    switch (name) {
      case 'pinpoint':
        if (!c.PINPOINT_APPLICATION_ID) throw new Error('PINPOINT_APPLICATION_ID is not configured');
        return new PinpointProvider(new PinpointClient(clientOptions), c.PINPOINT_APPLICATION_ID);
      case 'eum':
        return new EndUserMessagingProvider(new PinpointSMSVoiceV2Client(clientOptions), c.EUM_CONFIGURATION_SET);
      case 'twilio':
        return new TwilioProvider({
          baseUrl: c.TWILIO_API_BASE_URL,
          credentials: twilioCredentials,
          statusCallbackUrl: c.PUBLIC_BASE_URL ? `${c.PUBLIC_BASE_URL.replace(/\/$/, '')}/callbacks/twilio/status` : undefined,
          timeoutMs: c.PROVIDER_TIMEOUT_MS,
        });
      case 'sandbox':
        return new SandboxProvider();
    }
  };
  return (name) => {
    let provider = cache.get(name);
    if (!provider) cache.set(name, (provider = build(name)));
    return provider;
  };
}
