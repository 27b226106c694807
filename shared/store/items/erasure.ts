import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import type { Item, TransactItem } from '../dynamo-helpers';

/** An erasure's audit entry as `GET /erasures` lists it: the number only as a keyed hash. */
export interface ErasureEntry {
  numberHash: string;
  by: string;
  at: string;
  status: 'running' | 'done';
  finishedAt?: string;
  counts: { conversations: number; messages: number };
}

/** The erasure audit entries (`ERASURE#hash`, `AUDIT`): the only module that writes one. */
export class ErasureStore {
  constructor(
    private readonly db: Db,
    private readonly table: string,
  ) {}

  /** Starts an erasure, or resumes one: the conversations to erase accumulate over repeats. */
  async begin(hash: string, by: string, at: string, conversationIds: string[]): Promise<{ conversationIds: string[] }> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.erasure(hash),
        UpdateExpression: `SET kind = :kind, numberHash = :hash, #by = :by, #status = :running, startedAt = if_not_exists(startedAt, :at), gsi1pk = :list, gsi1sk = if_not_exists(gsi1sk, :order), conversations = if_not_exists(conversations, :zero), messages = if_not_exists(messages, :zero)${conversationIds.length ? ' ADD conversationIds :ids' : ''} REMOVE finishedAt`,
        ExpressionAttributeNames: { '#by': 'by', '#status': 'status' },
        ExpressionAttributeValues: {
          ':kind': 'erasure',
          ':hash': hash,
          ':by': by,
          ':running': 'running',
          ':at': at,
          ':list': keys.erasuresPartition,
          ':order': keys.erasureList(at, hash).gsi1sk,
          ':zero': 0,
          ...(conversationIds.length ? { ':ids': new Set(conversationIds) } : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return { conversationIds: [...((out.Attributes?.conversationIds as Set<string> | undefined) ?? [])].sort() };
  }

  /** Added to the audit entry in the transaction that deletes what it counts. */
  addCounts(hash: string, counts: { conversations?: number; messages?: number }): TransactItem {
    return {
      Update: {
        TableName: this.table,
        Key: keys.erasure(hash),
        UpdateExpression: 'ADD conversations :conversations, messages :messages',
        ExpressionAttributeValues: { ':conversations': counts.conversations ?? 0, ':messages': counts.messages ?? 0 },
      },
    };
  }

  async finish(hash: string, at: string): Promise<ErasureEntry> {
    const out = await this.db.send(
      new UpdateCommand({
        TableName: this.table,
        Key: keys.erasure(hash),
        // The conversation ids are not needed once done, and name nothing outside the erased data.
        UpdateExpression: 'SET #status = :done, finishedAt = :at REMOVE conversationIds',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':done': 'done', ':at': at },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toEntry(out.Attributes as Item);
  }

  async get(hash: string): Promise<ErasureEntry | undefined> {
    const item = (await this.db.send(new GetCommand({ TableName: this.table, Key: keys.erasure(hash), ConsistentRead: true }))).Item;
    return item ? toEntry(item) : undefined;
  }

  /** Newest first. */
  async page(limit: number, startAfter?: Record<string, unknown>) {
    const out = await this.db.send(
      new QueryCommand({ TableName: this.table, IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :pk', ExpressionAttributeValues: { ':pk': keys.erasuresPartition }, ScanIndexForward: false, Limit: limit, ExclusiveStartKey: startAfter }),
    );
    return { items: ((out.Items ?? []) as Item[]).map(toEntry), lastKey: out.LastEvaluatedKey };
  }
}

function toEntry(item: Item): ErasureEntry {
  return {
    numberHash: item.numberHash as string,
    by: item.by as string,
    at: item.startedAt as string,
    status: item.status as ErasureEntry['status'],
    ...(item.finishedAt ? { finishedAt: item.finishedAt as string } : {}),
    counts: { conversations: (item.conversations as number) ?? 0, messages: (item.messages as number) ?? 0 },
  };
}
