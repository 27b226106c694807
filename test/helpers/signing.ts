export { makeSigningCertificate, signSns, TEST_CERT_URL } from '../../scripts/local/sns-signing';
import { twilioSignature } from '../../shared/providers/twilio-signature';

/** A Twilio-signed form POST, as Twilio would send it to `url`. */
export function signedTwilioForm(authToken: string, url: string, fields: Record<string, string>) {
  const body = new URLSearchParams(fields).toString();
  return { body, signature: twilioSignature(authToken, url, Object.entries(fields)) };
}
