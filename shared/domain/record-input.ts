import type { Clock } from './clock';
import { requirePhone } from './phone';
import { phoneFields, type CrmRecord, type RecordBody } from './records';
import type { RecordType } from './types';

/** A validated upsert body → the stored record: numbers in E.164, `modifiedAt` defaulted to now. */
export function toCrmRecord(type: RecordType, id: string, body: RecordBody, deps: { clock: Clock; defaultRegion: string }): CrmRecord {
  const record: CrmRecord = {
    type,
    id,
    name: body.name,
    state: body.state,
    modifiedAt: body.modifiedAt ? new Date(body.modifiedAt).toISOString() : deps.clock.now().toISOString(),
  };
  for (const field of phoneFields) {
    const value = body[field];
    if (value) record[field] = requirePhone(value, deps.defaultRegion, field);
  }
  if (body.ownerId) record.ownerId = body.ownerId;
  if (body.owningTeamId) record.owningTeamId = body.owningTeamId;
  if (body.accountId) record.accountId = body.accountId;
  if (body.contactIds) record.contactIds = [...new Set(body.contactIds)];
  return record;
}
