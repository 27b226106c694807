import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys, type Principal } from '../keys';

/**
 * A seller's unanswered conversations (an inbound message after the last reply: `waitingSince` set), counted up to
 * `limit` through their assignee list (gsi2): the query stops as soon as the limit is reached.
 */
export async function unansweredCount(db: Db, table: string, seller: Principal, limit: number): Promise<number> {
  let counted = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: table,
        IndexName: 'gsi2',
        KeyConditionExpression: 'gsi2pk = :pk',
        FilterExpression: 'attribute_exists(waitingSince)',
        ExpressionAttributeValues: { ':pk': keys.conversationsOfAssignee(seller) },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    counted += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start && counted < limit);
  return counted;
}
