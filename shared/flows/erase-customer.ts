import { createHmac } from 'node:crypto';
import type { Deps } from '../deps';
import { cancellationCodes, type Item } from '../store/dynamo-helpers';
import { deleteInTransactions, writeTransaction } from '../store/transact';
import { ErasureStore, type ErasureEntry } from '../store/items/erasure';
import { RecordStore } from '../store/items/record';
import { erasedPointerInPlaceOf } from '../store/items/provider-message';
import { scheduleName } from '../domain/scheduling';
import { keys } from '../store/keys';
import { itemsAboutConversation, itemsOfConversation, itemsOfCustomer, providerMessageItems } from '../store/queries/customer-erasure';
import { numbersOf, type CrmRecord } from '../domain/records';
import { cursorSigningKey } from '../secrets';
import { count } from '../observability';
import type { MediaStore } from '../media/store';
import type { StoredMediaItem } from '../domain/media';

export interface ErasureHooks {
  /** Tests: called after each committed batch (a crash injected here must leave a resumable erasure). */
  afterBatch?: (batch: number) => void | Promise<void>;
  /** Deletes a message's stored media files (the MMS store); absent when there is none. */
  deleteMedia?: (message: Item) => Promise<void>;
  /** Deletes a scheduled message's schedule (EventBridge Scheduler); absent where nothing is scheduled. */
  deleteSchedule?: (name: string) => Promise<void>;
  /** The key of the keyed hash that names an erasure without its number. */
  hashKey?: () => Promise<string>;
  /** Milliseconds left to work in this request; when it runs low the erasure stops between batches, to be resumed. */
  timeLeftMs?: () => number;
}

/** Stop starting batches when less than this is left: one batch (a page read, its media deletes, two transactions) fits in it. */
export const ERASURE_BATCH_RESERVE_MS = 4_000;

export interface ErasureOutcome {
  conversations: number;
  messages: number;
  /** False when the time ran out: repeating the request resumes it. */
  complete: boolean;
}

/** Items read per page: a message brings its pointer (and any early report), so a page's deletes fit one or two transactions. */
const CONVERSATION_PAGE = 30;
const ABOUT_PAGE = 90;

/** The number, hashed with the deployment's secret key: an audit entry can be matched to a request, never read back. */
export async function numberHash(customer: string, hashKey: () => Promise<string> = cursorSigningKey): Promise<string> {
  return createHmac('sha256', await hashKey()).update(`erasure\n${customer}`).digest('hex');
}

/**
 * Erases a customer everywhere (contract: DELETE /customers/{customerNumber}), resumably:
 * 1. the audit entry records the conversations to erase (a repeat adds to it, never forgets one);
 * 2. each conversation item goes first, so no message can join it afterwards (appends require it);
 *    a message that arrived before is erased with it, one that arrives after lands in a new
 *    conversation and is kept whole;
 * 3. each conversation's partition (messages, head, timeline, read marks), its provider pointers and
 *    the items about it elsewhere (notifications, unread pointers) go in batches, each one
 *    transaction that also adds to the audit entry's counts, so an interrupted erasure counts exactly;
 * 4. the number's index entries and lead claim go; leads created for it that hold nothing else are
 *    deleted, other records lose the number. The opt-out state and consent history stay (the legal
 *    record of consent; they hold no message text).
 */
