import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../deps';
import { keys } from '../store/keys';
import { isConditionFailure } from '../store/dynamo-helpers';
import { reason } from '../domain/status';
import { count } from '../observability';

/** A send has this long to hear from its provider before the sweeper says it is unknown. */
export const QUEUED_GRACE_MS = 5 * 60_000;

/**
 * Messages still `queued` after the grace period were stored but their send was interrupted
 * (the function died or timed out before the provider answered): they may or may not have left,
 * so they become `unknown` with a reason, never re-sent. Conditional on `queued`, so a late answer wins.
 */
export async function sweepQueued(deps: Deps): Promise<number> {
  const before = new Date(deps.clock.now().getTime() - QUEUED_GRACE_MS).toISOString();
  let swept = 0;
  for (const shard of keys.queuedShards()) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await deps.db.send(
        new QueryCommand({
          TableName: deps.table,
          IndexName: 'gsi1',
          KeyConditionExpression: 'gsi1pk = :shard AND gsi1sk < :before',
          ExpressionAttributeValues: { ':shard': shard, ':before': before },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        try {
          await deps.db.send(
            new UpdateCommand({
              TableName: deps.table,
              Key: { pk: item.pk, sk: item.sk },
              UpdateExpression: 'SET #status = :unknown, statusReason = :reason, statusUpdatedAt = :at REMOVE gsi1pk, gsi1sk',
              ConditionExpression: '#status = :queued',
              ExpressionAttributeNames: { '#status': 'status' },
              ExpressionAttributeValues: {
                ':unknown': 'unknown',
                ':queued': 'queued',
                ':reason': reason('ProviderTimeout', 'the send was interrupted before the provider answered'),
                ':at': deps.clock.now().toISOString(),
              },
            }),
          );
          swept++;
        } catch (error) {
          if (!isConditionFailure(error)) throw error;
        }
      }
      start = page.LastEvaluatedKey;
    } while (start);
  }
  if (swept) count('OutboundSweptUnknown', swept);
  return swept;
}
