import * as z from 'zod/mini';
import { HttpError } from '../domain/errors';
import { normalizePhone } from '../domain/phone';
import { isSenderId, type InboundSms } from '../domain/inbound';
import { MAX_MEDIA_PER_MESSAGE } from '../domain/media';

/** Pinpoint / End User Messaging two-way SMS payload (PROVIDER_FORMATS.md, A). */
export const twoWaySmsSchema = z.object({
  originationNumber: z.string().check(z.minLength(1), z.maxLength(40)),
  destinationNumber: z.string().check(z.minLength(1), z.maxLength(40)),
  messageKeyword: z.nullish(z.string().check(z.maxLength(256))),
  messageBody: z.string().check(z.maxLength(10_000)),
  inboundMessageId: z.string().check(z.minLength(1), z.maxLength(256)),
  previousPublishedMessageId: z.nullish(z.string().check(z.maxLength(256))),
});

/** Twilio's inbound message webhook (form fields; PROVIDER_FORMATS.md, E). Unknown fields are allowed. */
export const twilioInboundSchema = z.object({
  MessageSid: z.string().check(z.minLength(1), z.maxLength(64)),
  AccountSid: z.string().check(z.minLength(1), z.maxLength(64)),
  From: z.string().check(z.minLength(1), z.maxLength(40)),
  To: z.string().check(z.minLength(1), z.maxLength(40)),
  Body: z._default(z.string().check(z.maxLength(10_000)), ''),
  NumMedia: z.optional(z.string().check(z.regex(/^(10|\d)$/, 'NumMedia is 0 to 10'))),
  ...Object.fromEntries(
    Array.from({ length: MAX_MEDIA_PER_MESSAGE }, (_, i) => [
      [`MediaUrl${i}`, z.optional(z.url().check(z.maxLength(2048)))],
      [`MediaContentType${i}`, z.optional(z.string().check(z.regex(/^[\w.+-]+\/[\w.+-]+$/, 'a MIME type'), z.maxLength(255)))],
    ]).flat(),
  ) as Record<`MediaUrl${number}` | `MediaContentType${number}`, z.ZodMiniOptional<z.ZodMiniType<string>>>,
});

function e164(value: string, field: string): string {
  const normalized = normalizePhone(value, 'US');
  if (!normalized || !value.trim().startsWith('+')) throw new HttpError('ValidationError', `${field}: "${value}" is not an E.164 number`);
  return normalized;
}

/** The customer: a phone number (E.164), or a sender id that is not one (`AMAZON`, `72345`), kept as received. */
function sender(value: string, field: string): string {
  const trimmed = value.trim();
  return isSenderId(trimmed) ? trimmed : e164(value, field);
}

export function fromTwoWaySms(payload: z.infer<typeof twoWaySmsSchema>): InboundSms {
  return {
    provider: 'aws-sms',
    providerMessageId: payload.inboundMessageId,
    from: sender(payload.originationNumber, 'originationNumber'),
    to: e164(payload.destinationNumber, 'destinationNumber'),
    body: payload.messageBody,
  };
}

export function fromTwilioInbound(form: z.infer<typeof twilioInboundSchema>): InboundSms {
  const media: { url: string; contentType: string }[] = [];
  for (let i = 0; i < Number(form.NumMedia ?? '0'); i++) {
    const fields = form as Record<string, string | undefined>;
    const url = fields[`MediaUrl${i}`];
    const contentType = fields[`MediaContentType${i}`];
    if (!url || !contentType) throw new HttpError('ValidationError', `NumMedia is ${form.NumMedia} but MediaUrl${i} or MediaContentType${i} is missing`);
    media.push({ url, contentType: contentType.toLowerCase() });
  }
  return { provider: 'twilio', providerMessageId: form.MessageSid, from: sender(form.From, 'From'), to: e164(form.To, 'To'), body: form.Body, ...(media.length ? { media } : {}) };
}
