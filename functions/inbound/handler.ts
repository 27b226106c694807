import middy from '@middy/core';
import { defaultDeps, type Deps } from '../../shared/deps';
import { handleSmsNotification } from '../../shared/flows/route-sms-notification';
import { inboundSmsPath } from '../../shared/flows/sms-notification-paths/inbound';
import { snsLambdaEventSchema } from '../../shared/providers/sns-lambda-event';
import { logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { onFirstUse } from '../../shared/lambda';

/**
 * The two-way SMS topic invokes this function. A failure throws, so Lambda retries the
 * asynchronous invocation and then hands the event to the on-failure destination: never lost.
 */
export function createHandler(deps: Deps) {
  const receive = async (event: unknown) => {
    const { Records } = snsLambdaEventSchema.parse(event);
    const outcomes = [];
    for (const record of Records) {
      const outcome = await handleSmsNotification(deps, record.Sns.Message, { inbound: inboundSmsPath });
      if (outcome.kind === 'inbound') {
        logger.info('inbound SMS', { snsMessageId: record.Sns.MessageId, outcome: outcome.result.outcome });
        outcomes.push(outcome.result.outcome);
      }
    }
    return { outcomes };
  };
  return middy(receive).use(logContext(logger)).use(publishMetrics(metrics));
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
