import { createVerify } from 'node:crypto';
import * as z from 'zod/mini';

/** An SNS message as POSTed to an HTTPS subscription (spelling: SigningCertURL, SubscribeURL). */
export const snsHttpEnvelopeSchema = z.object({
  Type: z.enum(['Notification', 'SubscriptionConfirmation', 'UnsubscribeConfirmation']),
  MessageId: z.string().check(z.minLength(1), z.maxLength(128)),
  TopicArn: z.string().check(z.minLength(1), z.maxLength(512)),
  Subject: z.nullish(z.string().check(z.maxLength(512))),
  Message: z.string().check(z.maxLength(262_144)),
  Timestamp: z.string().check(z.minLength(1), z.maxLength(64)),
  // Version 1 (SHA1) is refused by the schema's caller: only version 2 verifies (contract, Provider callbacks).
  SignatureVersion: z.enum(['1', '2']),
  Signature: z.string().check(z.minLength(1), z.maxLength(4096)),
  SigningCertURL: z.string().check(z.minLength(1), z.maxLength(2048)),
  SubscribeURL: z.optional(z.string().check(z.maxLength(4096))),
  UnsubscribeURL: z.optional(z.string().check(z.maxLength(4096))),
  Token: z.optional(z.string().check(z.maxLength(2048))),
}).check(
  z.superRefine((message, context) => {
    // Confirmations are signed over Token and SubscribeURL: without them there is nothing to verify or confirm.
    if (message.Type === 'Notification') return;
    for (const field of ['Token', 'SubscribeURL'] as const) {
      if (!message[field]) context.addIssue({ code: 'custom', path: [field], message: `${message.Type} requires ${field}`, input: message });
    }
  }),
);
export type SnsHttpEnvelope = z.infer<typeof snsHttpEnvelopeSchema>;

/** An AWS region name: us-east-1, eu-central-2, us-gov-west-1, cn-northwest-1, us-isob-east-1… */
const REGION = '[a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\\d{1,2}';
const SNS_HOST = new RegExp(`^sns\\.${REGION}\\.amazonaws\\.com(?:\\.cn)?$`);
/** The whole signing-certificate URL: SNS's host for a region, its certificate path, nothing else (no query, fragment, port or userinfo). */
const SNS_CERT_URL = new RegExp(`^https://sns\\.${REGION}\\.amazonaws\\.com(?:\\.cn)?/SimpleNotificationService-[0-9a-f]{1,64}\\.pem$`);

/** Signing certificates are only ever fetched from exactly this shape of URL. */
export function isSnsCertificateUrl(value: string): boolean {
  return SNS_CERT_URL.test(value);
}

/** A SubscriptionConfirmation's SubscribeURL: SNS's ConfirmSubscription action on an SNS host, over HTTPS. */
export function isSnsSubscribeUrl(value: string, topicArn: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    url.protocol === 'https:' && url.port === '' && url.username === '' && url.password === '' && url.hash === '' &&
    SNS_HOST.test(url.hostname) && url.pathname === '/' &&
    url.searchParams.get('Action') === 'ConfirmSubscription' && url.searchParams.get('TopicArn') === topicArn
  );
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

/** Real SNS signing certificates are about 2 KB; anything far larger is refused unread. */
export const MAX_CERTIFICATE_BYTES = 16_384;
/** Certificates cached per process: SNS rotates them rarely, so a handful of URLs is all a function sees. */
export const MAX_CACHED_CERTIFICATES = 16;

/** GET over HTTPS with a timeout, no redirects, and at most `maxBytes` of body. */
export async function httpsFetchText(url: string, maxBytes = 65_536): Promise<string> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000), redirect: 'error' });
  if (!response.ok) throw new Error(`GET answered ${response.status}`);
  if (Number(response.headers.get('content-length') ?? 0) > maxBytes) throw new Error('response too large');
  const reader = response.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.byteLength;
    if (size > maxBytes) {
      await reader?.cancel();
      throw new Error('response too large');
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** How old an SNS message may be: older ones (and any from the future) are refused as replays. */
export const SNS_MAX_MESSAGE_AGE_MS = 60 * 60_000;

/** Whether a message's `Timestamp` is within the last hour (a replayed capture is not), allowing a little clock skew ahead. */
export function isFreshSnsMessage(timestamp: string, now: Date, skewMs = 60_000): boolean {
  const sent = Date.parse(timestamp);
  if (Number.isNaN(sent)) return false;
  return sent <= now.getTime() + skewMs && now.getTime() - sent <= SNS_MAX_MESSAGE_AGE_MS;
}

/** Verifies SNS signatures (version 2, RSA-SHA256) with certificates fetched once per URL and cached. */
export class SnsSignatureVerifier {
  private readonly certificates = new Map<string, Promise<string>>();

  /** How many certificates are cached (bounded by MAX_CACHED_CERTIFICATES). */
  get cachedCertificates(): number {
    return this.certificates.size;
  }

  constructor(private readonly fetchText: FetchText = (url) => httpsFetchText(url, MAX_CERTIFICATE_BYTES)) {}

  async verify(message: SnsHttpEnvelope): Promise<boolean> {
    // SHA1 signatures (version 1) are not accepted: the stack's topics sign with version 2.
    if (message.SignatureVersion !== '2' || !isSnsCertificateUrl(message.SigningCertURL)) return false;
    let certificate: string;
    try {
      certificate = await this.certificate(message.SigningCertURL);
    } catch {
      return false;
    }
    const verifier = createVerify('RSA-SHA256');
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
        if (pem.length > MAX_CERTIFICATE_BYTES || !pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('not a PEM certificate of a plausible size');
        return pem;
      });
      pending.catch(() => this.certificates.delete(url));
      // Bounded: the oldest entry goes first (Map keeps insertion order).
      if (this.certificates.size >= MAX_CACHED_CERTIFICATES) this.certificates.delete(this.certificates.keys().next().value!);
      this.certificates.set(url, pending);
    }
    return pending;
  }
}
