import middy from '@middy/core';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { defaultDeps, type Deps } from '../../shared/deps';
import { config } from '../../shared/config';
import { crmEventsOf } from '../../shared/flows/crm-events';
import { publishCrmEvents, type CrmEventPublisher } from '../../shared/events/publish';
import { logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { failingOnItemFailures, onFirstUse } from '../../shared/lambda';
import { changedItem } from '../../shared/store/stream';
import type { CrmEvent } from '../../shared/domain/crm-events';

/**
 * The table's stream invokes the CRM publisher: the batch's changes become events, put in order in
 * batches of 10. It runs off the request path, so a failing bus never fails a send or an inbound
 * message; entries that keep failing go to the failure queue. A batch that fails as a whole (the
 * table unreadable, the failure queue refusing) is retried by the stream: the same ids are put again.
 */
export function createHandler(deps: Deps & { publisher: CrmEventPublisher }) {
  const publish = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const events: CrmEvent[] = [];
    for (const record of event.Records) events.push(...(await crmEventsOf(deps, changedItem(record))));
    if (events.length > 0) await publishCrmEvents(deps.publisher, events);
    return { batchItemFailures: [] };
  };
  return middy(publish).use(logContext(logger)).use(publishMetrics(metrics));
}

/** The failure queue's client, created (and its SDK loaded) the first time an entry keeps failing. */
function lazySqs(): CrmEventPublisher['failures']['sqs'] {
  let client: Promise<CrmEventPublisher['failures']['sqs']> | undefined;
  return {
    send: async (command: Parameters<CrmEventPublisher['failures']['sqs']['send']>[0]) => {
      client ??= import('@aws-sdk/client-sqs').then(({ SQSClient }) => new SQSClient({ region: config().AWS_REGION }));
      return (await client).send(command as never);
    },
  } as CrmEventPublisher['failures']['sqs'];
}

// Invoked asynchronously by the stream dispatcher: a failed record fails the invocation, which Lambda retries.
export const handler = onFirstUse(() =>
  failingOnItemFailures(createHandler({
    ...defaultDeps(),
    publisher: {
      eventBridge: new EventBridgeClient({ region: config().AWS_REGION }),
      busName: config().EVENT_BUS_NAME,
      failures: { sqs: lazySqs(), queueUrl: config().CRM_EVENTS_FAILURE_QUEUE_URL },
    },
  })),
);
