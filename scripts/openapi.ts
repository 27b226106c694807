import * as z from 'zod';
import { writeFileSync } from 'node:fs';
import { routes, type RouteSpec } from '../shared/http/routes';
import { numberBodySchema, sellerBodySchema, teamBodySchema } from '../shared/domain/directory';
import { recordBodySchema, recordRefSchema } from '../shared/domain/records';
import { replySchema, sendMessageSchema } from '../shared/flows/send-message';
import { renderBodySchema, templateBodySchema } from '../shared/domain/template-input';
import { errorStatus } from '../shared/domain/errors';

/** Request bodies by route, from the zod schemas the handlers parse with. */
const requestBodies: Record<string, z.ZodType> = {
  'PUT /directory/sellers/{sellerId}': sellerBodySchema,
  'PUT /directory/teams/{teamId}': teamBodySchema,
  'PUT /directory/numbers/{number}': numberBodySchema,
  'PUT /records/{type}/{id}': recordBodySchema,
  'POST /messages': sendMessageSchema,
  'POST /conversations/{id}/messages': replySchema,
  'POST /conversations/{id}/move': z.object({ record: recordRefSchema }).strict(),
  'POST /templates': templateBodySchema,
  'PUT /templates/{id}': templateBodySchema,
  'POST /templates/{id}/render': renderBodySchema,
};

/** Where this implementation extends the contract (README, "Contract extensions"). */
const extensions: Record<string, string> = {
  'POST /messages': 'A reused Idempotency-Key with a different body answers 409 Conflict.',
  'GET /me/conversations': 'For admins, every conversation (the contract says admins see everything).',
  'POST /callbacks/sns': 'A validly signed message from a topic that is not configured answers 403 InsufficientPrivileges.',
  'GET /conversations/{id}': 'The id of a conversation merged into another by a move resolves to the conversation it became part of.',
};

export function openApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const key = `${route.method} ${route.path}`;
    const body = requestBodies[key];
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (route.method === 'GET' && !route.path.endsWith('}') && !route.path.endsWith('/related')) {
      parameters.push({ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 25 } as never });
      parameters.push({ name: 'cursor', in: 'query', required: false, schema: { type: 'string' } });
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      operationId: key,
      ...(route.access === 'public' ? { security: [] } : {}),
      ...(route.access === 'admin' ? { description: 'Administrators (cognito:groups contains admin).' } : {}),
      ...(extensions[key] ? { 'x-extension': extensions[key] } : {}),
      parameters,
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: z.toJSONSchema(body, { target: 'openapi-3.0' }) } } } } : {}),
      responses: responses(route),
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'SMS CRM backend', version: '0.1.0', description: 'Generated from shared/http/routes.ts and the zod schemas (npm run openapi).' },
    components: {
      securitySchemes: { jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string', enum: Object.keys(errorStatus) }, message: { type: 'string' }, details: {} } } },
        },
      },
    },
    security: [{ jwt: [] }],
    paths,
  };
}

function responses(route: RouteSpec) {
  const ok = route.path === '/messages' || route.path.endsWith('/messages') ? (route.method === 'POST' ? '202' : '200') : route.method === 'POST' && route.path === '/templates' ? '201' : route.method === 'DELETE' ? '204' : '200';
  const error = { description: 'Error in the contract format', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return { [ok]: { description: 'Success' }, '400': error, ...(route.access === 'public' ? { '403': error } : { '401': error, '403': error, '404': error }) };
}

if (process.argv[1]?.endsWith('openapi.ts')) {
  writeFileSync('docs/openapi.json', `${JSON.stringify(openApiDocument(), null, 2)}\n`);
  console.log('wrote docs/openapi.json');
}
