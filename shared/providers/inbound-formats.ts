import * as z from 'zod';
import { HttpError } from '../domain/errors';
import { normalizePhone } from '../domain/phone';
import type { InboundSms } from '../domain/inbound';
import { MAX_MEDIA_PER_MESSAGE } from '../domain/media';

/** Pinpoint / End User Messaging two-way SMS payload (PROVIDER_FORMATS.md, A). */
export const twoWaySmsSchema = z.object({
  originationNumber: z.string().min(1).max(40),
  destinationNumber: z.string().min(1).max(40),
  messageKeyword: z.string().max(256).nullish(),
  messageBody: z.string().max(10_000),
  inboundMessageId: z.string().min(1).max(256),
  previousPublishedMessageId: z.string().max(256).nullish(),
});

/** Twilio's inbound message webhook (form fields; PROVIDER_FORMATS.md, E). Unknown fields are allowed. */
export const twilioInboundSchema = z.object({
  MessageSid: z.string().min(1).max(64),
  AccountSid: z.string().min(1).max(64),
  From: z.string().min(1).max(40),
  To: z.string().min(1).max(40),
  Body: z.string().max(10_000).default(''),
  NumMedia: z.string().regex(/^(10|\d)$/, 'NumMedia is 0 to 10').optional(),
  ...Object.fromEntries(
    Array.from({ length: MAX_MEDIA_PER_MESSAGE }, (_, i) => [
      [`MediaUrl${i}`, z.string().url().max(2048).optional()],
      [`MediaContentType${i}`, z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'a MIME type').max(255).optional()],
    ]).flat(),
  ) as Record<`MediaUrl${number}` | `MediaContentType${number}`, z.ZodOptional<z.ZodString>>,
});

function e164(value: string, field: string): string {
  const normalized = normalizePhone(value, 'US');
  if (!normalized || !value.trim().startsWith('+')) throw new HttpError('ValidationError', `${field}: "${value}" is not an E.164 number`);
  return normalized;
}

export function fromTwoWaySms(payload: z.infer<typeof twoWaySmsSchema>): InboundSms {
  return {
    provider: 'aws-sms',
    providerMessageId: payload.inboundMessageId,
    from: e164(payload.originationNumber, 'originationNumber'),
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
  return { provider: 'twilio', providerMessageId: form.MessageSid, from: e164(form.From, 'From'), to: e164(form.To, 'To'), body: form.Body, ...(media.length ? { media } : {}) };
}

/** Parses the JSON inside an SNS `Message`; a body that is not JSON is a validation error. */
export function parseJsonMessage(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('ValidationError', 'the SNS Message is not JSON');
  }
}
