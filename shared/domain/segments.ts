/**
 * SMS encoding and segment count per GSM 03.38 / 3GPP TS 23.038:
 * GSM-7 when every character is in the default alphabet or its extension table (extension
 * characters take two septets), else UCS-2 (UTF-16 code units). A single message holds 160 septets
 * or 70 units; concatenated parts hold 153 septets or 67 units (the UDH takes the rest), and a
 * part never splits an escape sequence or a surrogate pair.
 */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENSION = '\f^{}\\[~]|€';

const basic = new Set(GSM_BASIC);
const extension = new Set(GSM_EXTENSION);

export type Encoding = 'GSM-7' | 'UCS-2';

export interface SegmentInfo {
  encoding: Encoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
}

export function isGsm7(text: string): boolean {
  for (const ch of text) if (!basic.has(ch) && !extension.has(ch)) return false;
  return true;
}

export function segmentInfo(text: string): SegmentInfo {
  if (text.length === 0) return { encoding: 'GSM-7', segments: 1, units: 0 };
  if (isGsm7(text)) {
    const widths = [...text].map((ch) => (extension.has(ch) ? 2 : 1));
    return { encoding: 'GSM-7', ...countParts(widths, 160, 153) };
  }
  // UCS-2 (in practice UTF-16): characters outside the BMP take two units and stay together.
  const widths = [...text].map((ch) => ch.length);
  return { encoding: 'UCS-2', ...countParts(widths, 70, 67) };
}

function countParts(widths: number[], single: number, part: number): { segments: number; units: number } {
  const units = widths.reduce((sum, w) => sum + w, 0);
  if (units <= single) return { segments: 1, units };
  let segments = 1;
  let used = 0;
  for (const width of widths) {
    if (used + width > part) {
      segments++;
      used = 0;
    }
    used += width;
  }
  return { segments, units };
}
