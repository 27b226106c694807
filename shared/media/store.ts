import type { S3Client } from '@aws-sdk/client-s3';
import { servedContentType } from '../domain/media';

/** Where copies of MMS files live: an S3 bucket in AWS, a folder locally; same interface. */
export interface MediaStore {
  put(key: string, bytes: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined>;
  /** A download URL valid at most 5 minutes, or undefined when the API answers with the bytes itself. */
  /** A short-lived URL of the file served as `contentType` says (see servedContentType), as an attachment. */
  downloadUrl(key: string, contentType: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
}

/** Presigned download URLs live this long (the contract allows at most 5 minutes). */
export const DOWNLOAD_URL_SECONDS = 300;

/** The S3 SDK loads on the first file operation, not at cold start (most invocations never touch a file). */
const s3Sdk = () => import('@aws-sdk/client-s3');

export class S3MediaStore implements MediaStore {
  constructor(
    private readonly s3: S3Client,
    private readonly bucket: string,
  ) {}

  async put(key: string, bytes: Uint8Array, contentType: string): Promise<void> {
    const { PutObjectCommand } = await s3Sdk();
    await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: bytes, ContentType: contentType }));
  }

  async get(key: string): Promise<{ bytes: Uint8Array; contentType: string } | undefined> {
    const { GetObjectCommand } = await s3Sdk();
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return { bytes: await out.Body!.transformToByteArray(), contentType: out.ContentType ?? 'application/octet-stream' };
    } catch (error) {
      if ((error as { name?: string }).name === 'NoSuchKey') return undefined;
      throw error;
    }
  }

  async downloadUrl(key: string, contentType: string): Promise<string> {
    const [{ GetObjectCommand }, { getSignedUrl }] = await Promise.all([s3Sdk(), import('@aws-sdk/s3-request-presigner')]);
    // S3 answers with these headers for this URL only: an attachment, typed so that only raster images render.
    const command = new GetObjectCommand({ Bucket: this.bucket, Key: key, ResponseContentDisposition: 'attachment', ResponseContentType: servedContentType(contentType) });
    return getSignedUrl(this.s3, command, { expiresIn: DOWNLOAD_URL_SECONDS });
  }

  async delete(key: string): Promise<void> {
    const { DeleteObjectCommand } = await s3Sdk();
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
