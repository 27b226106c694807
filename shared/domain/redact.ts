/**
 * Log redaction: no phone number and no message text ever reaches a log line. Numbers keep their last
 * four digits (enough to tell two apart while debugging); fields that carry message text are withheld.
 */
const PHONE_LIKE = [
  // International form: a plus, then digits with the usual separators.
  /\+\d[\d\s().-]{5,22}\d/g,
  // North American national forms: (425) 555-0123, 425-555-0123, 425.555.0123.
  /(?<![\w:.-])\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?![\w:-])/g,
  // Bare runs of 7 to 15 digits (national numbers, E.164 without its plus).
  /(?<![\w.:-])\d{7,15}(?![\w:-])/g,
];

/** Keys whose values are message text, in our items and in provider payloads. */
const TEXT_KEYS = new Set(['body', 'Body', 'messageBody', 'MessageBody', 'lastMessagePreview', 'preview', 'text']);

export function maskPhoneNumbers(text: string): string {
  let out = text;
  for (const pattern of PHONE_LIKE) out = out.replace(pattern, (match) => `…${match.replace(/\D/g, '').slice(-4)}`);
  return out;
}

/** The JSON replacer every log line passes through (shared/observability.ts). */
export function redactLogValue(key: string, value: unknown): unknown {
  if (TEXT_KEYS.has(key) && typeof value === 'string') return `[withheld: ${value.length} characters]`;
  return typeof value === 'string' ? maskPhoneNumbers(value) : value;
}
