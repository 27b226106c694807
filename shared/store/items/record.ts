import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type RecordType } from '../keys';
import { numbersOf, type CrmRecord } from '../../domain/records';
import type { E164 } from '../../domain/phone';
import { batchGetAll, isConditionFailure, isTransactionConditionFailure, queryAll, type Item, type TransactItem } from '../dynamo-helpers';
import { HttpError } from '../../domain/errors';
import { retryOnConflict, RETRY } from '../transact';

/** The routing-relevant view of a record, copied onto each of its phone-index items. */
export interface PhoneIndexEntry {
  type: RecordType;
  id: string;
  name: string;
  ownerId?: string;
  owningTeamId?: string;
  state: 'active' | 'inactive';
  modifiedAt: string;
}

export type UpsertOutcome = { record: CrmRecord; applied: boolean };

export class RecordStore {
  constructor(
    private readonly db: Db,
    private readonly table: string,
  ) {}

  async get(type: RecordType, id: string): Promise<CrmRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.record(type, id), ConsistentRead: true }));
    return Item ? toRecord(Item) : undefined;
  }

  async getMany(refs: { type: RecordType; id: string }[]): Promise<CrmRecord[]> {
    const items = await batchGetAll(this.db, this.table, refs.map((r) => keys.record(r.type, r.id)));
    return items.map(toRecord);
  }

  /**
   * Writes the record and its phone-index items in one transaction (optimistic on `version`),
   * so the set of records holding a number is never half-updated.
   * With `onlyIfNewer`, an older `modifiedAt` than stored is ignored (out-of-order CRM events).
   */
  async upsert(record: CrmRecord, options: { onlyIfNewer?: boolean } = {}): Promise<UpsertOutcome> {
    return retryOnConflict({ name: 'RecordUpsert', exhausted: () => new HttpError('Conflict', 'the record was changed concurrently; retry'), maxAttempts: 5 }, async (): Promise<UpsertOutcome | typeof RETRY> => {
      const previousItem = (await this.db.send(new GetCommand({ TableName: this.table, Key: keys.record(record.type, record.id), ConsistentRead: true }))).Item;
      const previous = previousItem ? toRecord(previousItem) : undefined;
      if (options.onlyIfNewer && previous && previous.modifiedAt > record.modifiedAt) return { record: previous, applied: false };
      try {
        await this.db.send(new TransactWriteCommand({ TransactItems: this.upsertItems(record, previous, previousItem?.version as number | undefined) }));
      } catch (error) {
        if (isTransactionConditionFailure(error)) return RETRY;
        throw error;
      }
      // The record's conversations follow its owner and name from the table stream (the notifier owns that
      // write): neither the directory nor record sync may write conversations.
      return { record, applied: true };
    });
  }

  /**
   * A lead created for an unknown number, in the inbound transaction: the number's claim (so racing
   * first messages create one lead), the record and its phone-index entry.
   */
  static newLeadItems(table: string, lead: CrmRecord, at: string): TransactItem[] {
    const number = lead.mobile!;
    return [
      { Put: { TableName: table, Item: { ...keys.leadClaim(number), kind: 'leadClaim', leadId: lead.id, createdAt: at }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: table, Item: recordItem(lead, 1), ConditionExpression: 'attribute_not_exists(pk)' } },
      ...phoneIndexItems(table, lead),
    ];
  }

  private upsertItems(record: CrmRecord, previous: CrmRecord | undefined, version: number | undefined) {
    const table = this.table;
    const nextNumbers = numbersOf(record);
    const droppedNumbers = previous ? [...numbersOf(previous).keys()].filter((n) => !nextNumbers.has(n)) : [];
    const items: TransactItem[] = [
      {
        Put: {
          TableName: table,
          Item: recordItem(record, (version ?? 0) + 1),
          ...(version === undefined
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : { ConditionExpression: 'version = :version', ExpressionAttributeValues: { ':version': version } }),
        },
      },
      ...phoneIndexItems(table, record),
      ...droppedNumbers.map((number) => ({ Delete: { TableName: table, Key: keys.phoneIndex(number, record.type, record.id) } })),
    ];
    if (record.type === 'opportunity' || previous?.type === 'opportunity') {
      const next = new Set(record.contactIds ?? []);
      const dropped = (previous?.contactIds ?? []).filter((c) => !next.has(c));
      for (const contactId of next) {
        items.push({ Put: { TableName: table, Item: { ...keys.opportunityLink(contactId, record.id), kind: 'opportunityLink', opportunityId: record.id, contactId } } });
      }
      for (const contactId of dropped) items.push({ Delete: { TableName: table, Key: keys.opportunityLink(contactId, record.id) } });
    }
    return items;
  }

  /**
   * Conversations carry their record's owner (for the visibility indexes) and name; keep them in step.
   * Called after an upsert and again from the table stream (idempotent), so a crash between the
   * record's transaction and this step is repaired.
   */
  async propagateOwnership(record: CrmRecord): Promise<void> {
    const conversations = await queryAll(this.db, {
      TableName: this.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.conversationsOfRecord(record.type, record.id) },
    });
    for (const conversation of conversations) await this.setOwner(conversation, record);
  }

  /**
   * The owner indexes' sort keys are the conversation's position (`lastMessageAt#id`), so the write
   * holds only while no message moved it since it was read; otherwise it is read again and retried.
   */
  private async setOwner(conversation: Item, record: CrmRecord): Promise<void> {
    await retryOnConflict({ name: 'OwnerPropagation', maxAttempts: 5 }, async (attempt): Promise<void | typeof RETRY> => {
      const current = attempt === 1 ? conversation : (await this.db.send(new GetCommand({ TableName: this.table, Key: { pk: conversation.pk, sk: conversation.sk }, ConsistentRead: true }))).Item;
      // A conversation moved away meanwhile carries its new record's owner already (its item is gone).
      if (!current) return;
      const indexes = keys.conversationIndexes({
        id: current.id as string,
        lastMessageAt: current.lastMessageAt as string,
        record: { type: record.type, id: record.id },
        assignedTo: current.assignedTo as never,
        recordOwnerId: record.ownerId,
        recordOwningTeamId: record.owningTeamId,
      });
      const set: string[] = [];
      const remove: string[] = [];
      const values: Item = { ':id': current.id, ':position': current.lastMessageAt };
      const fields = { recordName: record.name || record.id, recordOwnerId: record.ownerId, recordOwningTeamId: record.owningTeamId, ...indexes };
      const names = ['recordName', 'recordOwnerId', 'recordOwningTeamId', 'gsi3pk', 'gsi3sk', 'gsi4pk', 'gsi4sk'] as const;
      // Most record updates change neither the name nor the owner: then no conversation is written.
      if (names.every((name) => (fields[name as keyof typeof fields] || undefined) === (current[name] || undefined))) return;
      for (const name of names) {
        const value = fields[name as keyof typeof fields];
        if (value) {
          set.push(`${name} = :${name}`);
          values[`:${name}`] = value;
        } else remove.push(name);
      }
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.table,
            Key: { pk: current.pk, sk: current.sk },
            UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : ''].join(' ').trim(),
            ConditionExpression: 'id = :id AND lastMessageAt = :position',
            ExpressionAttributeValues: values,
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) return RETRY;
        throw error;
      }
    });
  }

  /** True when no conversation is on the record (gsi1, one item read at most). */
  async holdsNoConversation(type: RecordType, id: string): Promise<boolean> {
    const out = await this.db.send(
      new QueryCommand({ TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.conversationsOfRecord(type, id) }, Limit: 1 }),
    );
    return (out.Items ?? []).length === 0;
  }

  /** Deletes a record and its phone-index entries in one transaction (erasure of a lead made for a number). */
  async remove(record: CrmRecord): Promise<void> {
    await this.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: this.table, Key: keys.record(record.type, record.id) } },
          ...[...numbersOf(record).keys()].map((number) => ({ Delete: { TableName: this.table, Key: keys.phoneIndex(number, record.type, record.id) } })),
        ],
      }),
    );
  }

  /** Opportunities linked to a contact through `contactIds`. */
  async opportunitiesOfContact(contactId: string): Promise<CrmRecord[]> {
    const links = await queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.record('contact', contactId).pk, ':prefix': keys.opportunityLinkPrefix },
    });
    return this.getMany(links.map((link) => ({ type: 'opportunity' as const, id: link.opportunityId as string })));
  }
}

