import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Twilio's request signature: base64(HMAC-SHA1(authToken, url + each POST param sorted by name,
 * as name+value)). Repeated names keep all values, sorted. Blank values are included.
 */
export function twilioSignature(authToken: string, url: string, params: ReadonlyArray<readonly [string, string]>): string {
  const sorted = [...params].sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  const data = url + sorted.map(([name, value]) => name + value).join('');
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** Twilio's SDKs accept the URL with and without the default port; so do we. */
function urlVariants(url: string): string[] {
  const match = /^(https?):\/\/([^/:?#]+)(?::(\d+))?(.*)$/i.exec(url);
  if (!match) return [url];
  const [, scheme, host, port, rest] = match as unknown as [string, string, string, string | undefined, string];
  const defaultPort = scheme.toLowerCase() === 'https' ? '443' : '80';
  if (port === undefined) return [url, `${scheme}://${host}:${defaultPort}${rest}`];
  if (port === defaultPort) return [url, `${scheme}://${host}${rest}`];
  return [url];
}

export function verifyTwilioSignature(authToken: string, url: string, params: ReadonlyArray<readonly [string, string]>, signature: string | undefined): boolean {
  if (!signature) return false;
  const given = Buffer.from(signature);
  return urlVariants(url).some((candidate) => {
    const expected = Buffer.from(twilioSignature(authToken, candidate, params));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}
