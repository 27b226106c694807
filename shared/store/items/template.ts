import { templateNameSkeleton } from '../../domain/template-name';
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type RecordType } from '../keys';
import { cancellationCodes, isConditionFailure, type Item, type TransactItem } from '../dynamo-helpers';

export interface Template {
  id: string;
  name: string;
  body: string;
  recordTypes?: RecordType[];
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

export class TemplateStore {
  constructor(
    private readonly db: Db,
    private readonly table: string,
  ) {}

  async get(id: string): Promise<Template | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.table, Key: keys.template(id) }));
    return Item ? toTemplate(Item) : undefined;
  }

  /** Templates by name (gsi1), a page at a time; with a record type, those meant for it and those meant for any. */
  async list(limit: number, startAfter?: Item, recordType?: RecordType): Promise<{ items: Template[]; lastKey?: Item | undefined }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.templatesPartition, ...(recordType ? { ':type': recordType } : {}) },
        ...(recordType ? { FilterExpression: 'attribute_not_exists(recordTypes) OR contains(recordTypes, :type)' } : {}),
        Limit: limit,
        ExclusiveStartKey: startAfter,
      }),
    );
    return { items: (out.Items ?? []).map(toTemplate), lastKey: out.LastEvaluatedKey };
  }

  /** `nameTaken`: another template has this name (case-insensitive); `missing`: no such template. */
  async create(template: Template): Promise<TemplateWrite> {
    return this.write([
      { Put: { TableName: this.table, Item: this.item(template), ConditionExpression: 'attribute_not_exists(pk)' } },
      this.claim(template),
    ]);
  }

  async update(template: Template, previous: Template): Promise<TemplateWrite> {
    const renamed = templateNameSkeleton(template.name) !== templateNameSkeleton(previous.name);
    return this.write([
      // The stored name must still be the one read, so a concurrent rename cannot leave a stale claim.
      { Put: { TableName: this.table, Item: this.item(template), ConditionExpression: 'attribute_exists(pk) AND #name = :previous', ExpressionAttributeNames: { '#name': 'name' }, ExpressionAttributeValues: { ':previous': previous.name } } },
      ...(renamed ? [{ Delete: { TableName: this.table, Key: keys.templateName(previous.name) } }, this.claim(template)] : []),
    ]);
  }

  async delete(template: Template): Promise<TemplateWrite> {
    return this.write([
      { Delete: { TableName: this.table, Key: keys.template(template.id), ConditionExpression: 'attribute_exists(pk)' } },
      { Delete: { TableName: this.table, Key: keys.templateName(template.name) } },
    ]);
  }

  private item(template: Template): Item {
    return { ...keys.template(template.id), ...keys.templateList(template.name, template.id), kind: 'template', ...template };
  }

  private claim(template: Template): TransactItem {
    return { Put: { TableName: this.table, Item: { ...keys.templateName(template.name), kind: 'templateName', templateId: template.id }, ConditionExpression: 'attribute_not_exists(pk)' } };
  }

  /** The template item is first in every write, its name claim last. */
  private async write(items: TransactItem[]): Promise<TemplateWrite> {
    try {
      await this.db.send(new TransactWriteCommand({ TransactItems: items }));
      return 'ok';
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] === 'ConditionalCheckFailed') return 'missing';
      if (codes[items.length - 1] === 'ConditionalCheckFailed') return 'nameTaken';
      throw error;
    }
  }
}

export type TemplateWrite = 'ok' | 'missing' | 'nameTaken';

function toTemplate(item: Item): Template {
  return {
    id: item.id as string,
    name: item.name as string,
    body: item.body as string,
    ...(Array.isArray(item.recordTypes) ? { recordTypes: item.recordTypes as RecordType[] } : {}),
    createdBy: item.createdBy as string,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}

/**
 * Migration: a template stored before names were claimed (round 1) claims its name, as a new one would. Two templates
 * of round 1 may share a name (nothing refused it then): the first one visited keeps the claim, the other stays
 * readable and usable, and its next rename must pick a free name. True when the claim was written.
 */
export async function claimOlderTemplateName(db: Db, table: string, item: Item): Promise<boolean> {
  if (item.kind !== 'template' || typeof item.name !== 'string') return false;
  try {
    await db.send(new PutCommand({ TableName: table, Item: { ...keys.templateName(item.name), kind: 'templateName', templateId: item.id }, ConditionExpression: 'attribute_not_exists(pk)' }));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
