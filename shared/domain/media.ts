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

/** Outbound MMS (contract, "MMS"): what a seller may attach, and what each provider carries. */
export const OUTBOUND_MEDIA_TYPES = ['image/jpeg', 'image/png', 'image/gif'] as const;
export type OutboundMediaType = (typeof OUTBOUND_MEDIA_TYPES)[number];
/** The largest file any provider takes (Twilio: 5 MB); each provider's own limit is checked at send. */
export const MAX_OUTBOUND_MEDIA_BYTES = 5 * 1024 * 1024;
/** A browser upload's URL is valid this long (the contract allows at most 15 minutes). */
export const UPLOAD_URL_SECONDS = 15 * 60;
/** An upload no message used is deleted after this long (TTL on its item, a lifecycle rule on its file). */
export const UNUSED_UPLOAD_SECONDS = 24 * 60 * 60;

export interface MmsLimits {
  maxFiles: number;
  maxBytesPerFile: number;
  maxTotalBytes: number;
  /** Destination countries (calling codes' regions) that take MMS from this provider; undefined: any. */
  countries?: readonly string[];
}

/**
 * What each provider carries, from its documentation: Twilio 10 files, 5 MB in all, MMS to the US and Canada
 * (elsewhere Twilio converts to a link); End User Messaging one file per message, images up to 2 MB, US and
 * Canada; Pinpoint no MMS at all; the sandbox as Twilio, anywhere.
 */
export function mmsLimits(provider: string): MmsLimits | undefined {
  switch (provider) {
    case 'twilio':
      return { maxFiles: 10, maxBytesPerFile: MAX_OUTBOUND_MEDIA_BYTES, maxTotalBytes: MAX_OUTBOUND_MEDIA_BYTES, countries: ['US', 'CA'] };
    case 'eum':
      return { maxFiles: 1, maxBytesPerFile: 2 * 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024, countries: ['US', 'CA'] };
    case 'sandbox':
      return { maxFiles: 10, maxBytesPerFile: MAX_OUTBOUND_MEDIA_BYTES, maxTotalBytes: MAX_OUTBOUND_MEDIA_BYTES };
    default:
      return undefined;
  }
}

/** The image type a file's first bytes say it is (its magic number), whatever its upload declared. */
export function sniffImageType(head: Uint8Array): OutboundMediaType | undefined {
  const starts = (...bytes: number[]) => bytes.every((b, i) => head[i] === b);
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0x47, 0x49, 0x46, 0x38) && (head[4] === 0x37 || head[4] === 0x39) && head[5] === 0x61) return 'image/gif';
  return undefined;
}

/** Where a seller's upload waits until a message uses it. */
export function uploadStorageKey(mediaId: string): string {
  return `uploads/${mediaId}`;
}
