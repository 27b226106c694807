import { config } from '../config';
import { S3MediaStore, type MediaStore } from './store';

let loaded: Promise<MediaStore> | undefined;

/**
 * The deployed media store: the stack's bucket (MEDIA_BUCKET). The S3 client and presigner load on the
 * first media request, not at cold start: most seller-api and privacy invocations never touch a file.
 */
export function mediaStore(): MediaStore {
  const store = () => {
    loaded ??= (async () => {
      const bucket = config().MEDIA_BUCKET;
      if (!bucket) throw new Error('MEDIA_BUCKET is not configured');
      const { S3Client } = await import('@aws-sdk/client-s3');
      return new S3MediaStore(new S3Client({ region: config().AWS_REGION }), bucket);
    })();
    return loaded;
  };
  return {
    put: async (key, bytes, contentType) => (await store()).put(key, bytes, contentType),
    get: async (key) => (await store()).get(key),
    downloadUrl: async (key, contentType) => (await store()).downloadUrl(key, contentType),
    delete: async (key) => (await store()).delete(key),
    uploadTarget: async (key, contentType, size, expiresIn) => (await store()).uploadTarget(key, contentType, size, expiresIn),
    peek: async (key, bytes) => (await store()).peek(key, bytes),
    copy: async (from, to, contentType) => (await store()).copy(from, to, contentType),
    fetchUrl: async (key, expiresIn) => (await store()).fetchUrl(key, expiresIn),
    s3Uri: (key) => (config().MEDIA_BUCKET ? `s3://${config().MEDIA_BUCKET}/${key}` : undefined),
  };
}
