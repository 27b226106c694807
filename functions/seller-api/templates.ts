import * as z from 'zod/mini';
import { customerTime } from '../../shared/domain/quiet-hours';
import { normalizePhone } from '../../shared/domain/phone';
import { ok, parseWith, type RouteHandler } from '../../shared/http/api-handler';
import type { Deps } from '../../shared/deps';
import { TemplateStore, type TemplateWrite } from '../../shared/store/items/template';
import { RecordStore } from '../../shared/store/items/record';
import { DirectoryStore } from '../../shared/store/items/directory';
import { assertKnownPlaceholders, render } from '../../shared/domain/template';
import { renderBodySchema, templateBodySchema } from '../../shared/domain/template-input';
import { recordTypeSchema } from '../../shared/domain/records';
import { segmentInfo } from '../../shared/domain/segments';
import { HttpError, notFound } from '../../shared/domain/errors';
import { newId } from '../../shared/domain/clock';
import { canReadRecord, isSalesperson, viewerFrom } from '../../shared/domain/visibility';
import { pageQuerySchema, type CursorCodec } from '../../shared/http/cursor';
import type { Caller } from '../../shared/http/auth';
import type { Item } from '../../shared/store/dynamo-helpers';

const templateListQuerySchema = z.extend(pageQuerySchema, { recordType: z.optional(recordTypeSchema) });

/** Template routes: anyone may read and render; admins and salespeople may write. */
export function templateRoutes(deps: Deps, cursors: CursorCodec): Record<string, RouteHandler> {
  const templates = new TemplateStore(deps.db, deps.table);
  const records = new RecordStore(deps.db, deps.table);
  const directory = new DirectoryStore(deps.db, deps.table);

  const requireWriter = async (caller: Caller) => {
    if (caller.isAdmin) return;
    const seller = await directory.getSeller(caller.sellerId);
    if (!isSalesperson(seller)) throw new HttpError('InsufficientPrivileges', 'writing templates needs the salesperson role');
  };
  /** Only a template's creator or an admin changes or deletes it. */
  const ownTemplate = async (caller: Caller, id: string) => {
    const template = await templates.get(id);
    if (!template) throw notFound('template');
    if (!caller.isAdmin && template.createdBy !== caller.sellerId) throw new HttpError('InsufficientPrivileges', 'only the template\'s creator or an administrator may change it');
    return template;
  };
  const answerWrite = (outcome: TemplateWrite, name: string) => {
    if (outcome === 'missing') throw notFound('template');
    if (outcome === 'nameTaken') throw new HttpError('Conflict', `a template named "${name}" already exists`);
  };
  const idOf = (params: Record<string, string>) => {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(params.id ?? '')) throw notFound('template');
    return params.id!;
  };

  return {
    'GET /templates': async ({ query }) => {
      const page = parseWith(templateListQuerySchema, query, 'query');
      const scope = `templates:${page.recordType ?? ''}`;
      const start = await cursors.decode<Item>(page.cursor, scope);
      const { items, lastKey } = await templates.list(page.limit, start, page.recordType);
      return ok({ items, ...(lastKey ? { nextCursor: await cursors.encode(lastKey, scope) } : {}) });
    },
    'POST /templates': async ({ caller, body }) => {
      await requireWriter(caller);
      const input = parseWith(templateBodySchema, body);
      assertKnownPlaceholders(input.body);
      const now = deps.clock.now();
      const template = { id: newId(now), ...input, createdBy: caller.sellerId, createdAt: now.toISOString(), updatedAt: now.toISOString() };
      answerWrite(await templates.create(template), template.name);
      return ok(template, 201);
    },
    'PUT /templates/{id}': async ({ caller, params, body }) => {
      await requireWriter(caller);
      const input = parseWith(templateBodySchema, body);
      assertKnownPlaceholders(input.body);
      const existing = await ownTemplate(caller, idOf(params));
      // A PUT replaces: recordTypes left out means every type again.
      const { recordTypes: _previousTypes, ...rest } = existing;
      const template = { ...rest, ...input, updatedAt: deps.clock.now().toISOString() };
      answerWrite(await templates.update(template, existing), template.name);
      return ok(template);
    },
    'DELETE /templates/{id}': async ({ caller, params }) => {
      await requireWriter(caller);
      answerWrite(await templates.delete(await ownTemplate(caller, idOf(params))), '');
      return { status: 204 };
    },
    'POST /templates/{id}/render': async ({ caller, params, body }) => {
      const input = parseWith(renderBodySchema, body);
      const [template, record, seller] = await Promise.all([templates.get(idOf(params)), records.get(input.record.type, input.record.id), directory.getSeller(caller.sellerId)]);
      if (!template) throw notFound('template');
      // Rendering shows the record's fields: only for records the caller may read.
      if (!record || !canReadRecord(viewerFrom(caller, seller), record)) throw notFound('record');
      const rendered = render(template.body, { record, seller: { name: seller?.name ?? caller.sellerId } });
      const { encoding, segments } = segmentInfo(rendered.body);
      // The customer's local time, and whether it is inside quiet hours, shown before sending.
      const to = input.to !== undefined ? normalizePhone(input.to, deps.defaultRegion) : (record.mobile ?? record.phone ?? record.business);
      if (input.to !== undefined && !to) throw new HttpError('InvalidPhoneNumber', `to: "${input.to}" is not a phone number`);
      const time = to ? customerTime(to, deps.clock.now(), deps.quietHours) : undefined;
      return ok({ body: rendered.body, encoding, segments, missing: rendered.missing, ...(time ? { customerTime: time } : {}) });
    },
  };
}
