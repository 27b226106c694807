import type { Deps } from '../deps';
import type { Key } from '../store/keys';
import { isTransactionConditionFailure } from '../store/dynamo-helpers';
import { applyStatus } from '../store/items/message';
import { deletePendingReport, messageKeyOf, pendingReportItems, pendingReports } from '../store/items/provider-message';
import type { DeliveryReport } from '../providers/delivery-report-formats';
import { createHash } from 'node:crypto';
import { count, countBy } from '../observability';
import { retryOnConflict, RETRY, writeTransaction } from '../store/transact';

export type ReportOutcome = 'applied' | 'ignored' | 'pending';

/**
 * Applies a delivery report to its message. Final statuses never regress (the update is conditional
 * on the statuses that accept the new one). A report for a provider id we have not recorded yet is
 * kept as a pending item, atomically with a check that the id is still unknown, and applied by the
 * send once it records the id: no report is lost to that race.
 */
export async function applyDeliveryReport(deps: Deps, report: DeliveryReport): Promise<ReportOutcome> {
  return retryOnConflict({ name: 'DeliveryReport', maxAttempts: 5 }, async (): Promise<ReportOutcome | typeof RETRY> => {
    const messageKey = await messageKeyOf(deps.db, deps.table, report.provider, report.providerMessageId);
    if (messageKey === 'erased') {
      count('DeliveryReportForErased');
      return 'ignored';
    }
    if (messageKey) return updateMessageStatus(deps, messageKey, report);
    try {
      // A report for a message that never gets recorded is dropped after 30 days.
      await writeTransaction(deps.db, pendingReportItems(deps.table, report, reportId(report), Math.floor(deps.clock.now().getTime() / 1000) + 30 * 86_400));
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
  const outcome = await applyStatus(deps.db, deps.table, messageKey, report);
  count(outcome === 'applied' ? 'DeliveryReportApplied' : 'DeliveryReportIgnored');
  if (outcome === 'applied' && (report.status === 'failed' || report.status === 'undelivered')) countBy('DeliveryFailures', 'reason', report.statusReason?.code ?? 'unknown');
  return outcome;
}

/** After a send records its provider id: apply the reports that arrived before it, oldest first. */
export async function applyPendingReports(deps: Deps, provider: string, providerMessageId: string, messageKey: Key): Promise<number> {
  const reports = await pendingReports(deps.db, deps.table, provider, providerMessageId);
  for (const { key, report } of reports) {
    await updateMessageStatus(deps, messageKey, report);
    await deletePendingReport(deps.db, deps.table, key);
  }
  return reports.length;
}

/** The same report delivered twice lands on the same pending item. */
function reportId(report: DeliveryReport): string {
  return `${report.occurredAt}#${createHash('sha256').update(`${report.status}|${report.statusReason?.code ?? ''}`).digest('hex').slice(0, 12)}`;
}
