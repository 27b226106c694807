import { parsePhoneNumberFromString as parseWithMetadata, type CountryCode, type MetadataJson } from 'libphonenumber-js/core';
import { HttpError } from './errors';
import { PHONE_METADATA_JSON } from './phone-metadata';

/** libphonenumber's "min" metadata (every country), parsed from its JSON text on the first number, not at load. */
let metadata: MetadataJson | undefined;
function parsePhoneNumberFromString(text: string, defaultCountry?: CountryCode) {
  metadata ??= JSON.parse(PHONE_METADATA_JSON) as MetadataJson;
  return parseWithMetadata(text, { defaultCountry }, metadata);
}

export const E164_PATTERN = /^\+[1-9]\d{1,14}$/;

export type E164 = string & { readonly __brand: 'E164' };

/**
 * National or international input → E.164, using the configured default region.
 * Uses libphonenumber's "min" metadata (every country; small bundle) which still checks lengths and leading digits per region.
 */
export function normalizePhone(input: string, defaultRegion: string): E164 | undefined {
  const trimmed = input.trim();
  if (trimmed.length === 0 || trimmed.length > 32 || /[a-z]{2,}/i.test(trimmed)) return undefined;
  const parsed = parsePhoneNumberFromString(trimmed, defaultRegion.toUpperCase() as CountryCode);
  if (!parsed || !parsed.isPossible()) return undefined;
  const e164 = parsed.number;
  return E164_PATTERN.test(e164) ? (e164 as E164) : undefined;
}

export function requirePhone(input: string, defaultRegion: string, field = 'phone'): E164 {
  const e164 = normalizePhone(input, defaultRegion);
  if (!e164) throw new HttpError('InvalidPhoneNumber', `${field}: "${input}" is not a phone number`, { field });
  return e164;
}

/** Strict check for destinations: what providers accept (ITU-T E.164 shape and a valid number). */
export function isSendableE164(value: string): boolean {
  if (!E164_PATTERN.test(value)) return false;
  const parsed = parsePhoneNumberFromString(value);
  return parsed !== undefined && parsed.isValid();
}

/**
 * The country a number belongs to, for what a destination can receive (MMS): libphonenumber's answer, or for
 * a North American number it cannot place (555 test ranges, new area codes) the US, whose plan it shares.
 */
export function regionOfNumber(e164: string): string | undefined {
  const parsed = parsePhoneNumberFromString(e164);
  return parsed?.country ?? (parsed?.countryCallingCode === '1' ? 'US' : undefined);
}

/** Where a number is registered: its country (when libphonenumber can place it), calling code and national number. */
export function numberParts(e164: string): { country?: string; callingCode: string; nationalNumber: string } | undefined {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return undefined;
  return { ...(parsed.country ? { country: parsed.country } : {}), callingCode: parsed.countryCallingCode, nationalNumber: parsed.nationalNumber };
}

/** Business numbers in a path may be written with `%2B`, `+`, or without the plus. */
export function phoneFromPath(raw: string, defaultRegion: string): E164 {
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    throw new HttpError('InvalidPhoneNumber', 'number: the path segment is not valid percent-encoding', { field: 'number' });
  }
  // A '+' left unencoded in a path arrives as a space once decoded as a form would be.
  decoded = decoded.replace(/^ /, '+').trim();
  const withPlus = /^\d{8,15}$/.test(decoded) ? `+${decoded}` : decoded;
  return requirePhone(withPlus, defaultRegion, 'number');
}
