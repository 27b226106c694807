import type { Deps } from '../deps';
import { HttpError } from '../domain/errors';
import type { ConsentRecord } from '../domain/opt-out';
import { clearLikelyOptOutItem } from '../store/items/conversation';
import { consentState, optOutItems } from '../store/items/opt-out';
import { readCustomerPartition } from '../store/queries/customer-partition';
import { cancellationCodes } from '../store/dynamo-helpers';
import { RETRY, retryOnConflict, writeTransaction } from '../store/transact';

/**
 * A manual consent change (contract, `PUT /consent`), written with the likely opt-outs it handles. A conversation
 * that moves meanwhile is read again and the change written again (never a 500, never lost). An opt-in applies
 * only to the state it was decided on: a customer's STOP that lands in between wins, and the caller hears 409.
 */
export async function recordManualConsent(deps: Deps, customer: string, business: string, change: ConsentRecord): Promise<void> {
  let decidedVersion: number | undefined;
  await retryOnConflict({ name: 'ConsentChange', maxAttempts: 5, exhausted: () => new HttpError('Conflict', 'the customer\'s conversations kept changing while the consent change was written; retry') }, async (attempt) => {
    const [partition, state] = await Promise.all([readCustomerPartition(deps.db, deps.table, customer), change.status === 'opted_in' ? consentState(deps.db, deps.table, customer, business) : undefined]);
    // The first attempt decided on what the caller saw; a retry after a move decides on the state read before the first.
    if (attempt === 1) decidedVersion = state?.version;
    const flagged = partition.conversations.filter((c) => c.businessNumber === business && c.likelyOptOut).slice(0, 20);
    try {
      await writeTransaction(deps.db, [...optOutItems(deps.table, customer, business, change, undefined, change.status === 'opted_in' ? decidedVersion : undefined), ...flagged.map((c) => clearLikelyOptOutItem(deps.table, c))]);
      return undefined;
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!codes) throw error;
      if (codes[0] === 'ConditionalCheckFailed') throw new HttpError('Conflict', 'the customer\'s consent changed meanwhile (a STOP or another change): read it again before opting them in');
      return RETRY;
    }
  });
}
