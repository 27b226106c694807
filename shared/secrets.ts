import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { config } from './config';
import { HttpError } from './domain/errors';

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
}

const CACHE_MS = 5 * 60_000;
const cache = new Map<string, { value: string; until: number }>();
let client: SecretsManagerClient | undefined;

/** A secret's string, cached per warm Lambda so a burst of callbacks costs one Secrets Manager call. */
export async function secretString(arn: string): Promise<string> {
  const hit = cache.get(arn);
  if (hit && hit.until > Date.now()) return hit.value;
  // Loaded on the first secret read (a separate chunk of the bundle), not at every cold start's init.
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  client ??= new SecretsManagerClient({ region: config().AWS_REGION });
  const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!SecretString) throw new Error(`secret ${arn} has no string value`);
  cache.set(arn, { value: SecretString, until: Date.now() + CACHE_MS });
  return SecretString;
}

/**
 * Twilio credentials: from Secrets Manager in AWS, from the environment in the local stack and
 * tests. Never baked into code or plain Lambda environment variables.
 */
export async function twilioCredentials(): Promise<TwilioCredentials> {
  const { TWILIO_SECRET_ARN, TWILIO_AUTH_TOKEN, TWILIO_ACCOUNT_SID } = config();
  if (TWILIO_SECRET_ARN) {
    const secret = JSON.parse(await secretString(TWILIO_SECRET_ARN)) as Partial<TwilioCredentials>;
    // The stack creates the secret with empty fields: until an operator sets them, Twilio is "not configured yet".
    // Not cached then: callbacks start working as soon as the secret is set, not five minutes later.
    if (!secret.authToken || !secret.accountSid) {
      cache.delete(TWILIO_SECRET_ARN);
      throw new HttpError('NotConfigured', 'Twilio is not configured yet: set {"accountSid","authToken"} in the Twilio secret');
    }
    return { accountSid: secret.accountSid, authToken: secret.authToken };
  }
  return { accountSid: TWILIO_ACCOUNT_SID ?? 'AC00000000000000000000000000000000', authToken: TWILIO_AUTH_TOKEN ?? 'local-twilio-token' };
}

/** Key that signs pagination cursors. */
export async function cursorSigningKey(): Promise<string> {
  const { CURSOR_SECRET_ARN, CURSOR_SIGNING_KEY } = config();
  if (CURSOR_SECRET_ARN) return secretString(CURSOR_SECRET_ARN);
  return CURSOR_SIGNING_KEY ?? 'local-cursor-signing-key';
}

/** Tests: forget what was read (each function in AWS has its own cache). */
export function forgetCachedSecrets(): void {
  cache.clear();
}
