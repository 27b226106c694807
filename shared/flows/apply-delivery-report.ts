import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Deps } from '../deps';
import { keys, type Key } from '../store/keys';
import { isConditionFailure, isTransactionConditionFailure, queryAll, type Item } from '../store/dynamo-helpers';
import { statusesThatAccept } from '../domain/status';
import type { DeliveryReport } from '../providers/delivery-report-formats';
import { createHash } from 'node:crypto';
import { count } from '../observability';
import { retryOnConflict, RETRY } from '../store/transact';

export type ReportOutcome = 'applied' | 'ignored' | 'pending';

/**
 * Applies a delivery report to its message. Final statuses never regress (the update is conditional
 * on the statuses that accept the new one). A report for a provider id we have not recorded yet is
 * kept as a pending item, atomically with a check that the id is still unknown, and applied by the
 * send once it records the id: no report is lost to that race.
 */
export async function applyDeliveryReport(deps: Deps, report: DeliveryReport): Promise<ReportOutcome> {
  const pointerKey = keys.providerMessage(report.provider, report.providerMessageId);
  return retryOnConflict({ name: 'DeliveryReport', maxAttempts: 5 }, async (): Promise<ReportOutcome | typeof RETRY> => {
    const pointer = (await deps.db.send(new GetCommand({ TableName: deps.table, Key: pointerKey, ConsistentRead: true }))).Item;
    if (pointer) return updateMessageStatus(deps, pointer.messageKey as Key, report);
    try {
      await deps.db.send(
        new TransactWriteCommand({
          TransactItems: [
            { ConditionCheck: { TableName: deps.table, Key: pointerKey, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: deps.table,
                Item: {
                  ...keys.pendingReport(report.provider, report.providerMessageId, reportId(report)),
                  kind: 'pendingReport',
                  report,
                  // A report for a message that never gets recorded is dropped after 30 days.
                  expiresAt: Math.floor(deps.clock.now().getTime() / 1000) + 30 * 86_400,
                },
              },
            },
          ],
        }),
      );
      count('DeliveryReportPending');
      return 'pending';
    } catch (error) {
      if (!isTransactionConditionFailure(error)) throw error;
      // The send recorded the id meanwhile: apply directly.
      return RETRY;
    }
  });
}

export async function updateMessageStatus(deps: Deps, messageKey: Key, report: Pick<DeliveryReport, 'status' | 'statusReason' | 'occurredAt'>): Promise<ReportOutcome> {
  const accepting = statusesThatAccept(report.status);
  if (accepting.length === 0) return 'ignored';
  const values: Item = { ':status': report.status, ':at': report.occurredAt };
  accepting.forEach((s, i) => (values[`:from${i}`] = s));
  const sets = ['#status = :status', 'statusUpdatedAt = :at'];
  if (report.statusReason) {
    sets.push('statusReason = :reason');
    values[':reason'] = report.statusReason;
  }
  try {
    await deps.db.send(
      new UpdateCommand({
        TableName: deps.table,
        Key: messageKey,
        UpdateExpression: `SET ${sets.join(', ')}${report.statusReason ? '' : ' REMOVE statusReason'}`,
        ConditionExpression: `attribute_exists(pk) AND #status IN (${accepting.map((_, i) => `:from${i}`).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
    count('DeliveryReportApplied');
    return 'applied';
  } catch (error) {
    if (isConditionFailure(error)) {
      count('DeliveryReportIgnored');
      return 'ignored';
    }
    throw error;
  }
}

/** After a send records its provider id: apply the reports that arrived before it, oldest first. */
export async function applyPendingReports(deps: Deps, provider: string, providerMessageId: string, messageKey: Key): Promise<number> {
  const pending = await queryAll(deps.db, {
    TableName: deps.table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.providerMessage(provider, providerMessageId).pk, ':prefix': keys.pendingReportPrefix },
    ConsistentRead: true,
  });
  const reports = pending.map((item) => ({ key: { pk: item.pk as string, sk: item.sk as string }, report: item.report as DeliveryReport }));
  reports.sort((a, b) => a.report.occurredAt.localeCompare(b.report.occurredAt));
  for (const { key, report } of reports) {
    await updateMessageStatus(deps, messageKey, report);
    await deps.db.send(new DeleteCommand({ TableName: deps.table, Key: key }));
  }
  return reports.length;
}

/** The same report delivered twice lands on the same pending item. */
function reportId(report: DeliveryReport): string {
  return `${report.occurredAt}#${createHash('sha256').update(`${report.status}|${report.statusReason?.code ?? ''}`).digest('hex').slice(0, 12)}`;
}
