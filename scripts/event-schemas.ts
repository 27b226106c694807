import * as z from 'zod';
import { crmEventSchemas, crmInboundEventSchemas, CRM_EVENT_SOURCE, type CrmDetailType } from '../shared/domain/crm-events';

/**
 * JSON Schemas of the CRM events' `detail`, one per detail-type (docs/events/<DetailType>.json), from the
 * zod schemas the publisher's details satisfy: a CRM team registers them in the EventBridge schema registry.
 */
export const EVENT_SCHEMAS_DIR = 'docs/events';

export function eventSchemaDocuments(): Record<CrmDetailType | CrmInboundDetailType, Record<string, unknown>> {
  const out = {} as Record<CrmDetailType | CrmInboundDetailType, Record<string, unknown>>;
  const document = (detailType: CrmDetailType | CrmInboundDetailType, schema: z.core.$ZodType, io: 'input' | 'output', title: string) => {
    const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io }) as Record<string, unknown>;
    out[detailType] = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `https://sms-crm.example/events/${detailType}.json`, title, ...json };
  };
  for (const [detailType, schema] of Object.entries(crmEventSchemas) as [CrmDetailType, z.core.$ZodType][]) document(detailType, schema, 'output', `${detailType} (source "${CRM_EVENT_SOURCE}") detail`);
  // What the CRM puts on its bus for us: read as input (defaults and refinements as the receiver applies them).
  for (const [detailType, schema] of Object.entries(crmInboundEventSchemas) as [CrmInboundDetailType, z.core.$ZodType][]) document(detailType, schema, 'input', `${detailType} (from the CRM: source = the configured CRM source) detail`);
  return out;
}

export type CrmInboundDetailType = keyof typeof crmInboundEventSchemas;
export const crmInboundDetailTypes = Object.keys(crmInboundEventSchemas) as CrmInboundDetailType[];
