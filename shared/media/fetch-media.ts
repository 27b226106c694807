import { isIP } from 'node:net';
import { MAX_MEDIA_BYTES } from '../domain/media';

export interface MediaFetchOptions {
  timeoutMs: number;
  maxBytes?: number;
  /** Hosts the provider's media URLs may name (the first URL only; redirects go where the provider sends them). */
  allowedHosts: readonly string[];
  /** Local stack and tests: plain http and private addresses. */
  allowInsecure?: boolean;
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

/**
 * Downloads one provider file: only from an allowed host, following redirects by hand (each hop
 * re-checked: https, no private address; credentials never leave the host they belong to), with a
 * timeout over the whole transfer and a size cap enforced while reading.
 */
export async function fetchMedia(url: string, options: MediaFetchOptions): Promise<{ bytes: Uint8Array; contentType: string }> {
  const maxBytes = options.maxBytes ?? MAX_MEDIA_BYTES;
  const signal = AbortSignal.timeout(options.timeoutMs);
  let current = checkedUrl(url, options, true);
  try {
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const credentials = await options.credentialsFor?.(current.host);
      const response = await fetch(current, {
        redirect: 'manual',
        signal,
        headers: credentials ? { authorization: `Basic ${Buffer.from(`${credentials.user}:${credentials.password}`).toString('base64')}` } : {},
      });
      if (response.status >= 300 && response.status < 400 && response.headers.get('location')) {
        await response.body?.cancel();
        current = checkedUrl(new URL(response.headers.get('location')!, current).toString(), options, false);
        continue;
      }
      if (response.status === 404) throw new MediaFetchError('MediaNotFound', 'the provider answered 404 for the file', true);
      if (!response.ok) throw new MediaFetchError('MediaHttpError', `the provider answered ${response.status} for the file`, response.status >= 500 || response.status === 429 || response.status === 408);
      const declared = Number(response.headers.get('content-length') ?? '0');
      if (declared > maxBytes) throw new MediaFetchError('MediaTooLarge', `the file is larger than ${maxBytes} bytes`, false);
      const bytes = await readCapped(response, maxBytes);
      return { bytes, contentType: response.headers.get('content-type')?.split(';')[0]?.trim() || 'application/octet-stream' };
    }
    throw new MediaFetchError('MediaHttpError', `more than ${MAX_REDIRECTS} redirects`, false);
  } catch (error) {
    if (error instanceof MediaFetchError) throw error;
    if (signal.aborted) throw new MediaFetchError('MediaTimeout', `the file did not arrive within ${options.timeoutMs} ms`, true);
    throw new MediaFetchError('MediaNetworkError', 'the file could not be fetched', true);
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
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
  const insecure = url.protocol !== 'https:' || isIP(host) !== 0 || host === 'localhost';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new MediaFetchError('MediaUrlRefused', 'only http(s) media URLs', false);
  if (insecure && !options.allowInsecure) throw new MediaFetchError('MediaUrlRefused', 'media URLs must be https to a named host', false);
  if (first && !options.allowedHosts.some((allowed) => host === allowed || host.endsWith(`.${allowed}`))) {
    throw new MediaFetchError('MediaUrlRefused', `media from ${host} is not accepted`, false);
  }
  return url;
}
