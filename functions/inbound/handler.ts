import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { defaultDeps, type Deps } from '../../shared/deps';
import { handleSmsNotification } from '../../shared/flows/route-sms-notification';
import { snsLambdaEventSchema } from '../../shared/providers/sns-lambda-event';
import { logger, metrics } from '../../shared/observability';
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
      const outcome = await handleSmsNotification(deps, record.Sns.Message, { inbound: true, events: false });
      if (outcome.kind === 'inbound') {
        logger.info('inbound SMS', { snsMessageId: record.Sns.MessageId, outcome: outcome.result.outcome });
        outcomes.push(outcome.result.outcome);
      }
    }
    return { outcomes };
  };
  return middy(receive).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
