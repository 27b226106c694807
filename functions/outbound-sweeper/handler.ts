import middy from '@middy/core';
import { defaultDeps, type Deps } from '../../shared/deps';
import { sweepQueued } from '../../shared/flows/sweep-queued';
import { logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { onFirstUse } from '../../shared/lambda';

/** Invoked on a schedule (EventBridge): interrupted sends become `unknown`, with their reason. */
export function createHandler(deps: Deps) {
  const sweep = async () => {
    const swept = await sweepQueued(deps);
    if (swept) logger.warn('interrupted sends marked unknown', { swept });
    return { swept };
  };
  return middy(sweep).use(logContext(logger)).use(publishMetrics(metrics));
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
