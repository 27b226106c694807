import { MEDIA_RETRY_DELAYS_MS } from '../limits';
import type { Deps } from '../deps';
import type { Item } from '../store/dynamo-helpers';
import { getMessage, setMediaState } from '../store/items/message';
import type { StoredMediaItem } from '../domain/media';
import type { MediaStore } from '../media/store';
import { fetchMedia, MediaFetchError, type MediaFetchOptions } from '../media/fetch-media';
import { count, logger } from '../observability';

export interface MediaCopierDeps extends Deps {
  media: MediaStore;
  fetch: MediaFetchOptions;
  /** Waits between attempts of one file (bounded retries: one more attempt than there are delays). */
  retryDelaysMs?: readonly number[];
}

const DEFAULT_RETRY_DELAYS_MS: readonly number[] = MEDIA_RETRY_DELAYS_MS;

/**
 * Copies a new message's files into our storage (from the table's stream). Reads the message again
 * first: files already stored or failed are skipped, so a re-run of the stream copies nothing twice,
 * and a message erased meanwhile is left alone. The message is kept whatever happens to its files;
 * a file that still fails after the retries is marked `failed` with the reason, counted in a metric
 * (alarmed on), and notifies nobody.
 */
export async function copyMedia(deps: MediaCopierDeps, message: Item): Promise<{ stored: number; failed: number }> {
  const current = await getMessage(deps.db, deps.table, { pk: message.pk as string, sk: message.sk as string });
  const media = (current?.media ?? []) as StoredMediaItem[];
  const outcomes = await Promise.all(media.map((file, index) => (file.status === 'pending' ? copyOne(deps, current!, file, index) : undefined)));
  return { stored: outcomes.filter((o) => o === 'stored').length, failed: outcomes.filter((o) => o === 'failed').length };
}

async function copyOne(deps: MediaCopierDeps, message: Item, file: StoredMediaItem, index: number): Promise<'stored' | 'failed'> {
  const key = { pk: message.pk as string, sk: message.sk as string };
  const delays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  let lastError: MediaFetchError | undefined;
  for (let attempt = 0; attempt <= delays.length; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, delays[attempt - 1]));
    try {
      const { bytes } = await fetchMedia(file.sourceUrl, deps.fetch);
      // The type Twilio announced is what the message says; the bytes are stored under it.
      await deps.media.put(file.storageKey, bytes, file.contentType);
      await setMediaState(deps.db, deps.table, key, index, file.id, { status: 'stored', size: bytes.length });
      count('MediaStored');
      return 'stored';
    } catch (error) {
      if (!(error instanceof MediaFetchError)) throw error;
      lastError = error;
      if (!error.retryable) break;
    }
  }
  logger.warn('media copy failed', { code: lastError!.code, attempts: delays.length + 1 });
  await setMediaState(deps.db, deps.table, key, index, file.id, { status: 'failed', reason: { code: lastError!.code, message: lastError!.message } });
  count('MediaCopyFailed');
  return 'failed';
}
