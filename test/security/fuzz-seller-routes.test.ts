import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { freshTable, type TestTable } from '../helpers/table';
import { OrgBuilder } from '../helpers/org';
import { admin, call, type Identity } from '../helpers/api';
import { inboundSender } from '../helpers/inbound';
import { routes, type FunctionName } from '../../shared/http/routes';
import { createHandler as createDirectory } from '../../functions/directory/handler';
import { createHandler as createSellerApi } from '../../functions/seller-api/handler';
import { createHandler as createOutbound } from '../../functions/outbound-send/handler';
import { createHandler as createReassignment } from '../../functions/reassignment/handler';
import { createHandler as createPrivacy } from '../../functions/privacy/handler';
import { SandboxProvider } from '../../shared/providers/sandbox';

/**
 * Every seller and admin route, fed random path ids, query strings, bodies and content types by
 * every kind of caller: the answer is always a 2xx or a 4xx in the contract's error format, never a 5xx.
 */
let t: TestTable;
let handlers: Partial<Record<FunctionName, Parameters<typeof call>[0]>>;
const knownIds: string[] = [];

beforeAll(async () => {
  t = await freshTable();
  const org = new OrgBuilder(t);
  await org.team('teamA');
  await org.seller('alice', { teamIds: ['teamA'] });
  await org.seller('rolf', { teamIds: ['teamA'], roles: [] });
  await org.number('+14255578001', { type: 'team', id: 'teamA' });
  await org.record('contact', 'ada', { mobile: '+14255578100', ownerId: 'alice' });
  await inboundSender(t)({ from: '+14255578100', to: '+14255578001', body: 'hello' });
  const sellerApi = createSellerApi(t);
  handlers = { directory: createDirectory(t), 'seller-api': sellerApi, 'outbound-send': createOutbound(t, () => new SandboxProvider()), reassignment: createReassignment(t), privacy: createPrivacy(t) };
  const listed = await call(sellerApi, 'GET', '/me/conversations', { as: admin });
  knownIds.push(...listed.body.items.map((c: { id: string }) => c.id));
});

const callers: (Identity | undefined)[] = [admin, { sub: 'alice' }, { sub: 'rolf' }, { sub: 'stranger' }, { sub: 'x'.repeat(129) }, undefined];
const segment = fc.oneof(
  fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent),
  fc.constantFrom('%', '%25', '%zz', '..', '.', '%2F', '%00', 'A'.repeat(3000), '+14255578001', '%2B14255578100', 'contact', 'ada', '0'),
  fc.constant('known'),
);
const jsonish = fc.oneof(
  fc.json({ maxDepth: 3 }),
  fc.string({ maxLength: 200 }),
  fc.constant(undefined),
  fc.record({ record: fc.record({ type: fc.constantFrom('contact', 'lead', 'x'), id: fc.string({ maxLength: 300 }) }), from: fc.string({ maxLength: 50 }), body: fc.string({ maxLength: 2000 }), templateId: fc.string({ maxLength: 100 }) }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({ name: fc.string({ maxLength: 300 }), body: fc.string({ maxLength: 2000 }), teamIds: fc.array(fc.string()), roles: fc.array(fc.string()), assignedTo: fc.anything(), provider: fc.string(), state: fc.string() }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
);
const contentType = fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', '');
const query = fc.record({ limit: fc.oneof(fc.constantFrom('0', '1', '100', '101', '-1', 'abc', '1e3'), fc.string()), cursor: fc.string({ maxLength: 300 }), unread: fc.string({ maxLength: 10 }), phoneField: fc.constantFrom('mobile', 'phone', 'x', '') }, { requiredKeys: [] });

describe('no seller route answers 5xx to any input (property-based)', () => {
  const sellerRoutes = routes.filter((r) => r.access !== 'public');

  it.each(sellerRoutes.map((r) => [`${r.method} ${r.path}`, r] as const))('%s', async (_name, route) => {
    await fc.assert(
      fc.asyncProperty(fc.array(segment, { minLength: 4, maxLength: 4 }), fc.constantFrom(...callers.keys()), jsonish, contentType, query, async (segments, callerIndex, body, type, q) => {
        let index = 0;
        const path = route.path.replace(/\{\w+\}/g, () => {
          const value = segments[index++]!;
          return value === 'known' ? (knownIds[0] ?? 'none') : value;
        });
        const response = await call(handlers[route.fn]!, route.method, path, {
          as: callers[callerIndex],
          ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
          headers: { 'content-type': type },
          query: Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)) as Record<string, string>,
        });
        expect(response.status, `${route.method} ${path} → ${JSON.stringify(response.body).slice(0, 300)}`).toBeLessThan(500);
        if (response.status >= 400) expect(typeof response.body.error?.code).toBe('string');
      }),
      { numRuns: 60 },
    );
  });
});
