import { describe, expect, it } from 'vitest';
import { twilioSignature, verifyTwilioSignature } from '../../shared/providers/twilio-signature';

// The example from Twilio's documentation / twilio-python's tests (see PROVIDER_FORMATS.md, E).
const token = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = [
  ['CallSid', 'CA1234567890ABCDE'],
  ['Caller', '+14158675309'],
  ['Digits', '1234'],
  ['From', '+14158675309'],
  ['To', '+18005551212'],
] as const;

describe('Twilio request signature', () => {
  it('reproduces the published example', () => {
    expect(twilioSignature(token, url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
    expect(verifyTwilioSignature(token, url, params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
  });

  it('accepts the URL with the default port written out', () => {
    expect(verifyTwilioSignature(token, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params, 'RSOYDt4T1cUTdK1PDd93/VVr8B8=')).toBe(true);
  });

  it('refuses a changed body, URL or token', () => {
    const sig = 'RSOYDt4T1cUTdK1PDd93/VVr8B8=';
    expect(verifyTwilioSignature(token, url, [...params.slice(0, 4), ['To', '+18005551213']], sig)).toBe(false);
    expect(verifyTwilioSignature(token, 'https://mycompany.com/myapp.php?foo=1&bar=3', params, sig)).toBe(false);
    expect(verifyTwilioSignature('54321', url, params, sig)).toBe(false);
    expect(verifyTwilioSignature(token, url, params, undefined)).toBe(false);
  });
});
