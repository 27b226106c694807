import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { defaultDeps } from '../../shared/deps';
import { sns } from '../../shared/aws';
import { config } from '../../shared/config';
import { handleChange, type NotifierDeps } from '../../shared/flows/notify';
import { logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { onFirstUse } from '../../shared/lambda';
import { changedItem } from '../../shared/store/stream';
import { apiGatewayLiveChannel } from '../../shared/live/api-gateway-channel';

/**
 * The table's stream invokes the notifier. Records are handled in order; at the first failure the
 * rest of the batch is reported failed too, so the stream retries from there and a record that
 * already succeeded is never handled twice.
 */
export function createHandler(deps: NotifierDeps) {
  const notify = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const records = event.Records;
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      try {
        await handleChange(deps, changedItem(record));
      } catch (error) {
        logger.error('stream record failed; retrying from it', { error: error as Error, sequenceNumber: record.dynamodb?.SequenceNumber });
        return { batchItemFailures: records.slice(i).map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? '' })) };
      }
    }
    return { batchItemFailures: [] };
  };
  return middy(notify).use(logContext(logger)).use(publishMetrics(metrics));
}

export const handler = onFirstUse(() => {
  const liveUrl = config().LIVE_CONNECTIONS_URL;
  return createHandler({ ...defaultDeps(), sns: sns(), topicArn: config().NOTIFICATIONS_TOPIC_ARN, live: liveUrl ? apiGatewayLiveChannel(liveUrl, config().AWS_REGION) : undefined });
});
