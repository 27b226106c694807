import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TemplateModel, type CfnTemplate } from '../../scripts/local/synthesized-template';
import { runAsFunction } from '../../scripts/local/function-scope';
import { forgetCachedSecrets, secretString } from '../../shared/secrets';

/**
 * Secrets Manager has no local engine: tests hand the functions their secrets. Here each function whose template
 * environment names a secret reads it through the real reader, as that function: the IAM check (test/iam) then
 * evaluates every GetSecretValue against the function's synthesized role, so a missing grant fails here.
 */
const secrets = mockClient(SecretsManagerClient);
afterAll(() => secrets.restore());

describe('every function may read the secrets its environment names, and only those', () => {
  const model = new TemplateModel(JSON.parse(readFileSync(inject('iamTemplatePath'), 'utf8')) as CfnTemplate);
  const readers = [...model.functions().values()].flatMap((fn) => Object.entries(fn.environment).filter(([name]) => name.endsWith('_SECRET_ARN')).map(([name, arn]) => ({ fn: fn.name, name, arn })));

  it('names the readers the code has: the cursor key (API functions that page) and the Twilio credentials (sending, callbacks, copying)', () => {
    const byFunction = (name: string) => readers.filter((r) => r.name === name).map((r) => r.fn).sort();
    expect(byFunction('CURSOR_SECRET_ARN')).toEqual(['directory', 'privacy', 'seller-api']);
    expect(byFunction('TWILIO_SECRET_ARN')).toEqual(['media-copier', 'outbound-send', 'scheduled-send', 'twilio-callbacks']);
  });

  it('each reads its secret with GetSecretValue, as its own role allows', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"accountSid":"AC1","authToken":"t"}' });
    for (const reader of readers) {
      forgetCachedSecrets();
      expect(await runAsFunction(reader.fn, () => secretString(reader.arn)), reader.fn).toContain('AC1');
    }
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(readers.length);
  });
});
