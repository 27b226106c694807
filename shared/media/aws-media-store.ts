import { S3Client } from '@aws-sdk/client-s3';
import { config } from '../config';
import { S3MediaStore, type MediaStore } from './store';

let store: MediaStore | undefined;
/** The deployed media store: the stack's bucket (MEDIA_BUCKET). */
export function mediaStore(): MediaStore {
  const bucket = config().MEDIA_BUCKET;
  if (!bucket) throw new Error('MEDIA_BUCKET is not configured');
  store ??= new S3MediaStore(new S3Client({ region: config().AWS_REGION }), bucket);
  return store;
}
