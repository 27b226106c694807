import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { isSenderIdRecord } from './conversation';
import type { Db } from '../../aws';
import { keys } from '../keys';
import type { Item, TransactItem } from '../dynamo-helpers';
import type { RecordType } from '../../domain/types';
import { timeline, type TimelineEvent } from '../../domain/timeline';
import { consentHistory } from './opt-out';

/** A change recorded in a conversation's timeline, always in the transaction that makes the change. */
export type NewConversationEvent = Extract<TimelineEvent, { kind: 'moved' | 'merged' | 'assigned' | 'likely_opt_out' }>;

/** What the CRM event of a timeline entry needs to name the conversation (its record and numbers at the time). */
export interface EventAbout {
  record: { type: RecordType; id: string };
  customerNumber: string;
  businessNumber: string;
}

export function conversationEventItem(table: string, conversationId: string, event: NewConversationEvent, about: EventAbout, extra: Item = {}): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: { ...keys.conversationEvent(conversationId, event.at, event.id), kind: 'conversationEvent', conversationId, event, about, ...extra },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
}

/** The conversation's timeline, newest first: its head (creation), its recorded changes and its consent history. */
export async function timelineOf(db: Db, table: string, conversation: { id: string; customerNumber: string; businessNumber: string }): Promise<TimelineEvent[]> {
  const [head, changes, consent] = await Promise.all([
    db.send(new GetCommand({ TableName: table, Key: keys.conversationHead(conversation.id) })).then((out) => out.Item),
    db
      .send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': keys.conversationHead(conversation.id).pk, ':prefix': keys.conversationEventPrefix },
        }),
      )
      .then((out) => ((out.Items ?? []) as Item[]).map((item) => item.event as TimelineEvent)),
    consentHistory(db, table, conversation.customerNumber, conversation.businessNumber),
  ]);
  return timeline({
    created:
      head?.createdAt && head.mergedInto === undefined
        ? { id: `${conversation.id}-created`, at: head.createdAt as string, record: isSenderIdRecord(head.record as never) ? undefined : (head.record as never), routing: head.routing as never, by: head.createdBy as string | undefined }
        : undefined,
    changes,
    consent,
  });
}
