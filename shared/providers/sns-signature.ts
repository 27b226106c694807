import { createVerify } from 'node:crypto';
import * as z from 'zod';

/** An SNS message as POSTed to an HTTPS subscription (spelling: SigningCertURL, SubscribeURL). */
export const snsHttpEnvelopeSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1).max(128),
  TopicArn: z.string().min(1).max(512),
  Subject: z.string().max(512).nullish(),
  Message: z.string().max(262_144),
  Timestamp: z.string().min(1).max(64),
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().min(1).max(4096),
  SigningCertURL: z.string().min(1).max(2048),
  SubscribeURL: z.string().max(4096).optional(),
  UnsubscribeURL: z.string().max(4096).optional(),
  Token: z.string().max(2048).optional(),
});
export type SnsHttpEnvelope = z.infer<typeof snsHttpEnvelopeSchema>;

const SNS_HOST = /^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** Certificates and confirmation links are only ever fetched from an SNS HTTPS host of AWS. */
export function isSnsUrl(value: string, options: { pem?: boolean } = {}): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === 'https:' && url.port === '' && url.username === '' && SNS_HOST.test(url.hostname) && (!options.pem || url.pathname.endsWith('.pem'));
}

/** The canonical string SNS signs, per message type (AWS docs, "Verifying the signatures of Amazon SNS messages"). */
export function snsStringToSign(message: SnsHttpEnvelope): string {
  const fields =
    message.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const);
  let out = '';
  for (const field of fields) {
    const value = message[field];
    if (value === undefined || value === null) continue;
    out += `${field}\n${value}\n`;
  }
  return out;
}

export type FetchText = (url: string) => Promise<string>;

export const httpsFetchText: FetchText = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return response.text();
};

/** Verifies SNS signatures (versions 1 and 2) with certificates fetched once per URL and cached. */
export class SnsSignatureVerifier {
  private readonly certificates = new Map<string, Promise<string>>();

  constructor(private readonly fetchText: FetchText = httpsFetchText) {}

  async verify(message: SnsHttpEnvelope): Promise<boolean> {
    if (!isSnsUrl(message.SigningCertURL, { pem: true })) return false;
    let certificate: string;
    try {
      certificate = await this.certificate(message.SigningCertURL);
    } catch {
      return false;
    }
    const verifier = createVerify(message.SignatureVersion === '1' ? 'RSA-SHA1' : 'RSA-SHA256');
    verifier.update(snsStringToSign(message), 'utf8');
    try {
      return verifier.verify(certificate, message.Signature, 'base64');
    } catch {
      return false;
    }
  }

  private certificate(url: string): Promise<string> {
    let pending = this.certificates.get(url);
    if (!pending) {
      pending = this.fetchText(url).then((pem) => {
        if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not a PEM certificate');
        return pem;
      });
      pending.catch(() => this.certificates.delete(url));
      this.certificates.set(url, pending);
    }
    return pending;
  }
}
