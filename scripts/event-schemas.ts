import * as z from 'zod';
import { crmEventSchemas, CRM_EVENT_SOURCE, type CrmDetailType } from '../shared/domain/crm-events';

/**
 * JSON Schemas of the CRM events' `detail`, one per detail-type (docs/events/<DetailType>.json), from the
 * zod schemas the publisher's details satisfy: a CRM team registers them in the EventBridge schema registry.
 */
export const EVENT_SCHEMAS_DIR = 'docs/events';

export function eventSchemaDocuments(): Record<CrmDetailType, Record<string, unknown>> {
  const out = {} as Record<CrmDetailType, Record<string, unknown>>;
  for (const [detailType, schema] of Object.entries(crmEventSchemas) as [CrmDetailType, z.core.$ZodType][]) {
    const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io: 'output' }) as Record<string, unknown>;
    out[detailType] = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `https://sms-crm.example/events/${detailType}.json`,
      title: `${detailType} (source "${CRM_EVENT_SOURCE}") detail`,
      ...json,
    };
  }
  return out;
}
