import { describe, expect, it } from 'vitest';
import { readFileSync, readdirSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import { crmInboundDetailTypes, EVENT_SCHEMAS_DIR, eventSchemaDocuments } from '../../scripts/event-schemas';
import { crmDetailTypes, crmEventId } from '../../shared/domain/crm-events';

describe('docs/events: JSON Schemas of the CRM events', () => {
  it('has one schema per detail-type, and the committed copies are current (npm run openapi)', () => {
    const generated = eventSchemaDocuments();
    expect(readdirSync(EVENT_SCHEMAS_DIR).sort()).toEqual([...crmDetailTypes, ...crmInboundDetailTypes].map((t) => `${t}.json`).sort());
    for (const detailType of [...crmDetailTypes, ...crmInboundDetailTypes]) expect(JSON.parse(readFileSync(`${EVENT_SCHEMAS_DIR}/${detailType}.json`, 'utf8')), detailType).toEqual(generated[detailType]);
  });

  it('each is a valid JSON Schema that accepts a detail the publisher builds and refuses one missing its eventId', () => {
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(eventSchemaDocuments().SmsConversationAssigned);
    const detail = { eventId: crmEventId('x'), occurredAt: '2026-11-25T10:00:00.000Z', conversationId: 'c', record: { type: 'contact', id: 'ada' }, customerNumber: '+14255550123', businessNumber: '+14255550100', from: { type: 'seller', id: 'a' }, to: { type: 'team', id: 't' }, by: 'a' };
    expect(validate(detail)).toBe(true);
    const { eventId: _id, ...missing } = detail;
    expect(validate(missing)).toBe(false);
  });

  it('event ids are deterministic and distinct per change', () => {
    expect(crmEventId('sent', 'm1')).toBe(crmEventId('sent', 'm1'));
    expect(crmEventId('sent', 'm1')).not.toBe(crmEventId('status', 'm1', 'delivered'));
    expect(crmEventId('sent', 'm1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });
});
