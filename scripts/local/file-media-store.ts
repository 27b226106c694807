import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { MediaStore } from '../../shared/media/store';

/** The local stack's media store: a folder, behind the same interface as the S3 bucket (answers bytes, not URLs). */
export class FileMediaStore implements MediaStore {
  constructor(private readonly root: string) {}

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
