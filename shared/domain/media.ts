/** MMS (contract, "MMS"): a message's files, copied into our own storage after the message is stored. */

/** Twilio's own limits: at most 10 files per message, 5 MB each. */
export const MAX_MEDIA_PER_MESSAGE = 10;
export const MAX_MEDIA_BYTES = 5 * 1024 * 1024;

export type MediaStatus = 'pending' | 'stored' | 'failed';

/** A file of a message, as the contract returns it. */
export interface MediaItem {
  id: string;
  contentType: string;
  status: MediaStatus;
  size?: number;
  reason?: { code: string; message: string };
}

/** As stored: where the provider keeps the file, and where we keep our copy. */
export interface StoredMediaItem extends MediaItem {
  sourceUrl: string;
  storageKey: string;
}

export function toPublicMedia(media: readonly StoredMediaItem[]): MediaItem[] {
  return media.map(({ id, contentType, status, size, reason }) => ({ id, contentType, status, ...(size !== undefined ? { size } : {}), ...(reason ? { reason } : {}) }));
}

/** What lists and notifications show of a message: its text, or `[image]` / `[media]` when it has none. */
export function displayText(body: string, media: readonly { contentType: string }[] | undefined): string {
  if (body.trim() !== '' || !media || media.length === 0) return body;
  return media.every((m) => m.contentType.toLowerCase().startsWith('image/')) ? '[image]' : '[media]';
}

/** Where our copy of a file lives: under its message, so one prefix holds a conversation's files. */
export function mediaStorageKey(conversationId: string, messageId: string, mediaId: string): string {
  return `media/${conversationId}/${messageId}/${mediaId}`;
}

/** Image types shown inline: raster only (an SVG is a document that can run script; it is offered as a download). */
export const INLINE_IMAGE_TYPES: readonly string[] = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

export function isInlineImage(contentType: string): boolean {
  return INLINE_IMAGE_TYPES.includes(contentType.toLowerCase());
}

/** The type a file is served with: its own when shown inline, otherwise opaque bytes no browser renders. */
export function servedContentType(contentType: string): string {
  return isInlineImage(contentType) ? contentType.toLowerCase() : 'application/octet-stream';
}

/** Every media download: saved, never rendered as a page; and if a browser renders it anyway, sandboxed with nothing allowed. */
export const MEDIA_DOWNLOAD_HEADERS = { 'content-disposition': 'attachment', 'content-security-policy': "sandbox; default-src 'none'", 'x-content-type-options': 'nosniff' } as const;
