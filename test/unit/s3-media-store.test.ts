import { describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DOWNLOAD_URL_SECONDS, S3MediaStore } from '../../shared/media/store';

/** The deployed media store (S3 has no local engine here: the client is mocked; presigning runs for real). */
describe('S3MediaStore', () => {
  const client = new S3Client({ region: 'us-east-1', credentials: { accessKeyId: 'AKIATEST', secretAccessKey: 'secret' } });

  it('answers a presigned GET URL for the object, valid 5 minutes at most, served as an attachment', async () => {
    const url = new URL(await new S3MediaStore(client, 'media-bucket').downloadUrl('media/c/m/f', 'image/png'));
    expect(url.hostname).toBe('media-bucket.s3.us-east-1.amazonaws.com');
    expect(url.pathname).toBe('/media/c/m/f');
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(DOWNLOAD_URL_SECONDS);
    expect(DOWNLOAD_URL_SECONDS).toBeLessThanOrEqual(300);
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment');
    expect(url.searchParams.get('response-content-type')).toBe('image/png');
  });

  it('a presigned POST whose policy pins the key, the type and the exact size (S3 enforces it; the local S3 server does not)', async () => {
    const target = await new S3MediaStore(client, 'media-bucket').uploadTarget('uploads/m1', 'image/jpeg', 1234, 900);
    expect(target.method).toBe('POST');
    const policy = JSON.parse(Buffer.from(target.fields!.Policy!, 'base64').toString('utf8')) as { expiration: string; conditions: unknown[] };
    expect(policy.conditions).toContainEqual(['content-length-range', 1234, 1234]);
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', 'image/jpeg']);
    expect(policy.conditions).toContainEqual({ key: 'uploads/m1' });
    expect(policy.conditions).toContainEqual({ bucket: 'media-bucket' });
    expect(Date.parse(policy.expiration) - Date.now()).toBeLessThanOrEqual(900_000);
  });

  it('serves an SVG (a document that can run script) as opaque bytes, never as image/svg+xml', async () => {
    const url = new URL(await new S3MediaStore(client, 'media-bucket').downloadUrl('media/c/m/f', 'image/svg+xml'));
    expect(url.searchParams.get('response-content-type')).toBe('application/octet-stream');
    expect(url.searchParams.get('response-content-disposition')).toBe('attachment');
  });

  it('puts, gets and deletes under the key, with the content type', async () => {
    const s3 = mockClient(S3Client);
    s3.on(PutObjectCommand).resolves({});
    s3.on(DeleteObjectCommand).resolves({});
    s3.on(GetObjectCommand).resolves({ ContentType: 'image/png', Body: { transformToByteArray: async () => new Uint8Array([1, 2, 3]) } as never });
    const store = new S3MediaStore(new S3Client({ region: 'us-east-1' }), 'media-bucket');
    await store.put('media/c/m/f', new Uint8Array([1, 2, 3]), 'image/png');
    expect(s3.commandCalls(PutObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'media-bucket', Key: 'media/c/m/f', ContentType: 'image/png' });
    expect(await store.get('media/c/m/f')).toEqual({ bytes: new Uint8Array([1, 2, 3]), contentType: 'image/png' });
    await store.delete('media/c/m/f');
    expect(s3.commandCalls(DeleteObjectCommand)[0]!.args[0].input).toEqual({ Bucket: 'media-bucket', Key: 'media/c/m/f' });
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('gone'), { name: 'NoSuchKey' }));
    expect(await store.get('media/c/m/other')).toBeUndefined();
    s3.restore();
  });
});
