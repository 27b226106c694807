import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { HttpError } from '../domain/errors';

/**
 * Opaque, tamper-evident cursors: the position is signed (HMAC-SHA256) together with the scope it
 * was issued for (caller and list), so a changed cursor, or one replayed on another list or by
 * another seller, answers 400 instead of showing anything.
 */
export class CursorCodec {
  constructor(private readonly key: () => Promise<string>) {}

  async encode(position: unknown, scope: string): Promise<string> {
    const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
    return `${payload}.${await this.sign(payload, scope)}`;
  }

  async decode<T>(cursor: string | undefined, scope: string): Promise<T | undefined> {
    if (cursor === undefined || cursor === '') return undefined;
    const invalid = () => new HttpError('ValidationError', 'cursor is invalid or was issued for another list');
    const [payload, signature, extra] = cursor.split('.');
    if (!payload || !signature || extra !== undefined || cursor.length > 4096) throw invalid();
    const expected = Buffer.from(await this.sign(payload, scope));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    try {
      return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as T;
    } catch {
      throw invalid();
    }
  }

  private async sign(payload: string, scope: string): Promise<string> {
    return createHmac('sha256', await this.key()).update(`${scope}\n${payload}`).digest('base64url');
  }
}

export const pageQuerySchema = z.looseObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.maxLength(4096))),
});
