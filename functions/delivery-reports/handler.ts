import middy from '@middy/core';
import type { KinesisStreamEvent, KinesisStreamBatchResponse } from 'aws-lambda';
import { defaultDeps, type Deps } from '../../shared/deps';
import { handleSmsNotification } from '../../shared/flows/route-sms-notification';
import { smsEventPath } from '../../shared/flows/sms-notification-paths/events';
import { snsLambdaEventSchema } from '../../shared/providers/sns-lambda-event';
import { parseAwsSmsEvent } from '../../shared/providers/delivery-report-formats';
import { applyDeliveryReport } from '../../shared/flows/apply-delivery-report';
import { logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { onFirstUse } from '../../shared/lambda';

/**
 * Delivery reports from End User Messaging event destinations (SNS) and the Pinpoint event
 * stream (Kinesis). Kinesis batches report item failures so only failed records are retried.
 */
export function createHandler(deps: Deps) {
  const report = async (event: unknown): Promise<KinesisStreamBatchResponse | { outcomes: string[] }> => {
    if (isKinesis(event)) {
      const batchItemFailures: KinesisStreamBatchResponse['batchItemFailures'] = [];
      for (const record of event.Records) {
        try {
          const payload = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
          const parsed = parseAwsSmsEvent(payload);
          // Pinpoint streams every event type (email, campaigns, ...): only SMS events concern us.
          if (parsed) await applyDeliveryReport(deps, parsed);
        } catch (error) {
          if (error instanceof SyntaxError) {
            logger.error('undecodable event stream record skipped', { sequenceNumber: record.kinesis.sequenceNumber });
            continue;
          }
          logger.error('delivery report failed; the record will be retried', { error: error as Error });
          batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber });
        }
      }
      return { batchItemFailures };
    }
    const { Records } = snsLambdaEventSchema.parse(event);
    const outcomes: string[] = [];
    for (const record of Records) {
      const outcome = await handleSmsNotification(deps, record.Sns.Message, { events: smsEventPath });
      if (outcome.kind === 'report') outcomes.push(outcome.outcome);
    }
    return { outcomes };
  };
  return middy(report).use(logContext(logger)).use(publishMetrics(metrics));
}

function isKinesis(event: unknown): event is KinesisStreamEvent {
  const first = (event as { Records?: { eventSource?: string }[] }).Records?.[0];
  return first?.eventSource === 'aws:kinesis';
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