/** The record, indexed by name for the lookup (by owner, owning team, and for admins by its first letters). */
function recordItem(record: CrmRecord, version: number): Item {
  return { ...keys.record(record.type, record.id), ...keys.recordNameIndexes(record), kind: 'record', ...record, version };
}

/** One phone-index item per distinct number the record holds, carrying what routing needs. */
function phoneIndexItems(table: string, record: CrmRecord): TransactItem[] {
  const entry = phoneIndexEntry(record);
  return [...numbersOf(record)].map(([number, fields]) => ({ Put: { TableName: table, Item: { ...keys.phoneIndex(number, record.type, record.id), kind: 'phoneIndex', number, fields, ...entry } } }));
}

export function phoneIndexEntry(record: CrmRecord): PhoneIndexEntry {
  return {
    type: record.type,
    id: record.id,
    name: record.name,
    ...(record.ownerId ? { ownerId: record.ownerId } : {}),
    ...(record.owningTeamId ? { owningTeamId: record.owningTeamId } : {}),
    state: record.state,
    modifiedAt: record.modifiedAt,
  };
}

export function toRecord(item: Item): CrmRecord {
  const record: CrmRecord = {
    type: item.type as RecordType,
    id: item.id as string,
    name: item.name as string,
    state: item.state as 'active' | 'inactive',
    modifiedAt: item.modifiedAt as string,
  };
  for (const field of ['phone', 'business', 'mobile'] as const) if (item[field]) record[field] = item[field] as E164;
  if (item.ownerId) record.ownerId = item.ownerId as string;
  if (item.owningTeamId) record.owningTeamId = item.owningTeamId as string;
  if (item.accountId) record.accountId = item.accountId as string;
  if (Array.isArray(item.contactIds)) record.contactIds = item.contactIds as string[];
  return record;
}

