import middy from '@middy/core';
import type { EventBridgeEvent } from 'aws-lambda';
import * as z from 'zod/mini';
import { defaultDeps, directoryStores, type Deps } from '../../shared/deps';
import { idSchema, recordBodySchema, recordTypeSchema } from '../../shared/domain/records';
import { toCrmRecord } from '../../shared/domain/record-input';
import { logger, metrics, logContext, publishMetrics } from '../../shared/observability';
import { HttpError } from '../../shared/domain/errors';
import { config } from '../../shared/config';
import { onFirstUse } from '../../shared/lambda';

/** EventBridge `RecordUpserted` from the CRM: `detail` is the record body plus its `type` and `id`. */
export const recordUpsertedSchema = z.object({
  source: z.string(),
  'detail-type': z.literal('RecordUpserted'),
  detail: z.extend(recordBodySchema, { type: recordTypeSchema, id: idSchema }),
});

export function createHandler(deps: Deps, options: { crmEventSource?: string } = {}) {
  const { records } = directoryStores(deps);
  const crmEventSource = options.crmEventSource ?? config().CRM_EVENT_SOURCE;
  const sync = async (event: EventBridgeEvent<string, unknown>) => {
    // Anyone in the account may put a RecordUpserted event on the bus; only the CRM's source is believed.
    if (event.source !== crmEventSource) {
      logger.warn('RecordUpserted event from another source ignored', { source: String(event.source).slice(0, 64), id: event.id });
      return { applied: false, reason: 'foreign-source' as const };
    }
    const parsed = recordUpsertedSchema.safeParse(event);
    if (!parsed.success) {
      // A malformed CRM event can never succeed: log it and let it go rather than retry forever.
      logger.error('RecordUpserted event rejected', { issues: parsed.error.issues.map((i) => ({ path: i.path.join('.'), code: i.code })), id: event.id });
      return { applied: false, reason: 'invalid' as const };
    }
    const { type, id, ...body } = parsed.data.detail;
    let record;
    try {
      record = toCrmRecord(type, id, body, deps);
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      // The message quotes the rejected input (a phone number): log only which field failed.
      logger.error('RecordUpserted event rejected', { code: error.code, field: (error.details as { field?: string } | undefined)?.field, id: event.id });
      return { applied: false, reason: 'invalid' as const };
    }
    // CRM events can arrive out of order: an older `modifiedAt` than stored is skipped.
    const outcome = await records.upsert(record, { onlyIfNewer: true });
    return { applied: outcome.applied, reason: outcome.applied ? undefined : ('stale' as const) };
  };
  return middy(sync).use(logContext(logger)).use(publishMetrics(metrics));
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