export async function eraseCustomer(deps: Deps, customer: string, by: string, hooks: ErasureHooks = {}): Promise<ErasureOutcome> {
  const { db, table } = deps;
  const erasures = new ErasureStore(db, table);
  const hash = await numberHash(customer, hooks.hashKey);
  let batch = 0;
  const committed = async () => {
    batch++;
    await hooks.afterBatch?.(batch);
  };
  const outOfTime = () => (hooks.timeLeftMs ? hooks.timeLeftMs() < ERASURE_BATCH_RESERVE_MS : false);
  const interrupted = async (): Promise<ErasureOutcome> => ({ ...((await erasures.get(hash))?.counts ?? { conversations: 0, messages: 0 }), complete: false });

  const customerItems = await itemsOfCustomer(db, table, customer);
  const conversations = customerItems.filter((item) => item.kind === 'conversation');
  // Conversations merged into these live on as heads and timelines under their own ids: erased too.
  const mergedIds = conversations.flatMap((c) => [...((c.mergedFromIds as Set<string> | undefined) ?? [])]);
  const entry = await erasures.begin(hash, by, deps.clock.now().toISOString(), [...conversations.map((c) => c.id as string), ...mergedIds]);

  for (const conversation of conversations) {
    try {
      await writeTransaction(db, [
        { Delete: { TableName: table, Key: { pk: conversation.pk, sk: conversation.sk }, ConditionExpression: 'attribute_exists(pk)' } },
        erasures.addCounts(hash, { conversations: 1 }),
      ]);
    } catch (error) {
      // Already erased by an earlier, interrupted run.
      if (!cancellationCodes(error)) throw error;
    }
  }
  await committed();

  for (const conversationId of entry.conversationIds) {
    for (;;) {
      if (outOfTime()) return interrupted();
      const page = await itemsOfConversation(db, table, conversationId, CONVERSATION_PAGE);
      if (page.length === 0) break;
      const deletes: Item[] = [];
      const messages = new Set<string>();
      for (const item of page) {
        if (item.kind === 'message') {
          // A message's pointers and its files go before it (or with it): never left behind by a crash.
          if (item.provider && item.providerMessageId) deletes.push(...(await providerMessageItems(db, table, item.provider as string, item.providerMessageId as string)));
          await hooks.deleteMedia?.(item);
          // A scheduled message (any revision) loses its schedule and its pointer: nothing of it is sent afterwards.
          if (item.revision !== undefined) {
            if (item.status === 'scheduled') await hooks.deleteSchedule?.(scheduleName(item.id as string, item.revision as number));
            deletes.push(keys.scheduledPointer(item.id as string));
          }
          messages.add(`${item.pk as string}\u0000${item.sk as string}`);
        }
        deletes.push({ pk: item.pk, sk: item.sk });
      }
      // Each transaction counts the messages it deletes.
      // Each provider pointer becomes a tombstone: a re-delivered or replayed callback of the message stays erased.
      await deleteInTransactions(db, table, deletes, (slice) => erasures.addCounts(hash, { messages: slice.filter((k) => messages.has(`${k.pk as string}\u0000${k.sk as string}`)).length }), erasedPointerInPlaceOf);
      await committed();
    }
    for (;;) {
      if (outOfTime()) return interrupted();
      const about = await itemsAboutConversation(db, table, conversationId, ABOUT_PAGE);
      if (about.length === 0) break;
      await deleteInTransactions(db, table, about);
      await committed();
    }
  }

  await forgetNumber(deps, customer, customerItems);
  const done = await erasures.finish(hash, deps.clock.now().toISOString());
  count('CustomerErased');
  return { ...done.counts, complete: true };
}

/** The number's own items, except consent: index entries, lead claim; leads made for it, and the number on other records. */
async function forgetNumber(deps: Deps, customer: string, customerItems: Item[]): Promise<void> {
  const records = new RecordStore(deps.db, deps.table);
  const leadClaim = customerItems.find((item) => item.kind === 'leadClaim');
  const holding = customerItems.filter((item) => item.kind === 'phoneIndex').map((item) => ({ type: item.type as CrmRecord['type'], id: item.id as string }));
  for (const ref of holding) {
    const record = await records.get(ref.type, ref.id);
    if (!record) continue;
    const madeForIt = ref.type === 'lead' && leadClaim?.leadId === ref.id;
    const otherNumbers = [...numbersOf(record).keys()].filter((n) => n !== customer);
    if (madeForIt && otherNumbers.length === 0 && (await records.holdsNoConversation(ref.type, ref.id))) {
      await records.remove(record);
      continue;
    }
    const kept: CrmRecord = { ...record };
    for (const field of ['phone', 'business', 'mobile'] as const) if (kept[field] === customer) delete kept[field];
    // A lead named after its number (as inbound leads are) keeps no trace of it.
    if (kept.name === customer) kept.name = 'Erased customer';
    await records.upsert(kept);
  }
  await deleteInTransactions(deps.db, deps.table, customerItems.filter((item) => item.kind === 'phoneIndex' || item.kind === 'leadClaim'));
}

/** The erasure hook that deletes a message's copied files from a media store. */
export function deleteMediaOf(store: MediaStore): (message: Item) => Promise<void> {
  return async (message) => {
    for (const file of (message.media ?? []) as StoredMediaItem[]) await store.delete(file.storageKey);
  };
}

export async function erasuresPage(deps: Deps, limit: number, startAfter?: Record<string, unknown>): Promise<{ items: ErasureEntry[]; lastKey?: Record<string, unknown> | undefined }> {
  return new ErasureStore(deps.db, deps.table).page(limit, startAfter);
}