/** What conversations carry of their record: its owner (visibility indexes) and its name. */
export function shownOnConversationsChanged(previous: Pick<CrmRecord, 'ownerId' | 'owningTeamId' | 'name'>, next: Pick<CrmRecord, 'ownerId' | 'owningTeamId' | 'name'>): boolean {
  return previous.ownerId !== next.ownerId || previous.owningTeamId !== next.owningTeamId || previous.name !== next.name;
}

/**
 * Migration: a record stored before the record lookup's name indexes existed (round 1) gets them (gsi3 by owner, gsi4
 * by owning team, gsi5 by the name's first letters), unless it changed meanwhile (its next write indexes it). True
 * when it changed.
 */
export async function indexOlderRecordName(db: Db, table: string, item: Item): Promise<boolean> {
  if (item.kind !== 'record' || item.gsi5pk || typeof item.name !== 'string') return false;
  const record = toRecord(item);
  const indexes = keys.recordNameIndexes(record);
  const names = Object.keys(indexes);
  try {
    await db.send(
      new UpdateCommand({
        TableName: table,
        Key: keys.record(record.type, record.id),
        UpdateExpression: `SET ${names.map((n) => `${n} = :${n}`).join(', ')}`,
        // Unchanged since read (a record always carries its version; the name is checked too).
        ConditionExpression: `attribute_exists(pk) AND attribute_not_exists(gsi5pk) AND #name = :name${item.version === undefined ? '' : ' AND version = :version'}`,
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: { ...Object.fromEntries(Object.entries(indexes).map(([n, v]) => [`:${n}`, v])), ':name': item.name, ...(item.version === undefined ? {} : { ':version': item.version }) },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
