import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../aws';
import { keys } from './keys';
import { isConditionFailure, type Item } from './dynamo-helpers';

export interface Template {
  id: string;
  name: string;
  body: string;
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

  /** Templates by name (gsi1), a page at a time. */
  async list(limit: number, startAfter?: Item): Promise<{ items: Template[]; lastKey?: Item | undefined }> {
    const out = await this.db.send(
      new QueryCommand({
        TableName: this.table,
        IndexName: 'gsi1',
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.templatesPartition },
        Limit: limit,
        ExclusiveStartKey: startAfter,
      }),
    );
    return { items: (out.Items ?? []).map(toTemplate), lastKey: out.LastEvaluatedKey };
  }

  async put(template: Template, options: { mustExist: boolean }): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.table,
          Item: { ...keys.template(template.id), ...keys.templateList(template.name, template.id), kind: 'template', ...template },
          ConditionExpression: options.mustExist ? 'attribute_exists(pk)' : 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async delete(id: string): Promise<boolean> {
    try {
      await this.db.send(new DeleteCommand({ TableName: this.table, Key: keys.template(id), ConditionExpression: 'attribute_exists(pk)' }));
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

function toTemplate(item: Item): Template {
  return {
    id: item.id as string,
    name: item.name as string,
    body: item.body as string,
    createdBy: item.createdBy as string,
    createdAt: item.createdAt as string,
    updatedAt: item.updatedAt as string,
  };
}
