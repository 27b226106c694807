import { copyFile, mkdir, open, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { MediaStore, UploadTarget } from '../../shared/media/store';

/** What a local upload URL allows: one key, one type, one exact size, until a time. */
interface UploadGrant {
  key: string;
  contentType: string;
  size: number;
  expiresAt: number;
}

/**
 * The local stack's media store: a folder, behind the same interface as the S3 bucket (answers bytes, not URLs).
 * Uploads go to `PUT {baseUrl}/local/uploads/{grant}`, a URL signed with this store's key that pins the key,
 * type and size as a presigned POST's policy does in AWS.
 */
export class FileMediaStore implements MediaStore {
  private readonly signingKey = randomBytes(32);
  constructor(
    private readonly root: string,
    /** The local stack's base URL, for upload URLs (known once it listens). */
    private readonly baseUrl: () => string = () => 'http://127.0.0.1:3000',
  ) {}

  async uploadTarget(key: string, contentType: string, size: number, expiresIn: number): Promise<UploadTarget> {
    const grant: UploadGrant = { key, contentType, size, expiresAt: Date.now() + expiresIn * 1000 };
    const payload = Buffer.from(JSON.stringify(grant)).toString('base64url');
    return { url: `${this.baseUrl()}/local/uploads/${payload}.${this.sign(payload)}`, method: 'PUT', headers: { 'content-type': contentType } };
  }

  /** The upload route's check: the grant's signature, expiry, type and exact size; then the file is kept. */
  async acceptUpload(token: string, contentType: string | undefined, bytes: Uint8Array): Promise<{ status: number; message: string }> {
    const [payload = '', signature = ''] = token.split('.');
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { status: 403, message: 'the upload URL is not valid' };
    const grant = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as UploadGrant;
    if (Date.now() > grant.expiresAt) return { status: 403, message: 'the upload URL has expired' };
    if (contentType !== grant.contentType) return { status: 403, message: `the upload must be sent as ${grant.contentType}` };
    if (bytes.length !== grant.size) return { status: 400, message: `the upload must be exactly ${grant.size} bytes` };
    await this.put(grant.key, bytes, grant.contentType);
    return { status: 204, message: '' };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.signingKey).update(payload).digest('base64url');
  }

  async peek(key: string, bytes: number): Promise<{ size: number; head: Uint8Array } | undefined> {
    try {
      const path = this.path(key);
      const { size } = await stat(path);
      const file = await open(path, 'r');
      try {
        const head = Buffer.alloc(Math.min(bytes, size));
        await file.read(head, 0, head.length, 0);
        return { size, head };
      } finally {
        await file.close();
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async copy(from: string, to: string, contentType: string): Promise<void> {
    const target = this.path(to);
    await mkdir(dirname(target), { recursive: true });
    await copyFile(this.path(from), target);
    await writeFile(`${target}.type`, contentType);
  }

  async fetchUrl(_key: string, _expiresIn: number): Promise<string | undefined> {
    return undefined;
  }

  s3Uri(_key: string): string | undefined {
    return undefined;
  }

  private path(key: string): string {
    const path = resolve(this.root, key);
    // Keys are built by the code (media/<conversation>/<message>/<file>); refuse anything that escapes the folder.
    if (!path.startsWith(resolve(this.root) + '/')) throw new Error('media key outside the store');
    return path;
  }

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const path = this.path(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, bytes);
    await writeFile(`${path}.type`, contentType);
  }

  async get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined> {
    try {
      const path = this.path(key);
      return { bytes: await readFile(path), contentType: await readFile(`${path}.type`, 'utf8') };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async downloadUrl(): Promise<undefined> {
    return undefined;
  }

  async delete(key: string): Promise<void> {
    const path = this.path(key);
    await rm(path, { force: true });
    await rm(`${path}.type`, { force: true });
  }
}

export const localMediaRoot = (stackDir: string) => join(stackDir, 'media');
