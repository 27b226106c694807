import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import * as z from 'zod';
import { defaultDeps, directoryStores, type Deps } from '../../shared/deps';
import { idSchema, recordBodySchema, recordTypeSchema } from '../../shared/domain/records';
import { toCrmRecord } from '../../shared/domain/record-input';
import { logger, metrics } from '../../shared/observability';
import { HttpError } from '../../shared/domain/errors';

/** EventBridge `RecordUpserted` from the CRM: `detail` is the record body plus its `type` and `id`. */
export const recordUpsertedSchema = z.object({
  'detail-type': z.literal('RecordUpserted'),
  detail: recordBodySchema.extend({ type: recordTypeSchema, id: idSchema }),
});

export function createHandler(deps: Deps) {
  const { records } = directoryStores(deps);
  const sync = async (event: EventBridgeEvent<string, unknown>) => {
    const parsed = recordUpsertedSchema.safeParse(event);
    if (!parsed.success) {
      // A malformed CRM event can never succeed: log it and let it go rather than retry forever.
      logger.error('RecordUpserted event rejected', { issues: parsed.error.issues, id: event.id });
      return { applied: false, reason: 'invalid' as const };
    }
    const { type, id, ...body } = parsed.data.detail;
    let record;
    try {
      record = toCrmRecord(type, id, body, deps);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      logger.error('RecordUpserted event rejected', { code: error.code, message: error.message, id: event.id });
      return { applied: false, reason: 'invalid' as const };
    }
    // CRM events can arrive out of order: an older `modifiedAt` than stored is skipped.
    const outcome = await records.upsert(record, { onlyIfNewer: true });
    return { applied: outcome.applied, reason: outcome.applied ? undefined : ('stale' as const) };
  };
  return middy(sync).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

export const handler = createHandler(defaultDeps());
