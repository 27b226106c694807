import * as z from 'zod/mini';
import type { Deps } from '../deps';
import type { Caller } from '../http/auth';
import type { MediaStore, UploadTarget } from '../media/store';
import { DirectoryStore } from '../store/items/directory';
import { deleteUpload, putUpload, uploadsById } from '../store/items/upload';
import { HttpError } from '../domain/errors';
import { newId } from '../domain/clock';
import { isSalesperson } from '../domain/visibility';
import { regionOfNumber } from '../domain/phone';
import { MAX_OUTBOUND_MEDIA_BYTES, MAX_MEDIA_PER_MESSAGE, mmsLimits, OUTBOUND_MEDIA_TYPES, sniffImageType, UNUSED_UPLOAD_SECONDS, UPLOAD_URL_SECONDS, uploadStorageKey, type StoredMediaItem } from '../domain/media';

export const createUploadSchema = z.strictObject({
  contentType: z.enum(OUTBOUND_MEDIA_TYPES),
  size: z.number().check(z.int(), z.positive(), z.lte(MAX_OUTBOUND_MEDIA_BYTES)),
});

export const mediaIdsSchema = z.optional(z.array(z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[\w-]+$/))).check(z.minLength(1), z.maxLength(MAX_MEDIA_PER_MESSAGE)));

/** Twilio fetches a message's files when it sends it: its URL lives an hour (a queued send waits at most that here). */
export const PROVIDER_MEDIA_URL_SECONDS = 60 * 60;

/** POST /media: an upload the browser makes straight to storage, for a seller who may send. */
export async function createUpload(deps: Deps, media: MediaStore, caller: Caller, input: z.infer<typeof createUploadSchema>): Promise<{ mediaId: string; upload: UploadTarget; expiresAt: string }> {
  const seller = await new DirectoryStore(deps.db, deps.table).getSeller(caller.sellerId);
  if (!isSalesperson(seller)) throw new HttpError('InsufficientPrivileges', 'sending MMS needs the salesperson role');
  const now = deps.clock.now();
  const mediaId = newId(now);
  const storageKey = uploadStorageKey(mediaId);
  const upload = await media.uploadTarget(storageKey, input.contentType, input.size, UPLOAD_URL_SECONDS);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  await putUpload(deps.db, deps.table, { mediaId, sellerId: caller.sellerId, contentType: input.contentType, size: input.size, storageKey, createdAt: now.toISOString(), expiresAt: nowSeconds + UNUSED_UPLOAD_SECONDS });
  return { mediaId, upload, expiresAt: new Date(now.getTime() + UPLOAD_URL_SECONDS * 1000).toISOString() };
}

/**
 * The files of a send, checked before anything is stored or sent: the provider and the destination carry MMS
 * (else 400 InvalidSendingParameters); each id is the caller's own upload, present in storage, within the
 * provider's limits, and really the image type it was declared as (its first bytes, not its header; else 400
 * ValidationError). Answers each file's place in the message's own storage (copied by `keepFiles`).
 */
