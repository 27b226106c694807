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
  /** Outbound MMS: where the browser uploads a file of exactly this type and size (valid `expiresIn` seconds). */
  uploadTarget(key: string, contentType: string, size: number, expiresIn: number): Promise<UploadTarget>;
  /** A stored file's size and first bytes (its type is sniffed from them), or undefined when it is not there. */
  peek(key: string, bytes: number): Promise<{ size: number; head: Uint8Array } | undefined>;
  copy(from: string, to: string, contentType: string): Promise<void>;
  /** A URL a provider fetches the file from (Twilio's MediaUrl), valid `expiresIn` seconds; undefined locally. */
  fetchUrl(key: string, expiresIn: number): Promise<string | undefined>;
  /** The file as End User Messaging names it (`s3://bucket/key`); undefined where files are not in S3. */
  s3Uri(key: string): string | undefined;
}

/** How the browser uploads (contract: `upload: {url, method, headers?, fields?}`). */
export interface UploadTarget {
  url: string;
  method: 'POST' | 'PUT';
  headers?: Record<string, string>;
  fields?: Record<string, string>;
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

  /** A presigned POST whose policy pins the key, the type and the exact size (`content-length-range`). */
  async uploadTarget(key: string, contentType: string, size: number, expiresIn: number): Promise<UploadTarget> {
    const { createPresignedPost } = await import('@aws-sdk/s3-presigned-post');
    const { url, fields } = await createPresignedPost(this.s3, {
      Bucket: this.bucket,
      Key: key,
      Conditions: [['content-length-range', size, size], ['eq', '$Content-Type', contentType]],
      Fields: { 'Content-Type': contentType },
      Expires: expiresIn,
    });
    return { url, method: 'POST', fields };
  }

  async peek(key: string, bytes: number): Promise<{ size: number; head: Uint8Array } | undefined> {
    const { GetObjectCommand } = await s3Sdk();
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${bytes - 1}` }));
      const total = Number(/\/(\d+)$/.exec(out.ContentRange ?? '')?.[1] ?? out.ContentLength ?? 0);
      return { size: total, head: await out.Body!.transformToByteArray() };
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'InvalidRange') return undefined;
      throw error;
    }
  }

  async copy(from: string, to: string, contentType: string): Promise<void> {
    const { CopyObjectCommand } = await s3Sdk();
    await this.s3.send(new CopyObjectCommand({ Bucket: this.bucket, Key: to, CopySource: `${this.bucket}/${from}`, ContentType: contentType, MetadataDirective: 'REPLACE' }));
  }

  s3Uri(key: string): string {
    return `s3://${this.bucket}/${key}`;
  }

  async fetchUrl(key: string, expiresIn: number): Promise<string> {
    const [{ GetObjectCommand }, { getSignedUrl }] = await Promise.all([s3Sdk(), import('@aws-sdk/s3-request-presigner')]);
    return getSignedUrl(this.s3, new GetObjectCommand({ Bucket: this.bucket, Key: key }), { expiresIn });
  }
}
