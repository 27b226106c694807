import { randomBytes } from 'node:crypto';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The creation time an id carries in its first 10 characters (ms precision); undefined for another shape. */
export function timeOfId(id: string): Date | undefined {
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return undefined;
  let time = 0;
  for (const ch of id.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(ch);
  return new Date(time);
}

/** ULID-like id: 10 chars of millisecond time then 16 random chars, so ids sort by creation. */
export function newId(at: Date = new Date()): string {
  let time = at.getTime();
  let head = '';
  for (let i = 0; i < 10; i++) {
    head = CROCKFORD[time % 32] + head;
    time = Math.floor(time / 32);
  }
  const bytes = randomBytes(16);
  let tail = '';
  for (const byte of bytes) tail += CROCKFORD[byte % 32];
  return head + tail;
}