export async function checkAttachments(deps: Deps, media: MediaStore, caller: Caller, send: { provider: string; to: string; messageId: string }, mediaIds: readonly string[]): Promise<StoredMediaItem[]> {
  const limits = mmsLimits(send.provider);
  if (!limits) throw new HttpError('InvalidSendingParameters', `${send.provider} cannot send MMS; send text only, or from a number of another provider`);
  if (limits.countries && !limits.countries.includes(regionOfNumber(send.to) ?? '')) throw new HttpError('InvalidSendingParameters', `${send.provider} cannot send MMS to ${regionOfNumber(send.to) ?? 'this destination'}`);
  if (mediaIds.length > limits.maxFiles) throw new HttpError('InvalidSendingParameters', `${send.provider} sends at most ${limits.maxFiles} file${limits.maxFiles === 1 ? '' : 's'} a message`);
  if (new Set(mediaIds).size !== mediaIds.length) throw new HttpError('ValidationError', 'media: a file is named twice');
  const uploads = await uploadsById(deps.db, deps.table, mediaIds, Math.floor(deps.clock.now().getTime() / 1000));
  let total = 0;
  const files: StoredMediaItem[] = [];
  for (const id of mediaIds) {
    const upload = uploads.get(id);
    // Another seller's upload answers exactly as a missing one: nothing about it is revealed.
    if (!upload || upload.sellerId !== caller.sellerId) throw new HttpError('ValidationError', `media: ${id} is not an upload of yours`);
    const stored = await media.peek(upload.storageKey, 16);
    if (!stored) throw new HttpError('ValidationError', `media: ${id} was not uploaded (upload the file to the URL POST /media gave, then send)`);
    if (stored.size > limits.maxBytesPerFile) throw new HttpError('ValidationError', `media: ${id} is ${stored.size} bytes; ${send.provider} takes at most ${limits.maxBytesPerFile}`);
    if (sniffImageType(stored.head) !== upload.contentType) throw new HttpError('ValidationError', `media: ${id} is not the ${upload.contentType} it was declared as`);
    total += stored.size;
    files.push({ id, contentType: upload.contentType, status: 'stored', size: stored.size, sourceUrl: upload.storageKey, storageKey: `media/out/${send.messageId}/${id}` });
  }
  if (total > limits.maxTotalBytes) throw new HttpError('ValidationError', `media: ${total} bytes in all; ${send.provider} takes at most ${limits.maxTotalBytes} a message`);
  return files;
}

/**
 * Copies each upload to the message's own key (kept, erased and expired with the message, as inbound files are),
 * then checks the copies: they are what the provider sends, so their bytes (not the upload's, which the browser
 * could replace meanwhile) must be the declared image type within the provider's limits. Copies that fail the
 * check are deleted (400 ValidationError).
 */
export async function keepFiles(media: MediaStore, files: readonly StoredMediaItem[], provider: string): Promise<void> {
  await Promise.all(files.map((file) => media.copy(file.sourceUrl, file.storageKey, file.contentType)));
  const limits = mmsLimits(provider)!;
  let total = 0;
  for (const file of files) {
    const kept = await media.peek(file.storageKey, 16);
    const problem = !kept
      ? `media: ${file.id} could not be kept`
      : sniffImageType(kept.head) !== file.contentType
        ? `media: ${file.id} is not the ${file.contentType} it was declared as`
        : kept.size > limits.maxBytesPerFile
          ? `media: ${file.id} is ${kept.size} bytes; ${provider} takes at most ${limits.maxBytesPerFile}`
          : undefined;
    total += kept?.size ?? 0;
    if (problem || total > limits.maxTotalBytes) {
      await discardFiles(media, files);
      throw new HttpError('ValidationError', problem ?? `media: ${total} bytes in all; ${provider} takes at most ${limits.maxTotalBytes} a message`);
    }
  }
}

/** Deletes a message's copies when the message was not stored (a failed write, or a concurrent send with the same key won). */
export async function discardFiles(media: MediaStore, files: readonly StoredMediaItem[]): Promise<void> {
  await Promise.allSettled(files.map((file) => media.delete(file.storageKey)));
}

/** Once a message holds its copies, its uploads are used up: each upload serves one send (and no customer's erasure leaves one behind). */
export async function consumeUploads(deps: Deps, media: MediaStore, files: readonly StoredMediaItem[]): Promise<void> {
  await Promise.all(files.map(async (file) => {
    await deleteUpload(deps.db, deps.table, file.id);
    await media.delete(file.sourceUrl);
  }));
}

/** How the provider reaches each file. */
export async function providerMedia(media: MediaStore, files: readonly StoredMediaItem[]) {
  return Promise.all(files.map(async (file) => ({ id: file.id, contentType: file.contentType, size: file.size ?? 0, url: await media.fetchUrl(file.storageKey, PROVIDER_MEDIA_URL_SECONDS), s3Uri: media.s3Uri(file.storageKey) })));
}
