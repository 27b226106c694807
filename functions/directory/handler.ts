import * as z from 'zod/mini';
import { apiHandler, ok, parseWith } from '../../shared/http/api-handler';
import { CursorCodec, pageQuerySchema } from '../../shared/http/cursor';
import { cursorSigningKey } from '../../shared/secrets';
import { defaultDeps, directoryStores, type Deps } from '../../shared/deps';
import { idSchema, recordBodySchema, recordTypeSchema } from '../../shared/domain/records';
import { numberBodySchema, sellerBodySchema, teamBodySchema } from '../../shared/domain/directory';
import { normalizePhone, phoneFromPath } from '../../shared/domain/phone';
import { toCrmRecord } from '../../shared/domain/record-input';
import { notFound } from '../../shared/domain/errors';
import { assertKnownPlaceholders } from '../../shared/domain/template';
import { canReadRecord, viewerFrom } from '../../shared/domain/visibility';
import { onFirstUse } from '../../shared/lambda';
import { HttpError } from '../../shared/domain/errors';
import { recordsByName, recordsByNumber } from '../../shared/store/queries/record-lookup';
import { availabilityOf, setAvailability } from '../../shared/store/items/availability';

/** At most this many people and teams per lookup: a picker shows a short list and narrows as one types. */
export const ASSIGNEE_LOOKUP_LIMIT = 20;
const assigneeQuerySchema = z.object({ q: z.string().check(z.minLength(1), z.maxLength(100)) });

export const recordLookupQuerySchema = z.extend(pageQuerySchema, { q: z.string().check(z.minLength(1), z.maxLength(200)), type: z.optional(recordTypeSchema) });

/** Digits with the usual separators (and an optional leading +): the lookup matches numbers, not names. */
const looksLikePhoneNumber = (q: string) => /^\+?[\d\s().-]{6,}$/.test(q.trim());

const availabilityBodySchema = z.strictObject({ available: z.boolean() });

