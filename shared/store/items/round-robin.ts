import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';
import type { TransactItem } from '../dynamo-helpers';

/**
 * A team's auto-assignment turn (`TURN#t` / `ROUNDROBIN`): the member who got its last new conversation, and a version.
 * The only module that writes it: taking a turn is conditional on the version read, inside the transaction that creates
 * the conversation, so two new conversations at once never take the same turn (the loser re-reads and takes the next).
 */
export interface Turn {
  last?: string | undefined;
  version: number;
}

export async function turnOf(db: Db, table: string, teamId: string): Promise<Turn> {
  const item = (await db.send(new GetCommand({ TableName: table, Key: keys.teamRoundRobin(teamId), ConsistentRead: true }))).Item;
  return { last: item?.last as string | undefined, version: (item?.version as number | undefined) ?? 0 };
}

export function takeTurnItem(table: string, teamId: string, read: Turn, sellerId: string): TransactItem {
  return {
    Put: {
      TableName: table,
      Item: { ...keys.teamRoundRobin(teamId), kind: 'roundRobin', teamId, last: sellerId, version: read.version + 1 },
      ConditionExpression: read.version === 0 ? 'attribute_not_exists(pk)' : 'version = :version',
      ...(read.version === 0 ? {} : { ExpressionAttributeValues: { ':version': read.version } }),
    },
  };
}
