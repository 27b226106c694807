import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { defaultDeps } from '../../shared/deps';
import { config } from '../../shared/config';
import { copyMedia, type MediaCopierDeps } from '../../shared/flows/copy-media';
import { logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { failingOnItemFailures, onFirstUse } from '../../shared/lambda';
import { changedItem } from '../../shared/store/stream';
import { twilioCredentials } from '../../shared/secrets';
import { mediaStore } from '../../shared/media/aws-media-store';

/** The table's stream (new messages with media) invokes the copier; a failure retries from that record. */
export function createHandler(deps: MediaCopierDeps) {
  const copy = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      const change = changedItem(record);
      try {
        if (change.eventName === 'INSERT' && change.newImage?.kind === 'message' && Array.isArray(change.newImage.media)) await copyMedia(deps, change.newImage);
      } catch (error) {
        logger.error('media copy failed; retrying from this record', { error: error as Error, sequenceNumber: record.dynamodb?.SequenceNumber });
        return { batchItemFailures: records.slice(i).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
      }
    }
    return { batchItemFailures: [] };
  };
  return middy(copy).use(logContext(logger)).use(publishMetrics(metrics));
}

// Invoked asynchronously by the stream dispatcher: a failed record fails the invocation, which Lambda retries.
export const handler = onFirstUse(() =>
  failingOnItemFailures(createHandler({
    ...defaultDeps(),
    media: mediaStore(),
    fetch: {
      timeoutMs: config().MEDIA_FETCH_TIMEOUT_MS,
      allowedHosts: config().MEDIA_ALLOWED_HOSTS.split(','),
      // Accounts that enforce HTTP Basic auth on media: Twilio's own host gets the account's credentials, no other.
      credentialsFor: async (host) => {
        if (host !== 'api.twilio.com' || !config().TWILIO_SECRET_ARN) return undefined;
        const { accountSid, authToken } = await twilioCredentials();
        return { user: accountSid, password: authToken };
      },
    },
  })),
);