export function createHandler(deps: Deps, cursors = new CursorCodec(cursorSigningKey)) {
  const { directory, records } = directoryStores(deps);
  /** A seller as GET /me answers: profile and availability (a caller with no profile yet: no roles, no teams). */
  const me = async (sellerId: string) => {
    const [seller, availability] = await Promise.all([directory.getSeller(sellerId), availabilityOf(deps.db, deps.table, [sellerId])]);
    return { id: sellerId, name: seller?.name ?? sellerId, roles: seller?.roles ?? [], teamIds: seller?.teamIds ?? [], available: availability.get(sellerId)?.available ?? true };
  };

  return apiHandler('directory', {
    // Any seller: whom a conversation can be handed to, by name. Names and ids only, nothing else of the directory.
    'GET /directory/assignees': async ({ query }) => {
      const { q } = parseWith(assigneeQuerySchema, query, 'query');
      return ok({ items: await directory.assigneesNamed(q.trim() || q, ASSIGNEE_LOOKUP_LIMIT) });
    },
    // The caller as the directory knows them, with their availability for auto-assignment.
    'GET /me': async ({ caller }) => ok(await me(caller.sellerId)),
    'PUT /me/availability': async ({ caller, body }) => {
      const { available } = parseWith(availabilityBodySchema, body);
      await setAvailability(deps.db, deps.table, caller.sellerId, { available, at: deps.clock.now().toISOString(), by: caller.sellerId });
      return ok(await me(caller.sellerId));
    },
    // Admins: a seller's availability, read and set for them (someone left for the day without switching).
    'GET /directory/sellers/{sellerId}': async ({ params }) => {
      const id = parseWith(idSchema, params.sellerId, 'sellerId');
      if (!(await directory.getSeller(id))) throw notFound('seller');
      return ok(await me(id));
    },
    'PUT /directory/sellers/{sellerId}/availability': async ({ caller, params, body }) => {
      const id = parseWith(idSchema, params.sellerId, 'sellerId');
      const { available } = parseWith(availabilityBodySchema, body);
      if (!(await directory.getSeller(id))) throw notFound('seller');
      await setAvailability(deps.db, deps.table, id, { available, at: deps.clock.now().toISOString(), by: caller.sellerId });
      return ok(await me(id));
    },
    'PUT /directory/sellers/{sellerId}': async ({ params, body }) => {
      const id = parseWith(idSchema, params.sellerId, 'sellerId');
      return ok(await directory.putSeller({ id, ...parseWith(sellerBodySchema, body) }));
    },
    'PUT /directory/teams/{teamId}': async ({ params, body }) => {
      const id = parseWith(idSchema, params.teamId, 'teamId');
      return ok(await directory.putTeam({ id, ...parseWith(teamBodySchema, body) }));
    },
    'PUT /directory/numbers/{number}': async ({ params, body }) => {
      const number = phoneFromPath(params.number ?? '', deps.defaultRegion);
      const input = parseWith(numberBodySchema, body);
      if (input.autoReply) assertKnownPlaceholders(input.autoReply.body);
      return ok(await directory.putNumber({ number, ...input }));
    },
    'GET /me/numbers': async ({ caller, query }) => {
      const page = parseWith(pageQuerySchema, query, 'query');
      const scope = `me/numbers:${caller.sellerId}`;
      const after = await cursors.decode<string>(page.cursor, scope);
      const seller = await directory.getSeller(caller.sellerId);
      const assignees = [
        { type: 'seller' as const, id: caller.sellerId },
        ...(seller?.teamIds ?? []).map((id) => ({ type: 'team' as const, id })),
      ];
      const lists = await Promise.all(assignees.map((a) => directory.numbersOf(a)));
      // A seller holds a handful of numbers: read them all, page the sorted list (after the cursor's number).
      const sorted = lists.flat().sort((a, b) => a.number.localeCompare(b.number)).filter((n) => after === undefined || n.number > after);
      const items = sorted.slice(0, page.limit);
      return ok({ items, ...(sorted.length > page.limit ? { nextCursor: await cursors.encode(items.at(-1)!.number, scope) } : {}) });
    },
    'PUT /records/{type}/{id}': async ({ params, body }) => {
      const type = parseWith(recordTypeSchema, params.type, 'type');
      const id = parseWith(idSchema, params.id, 'id');
      const record = toCrmRecord(type, id, parseWith(recordBodySchema, body), deps);
      return ok((await records.upsert(record)).record);
    },
    'GET /records': async ({ caller, query }) => {
      const input = parseWith(recordLookupQuerySchema, query, 'query');
      const viewer = viewerFrom(caller, caller.isAdmin ? undefined : await directory.getSeller(caller.sellerId));
      const number = looksLikePhoneNumber(input.q) ? normalizePhone(input.q, deps.defaultRegion) : undefined;
      if (number) return ok({ items: await recordsByNumber(deps.db, deps.table, viewer, number, input.type) });
      if (input.q.trim().length < 2) throw new HttpError('ValidationError', 'q: give at least 2 characters of a name, or a phone number');
      const scope = `records?q=${input.q.trim().toLowerCase()}&type=${input.type ?? ''}:${caller.sellerId}`;
      const after = await cursors.decode<string>(input.cursor, scope);
      const { items, last } = await recordsByName(deps.db, deps.table, viewer, { prefix: input.q, type: input.type, limit: input.limit, after });
      return ok({ items, ...(last ? { nextCursor: await cursors.encode(last, scope) } : {}) });
    },
    'GET /records/{type}/{id}': async ({ params, caller }) => {
      const type = parseWith(recordTypeSchema, params.type, 'type');
      const id = parseWith(idSchema, params.id, 'id');
      const [record, seller] = await Promise.all([records.get(type, id), caller.isAdmin ? undefined : directory.getSeller(caller.sellerId)]);
      if (!record || !canReadRecord(viewerFrom(caller, seller), record)) throw notFound('record');
      return ok(record);
    },
  });
}

export const handler = onFirstUse(() => createHandler(defaultDeps()));
