import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { Item } from './dynamo-helpers';

/** One change of the table's stream, with its images as plain items. */
export interface ChangedItem {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  newImage?: Item | undefined;
  oldImage?: Item | undefined;
  /** A removal by DynamoDB TTL (retention), not by the application. */
  byTtl?: boolean;
}

export function changedItem(record: DynamoDBRecord): ChangedItem {
  return {
    eventName: record.eventName as ChangedItem['eventName'],
    newImage: record.dynamodb?.NewImage ? unmarshall(record.dynamodb.NewImage as Record<string, AttributeValue>) : undefined,
    oldImage: record.dynamodb?.OldImage ? unmarshall(record.dynamodb.OldImage as Record<string, AttributeValue>) : undefined,
    ...(record.userIdentity?.principalId === 'dynamodb.amazonaws.com' ? { byTtl: true } : {}),
  };
}
