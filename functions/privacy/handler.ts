import * as z from 'zod/mini';
import { apiHandler, ok, parseWith } from '../../shared/http/api-handler';
import { defaultDeps, type Deps } from '../../shared/deps';
import { CursorCodec, pageQuerySchema } from '../../shared/http/cursor';
import { cursorSigningKey } from '../../shared/secrets';
import { phoneFromPath } from '../../shared/domain/phone';
import { notFound } from '../../shared/domain/errors';
import { canAssignConversation, canSeeConversation, isSalesperson, viewerFrom } from '../../shared/domain/visibility';
import { HttpError } from '../../shared/domain/errors';
import { newId } from '../../shared/domain/clock';
import { DirectoryStore } from '../../shared/store/items/directory';
import { currentConsent } from '../../shared/store/items/opt-out';
import { recordManualConsent } from '../../shared/flows/record-consent';
import { readCustomerPartition } from '../../shared/store/queries/customer-partition';
import { ERASURE_REQUEST_BUDGET_MS } from '../../shared/limits';
import { deleteMediaOf, eraseCustomer, erasuresPage, type ErasureHooks } from '../../shared/flows/erase-customer';
import { mediaStore } from '../../shared/media/aws-media-store';
import { onFirstUse } from '../../shared/lambda';
import { awsMessageScheduler } from '../../shared/schedules/message-scheduler';

export const consentBodySchema = z.strictObject({ status: z.enum(['opted_out', 'opted_in']), reason: z.string().check(z.trim(), z.minLength(1), z.maxLength(500)) });

/** Consent (current state, manual changes) and erasure on request (contract, "Consent and privacy"). */
export function createHandler(deps: Deps, cursors = new CursorCodec(cursorSigningKey), hooks: ErasureHooks = {}) {
  const directory = new DirectoryStore(deps.db, deps.table);

  return apiHandler('privacy', {
    'GET /consent/{customerNumber}': async ({ caller, params }) => {
      const customer = phoneFromPath(params.customerNumber ?? '', deps.defaultRegion);
      if (!caller.isAdmin) {
        // Sellers see the consent of a customer they have a conversation with; anyone else gets 404.
        const [seller, partition] = await Promise.all([directory.getSeller(caller.sellerId), readCustomerPartition(deps.db, deps.table, customer)]);
        const viewer = viewerFrom(caller, seller);
        if (!partition.conversations.some((c) => canSeeConversation(viewer, c))) throw notFound('customer');
      }
      const items = await currentConsent(deps.db, deps.table, customer);
      return ok({ items: items.map(({ businessNumber, status, at, source, keyword, by, reason }) => ({ businessNumber, status, at, source, ...(keyword ? { keyword } : {}), ...(by ? { by } : {}), ...(reason ? { reason } : {}) })) });
    },

    'PUT /consent/{customerNumber}/{businessNumber}': async ({ caller, params, body }) => {
      const customer = phoneFromPath(params.customerNumber ?? '', deps.defaultRegion);
      const business = phoneFromPath(params.businessNumber ?? '', deps.defaultRegion);
      const input = parseWith(consentBodySchema, body);
      // Admins; and a seller who may hand off a conversation between these two numbers (they record what the customer chose).
      const [seller, partition] = await Promise.all([caller.isAdmin ? undefined : directory.getSeller(caller.sellerId), readCustomerPartition(deps.db, deps.table, customer)]);
      const between = partition.conversations.filter((c) => c.businessNumber === business);
      if (!caller.isAdmin) {
        const viewer = viewerFrom(caller, seller);
        if (!between.some((c) => canSeeConversation(viewer, c))) throw notFound('conversation');
        if (!isSalesperson(seller) || !between.some((c) => canAssignConversation(viewer, c))) throw new HttpError('InsufficientPrivileges', 'only an admin, or a seller who may hand the conversation off, records a customer\'s consent');
        // Re-opting a customer in is their own act (START) or an admin's, never a seller's.
        if (input.status === 'opted_in') throw new HttpError('InsufficientPrivileges', 'a seller records opt-outs only: the customer opts back in with START, or an admin records it');
      }
      const now = deps.clock.now();
      const change = { id: newId(now), status: input.status, at: now.toISOString(), source: 'manual' as const, reason: input.reason, by: caller.sellerId };
      // The customer's choice is recorded: a likely opt-out on these conversations is handled with it.
      await recordManualConsent(deps, customer, business, change);
      return ok({ businessNumber: business, status: change.status, at: change.at, source: change.source, by: change.by, reason: change.reason });
    },

    'DELETE /customers/{customerNumber}': async ({ caller, params }) => {
      const customer = phoneFromPath(params.customerNumber ?? '', deps.defaultRegion);
      // API Gateway gives a request 30 s: a large customer is erased over several requests, each resuming the last.
      const started = Date.now();
      const { complete, ...counts } = await eraseCustomer(deps, customer, caller.sellerId, { timeLeftMs: () => ERASURE_REQUEST_BUDGET_MS - (Date.now() - started), ...hooks });
      if (complete) return ok(counts);
      return { status: 202, body: { ...counts, status: 'in_progress' }, headers: { 'retry-after': '1' } };
    },

    'GET /erasures': async ({ query }) => {
      const page = parseWith(pageQuerySchema, query, 'query');
      const start = await cursors.decode<Record<string, unknown>>(page.cursor, 'erasures');
      const { items, lastKey } = await erasuresPage(deps, page.limit, start);
      return ok({ items, ...(lastKey ? { nextCursor: await cursors.encode(lastKey, 'erasures') } : {}) });
    },
  });
}

export const handler = onFirstUse(() => createHandler(defaultDeps(), undefined, { deleteMedia: (message) => deleteMediaOf(mediaStore())(message), deleteSchedule: (name) => awsMessageScheduler().delete(name) }));
