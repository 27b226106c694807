import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../aws';
import { keys } from '../keys';

/**
 * A team's auto-assignment ticket counter (`TURN#t` / `ROUNDROBIN`): the only module that writes it. Each new
 * conversation takes the next ticket with one atomic ADD, so new conversations arriving together never wait for each
 * other or retry (a conditional "whose turn" item made a burst of new leads retry each other in turn). A ticket taken
 * by a message that then joins a conversation created meanwhile is simply not used: fairness drifts by one at most.
 */
export async function takeTicket(db: Db, table: string, teamId: string): Promise<number> {
  const { Attributes } = await db.send(
    new UpdateCommand({
      TableName: table,
      Key: keys.teamRoundRobin(teamId),
      UpdateExpression: 'SET kind = :kind, teamId = :team ADD ticket :one',
      ExpressionAttributeValues: { ':kind': 'roundRobin', ':team': teamId, ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return (Attributes?.ticket as number | undefined) ?? 1;
}
