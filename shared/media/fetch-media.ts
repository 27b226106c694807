import { BlockList, isIP } from 'node:net';
import { promises as dns } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { MAX_MEDIA_BYTES } from '../domain/media';

export interface MediaFetchOptions {
  timeoutMs: number;
  maxBytes?: number;
  /** Hosts the provider's media URLs may name (the first URL only; redirects go where the provider sends them). */
  allowedHosts: readonly string[];
  /** Local stack and tests: plain http, IP literals, and loopback addresses (this machine's own servers); no other private address. */
  allowInsecure?: boolean;
  /** How names resolve (tests give their own); the system's DNS by default. */
  resolve?: Resolve;
  /** HTTP Basic credentials for a host that requires them (Twilio accounts that enforce media auth). */
  credentialsFor?: (host: string) => Promise<{ user: string; password: string } | undefined>;
}

/** Why a file could not be copied; `retryable` failures are tried again, up to the copier's bound. */
export class MediaFetchError extends Error {
  constructor(
    readonly code: 'MediaNotFound' | 'MediaHttpError' | 'MediaTimeout' | 'MediaTooLarge' | 'MediaUrlRefused' | 'MediaNetworkError',
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

const MAX_REDIRECTS = 5;

/** DNS as the fetch sees it: every address a name resolves to. Tests give names addresses of their choosing. */
export type Resolve = (hostname: string) => Promise<{ address: string; family: number }[]>;
const systemResolve: Resolve = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * Downloads one provider file: only from an allowed host, following redirects by hand (each hop
 * re-checked: https, no IP literal; credentials never leave the host they belong to), every hop's name
 * resolved and refused if any address is private, loopback, link-local or IPv4-mapped private, and the
 * connection made to the address that was checked (no second lookup a rebinding DNS could answer
 * differently); a timeout over the whole transfer and a size cap enforced while reading.
 */
export async function fetchMedia(url: string, options: MediaFetchOptions): Promise<{ bytes: Uint8Array; contentType: string }> {
  const maxBytes = options.maxBytes ?? MAX_MEDIA_BYTES;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let current = checkedUrl(url, options, true);
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const credentials = await options.credentialsFor?.(current.host);
      const response = await get(current, {
        signal,
        headers: credentials ? { authorization: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` } : {},
        lookup: pinnedLookup(options),
      });
      const location = response.headers.location;
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && location) {
        response.resume();
        current = checkedUrl(new URL(location, current).toString(), options, false);
        continue;
      }
      if (status === 404) throw new MediaFetchError('MediaNotFound', 'the provider answered 404 for the file', true);
      if (status < 200 || status >= 300) {
        response.resume();
        throw new MediaFetchError('MediaHttpError', `the provider answered ${status} for the file`, status >= 500 || status === 429 || status === 408);
      }
      const declared = Number(response.headers['content-length'] ?? '0');
      if (declared > maxBytes) throw new MediaFetchError('MediaTooLarge', `the file is larger than ${maxBytes} bytes`, false);
      const bytes = await readCapped(response, maxBytes);
      return { bytes, contentType: response.headers['content-type']?.split(';')[0]?.trim() || 'application/octet-stream' };
    }
    throw new MediaFetchError('MediaHttpError', `more than ${MAX_REDIRECTS} redirects`, false);
  } catch (error) {
    if (error instanceof MediaFetchError) throw error;
    if ((error as { cause?: unknown }).cause instanceof MediaFetchError) throw (error as { cause: MediaFetchError }).cause;
    if (signal.aborted) throw new MediaFetchError('MediaTimeout', `the file did not arrive within ${options.timeoutMs} ms`, true);
    throw new MediaFetchError('MediaNetworkError', 'the file could not be fetched', true);
  }
}

type Lookup = NonNullable<RequestOptions['lookup']>;

/** The connection's own DNS lookup: resolves, refuses any non-public address, and hands the socket exactly the addresses checked. */
function pinnedLookup(options: MediaFetchOptions): Lookup {
  const resolve = options.resolve ?? systemResolve;
  return ((hostname: string, lookupOptions: { all?: boolean }, callback: (error: Error | null, address: string | { address: string; family: number }[], family?: number) => void) => {
    resolve(hostname)
      .then((addresses) => {
        const refused = addresses.length === 0 ? 'no address' : addresses.find((a) => !isAllowedAddress(a.address, options))?.address;
        if (refused) {
          const error = new MediaFetchError('MediaUrlRefused', `media host ${hostname} resolves to a non-public address`, false);
          return callback(Object.assign(new Error(error.message), { cause: error, code: 'EMEDIAREFUSED' }), '', 0);
        }
        if (lookupOptions.all) return callback(null, addresses);
        return callback(null, addresses[0]!.address, addresses[0]!.family);
      })
      .catch((error: Error) => callback(error, '', 0));
  }) as unknown as Lookup;
}

function get(url: URL, init: { signal: AbortSignal; headers: Record<string, string>; lookup: Lookup }): Promise<IncomingMessage> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(url, { method: 'GET', headers: init.headers, signal: init.signal, lookup: init.lookup }, resolve);
    request.on('error', reject);
    request.end();
  });
}

/** Private, loopback, link-local, carrier-grade NAT, multicast and reserved ranges, IPv4 and IPv6. */
const NON_PUBLIC = (() => {
  const list = new BlockList();
  for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) list.addSubnet(net, prefix, 'ipv4');
  for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32]] as const) list.addSubnet(net, prefix, 'ipv6');
  return list;
})();
const LOOPBACK = (() => {
  const list = new BlockList();
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addAddress('::1', 'ipv6');
  return list;
})();

/** An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`, `::ffff:7f00:1`) is judged as the IPv4 address it maps. */
function unmapped(address: string): { address: string; type: 'ipv4' | 'ipv6' } {
  const lower = address.toLowerCase();
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower) ?? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (dotted) return { address: dotted[1]!, type: 'ipv4' };
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return { address: `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`, type: 'ipv4' };
  }
  return { address, type: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
}

function isAllowedAddress(raw: string, options: MediaFetchOptions): boolean {
  const { address, type } = unmapped(raw);
  if (!NON_PUBLIC.check(address, type)) return true;
  // The local stack and tests fetch from this machine's own servers; nothing else private, ever.
  return options.allowInsecure === true && LOOPBACK.check(address, type);
}

async function readCapped(response: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new MediaFetchError('MediaTooLarge', `the file is larger than ${maxBytes} bytes`, false);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function checkedUrl(raw: string, options: MediaFetchOptions, first: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new MediaFetchError('MediaUrlRefused', 'the media URL is not a URL', false);
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // Plain http and IP literals only for the local stack; names are resolved and checked when connecting.
  const insecure = url.protocol !== 'https:' || isIP(host) !== 0;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new MediaFetchError('MediaUrlRefused', 'only http(s) media URLs', false);
  if (insecure && !options.allowInsecure) throw new MediaFetchError('MediaUrlRefused', 'media URLs must be https to a named host', false);
  if (first && !options.allowedHosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`))) {
    throw new MediaFetchError('MediaUrlRefused', `media from ${host} is not accepted`, false);
  }
  return url;
}
