import type { PinpointClient } from '@aws-sdk/client-pinpoint';
import type { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { config } from '../config';
import { twilioCredentials } from '../secrets';
import type { ProviderName } from '../domain/types';
import { PinpointProvider } from './pinpoint';
import { EndUserMessagingProvider } from './end-user-messaging';
import { TwilioProvider } from './twilio';
import { SandboxProvider } from './sandbox';
import type { SmsProvider } from './sms-provider';

export type Providers = (name: ProviderName) => SmsProvider;

/** Where and how the provider clients connect; defaults come from the environment. */
export interface ProviderSettings {
  region: string;
  timeoutMs: number;
  pinpointApplicationId?: string | undefined;
  eumConfigurationSet?: string | undefined;
  /** Only for tests and emulators: AWS endpoints other than the region's. */
  pinpointEndpoint?: string | undefined;
  eumEndpoint?: string | undefined;
  twilioBaseUrl: string;
  twilioCredentials: typeof twilioCredentials;
  publicBaseUrl?: string | undefined;
}

function settingsFromConfig(): ProviderSettings {
  const c = config();
  return {
    region: c.AWS_REGION,
    timeoutMs: c.PROVIDER_TIMEOUT_MS,
    pinpointApplicationId: c.PINPOINT_APPLICATION_ID,
    eumConfigurationSet: c.EUM_CONFIGURATION_SET,
    twilioBaseUrl: c.TWILIO_API_BASE_URL,
    twilioCredentials,
    publicBaseUrl: c.PUBLIC_BASE_URL,
  };
}

/**
 * Providers for AWS. Clients make one attempt only: an SDK retry after a timeout could send the
 * same SMS twice, so a timeout becomes an `unknown` message instead.
 */
/**
 * A client whose SDK module loads with its first request: outbound-send's cold start pays only for the
 * providers a message actually uses (a Twilio or sandbox send never loads the AWS SMS clients).
 */
function lazyClient<C extends PinpointClient | PinpointSMSVoiceV2Client>(create: () => Promise<C>): C {
  let client: Promise<C> | undefined;
  return { send: async (command: unknown) => ((await (client ??= create())) as unknown as { send: (c: unknown) => Promise<unknown> }).send(command) } as unknown as C;
}

export function awsProviders(overrides: Partial<ProviderSettings> = {}): Providers {
  const s = { ...settingsFromConfig(), ...overrides };
  const clientOptions = (endpoint: string | undefined) => ({
    region: s.region,
    maxAttempts: 1,
    // Without throwOnRequestTimeout the Node handler only logs a warning and keeps waiting for the answer.
    requestHandler: { requestTimeout: s.timeoutMs, connectionTimeout: 2000, throwOnRequestTimeout: true },
    ...(endpoint ? { endpoint } : {}),
  });
  const cache = new Map<ProviderName, SmsProvider>();
  const build = (name: ProviderName): SmsProvider => {
    switch (name) {
      case 'pinpoint':
        if (!s.pinpointApplicationId) throw new Error('PINPOINT_APPLICATION_ID is not configured');
        return new PinpointProvider(lazyClient(() => import('@aws-sdk/client-pinpoint').then(({ PinpointClient }) => new PinpointClient(clientOptions(s.pinpointEndpoint)))), s.pinpointApplicationId);
      case 'eum':
        return new EndUserMessagingProvider(lazyClient(() => import('@aws-sdk/client-pinpoint-sms-voice-v2').then(({ PinpointSMSVoiceV2Client }) => new PinpointSMSVoiceV2Client(clientOptions(s.eumEndpoint)))), s.eumConfigurationSet);
      case 'twilio':
        return new TwilioProvider({
          baseUrl: s.twilioBaseUrl,
          credentials: s.twilioCredentials,
          statusCallbackUrl: s.publicBaseUrl ? `${s.publicBaseUrl.replace(/\/$/, '')}/callbacks/twilio/status` : undefined,
          timeoutMs: s.timeoutMs,
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
