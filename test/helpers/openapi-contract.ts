import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ValidateFunction } from 'ajv';
import { matchRoute } from '../../shared/http/routes';

/**
 * Every response a test sees is checked against docs/openapi.json: the path, method and status must be
 * declared, and the body must match the declared schema for its media type. An undeclared route,
 * status or shape fails the test that saw it.
 */
const document = JSON.parse(readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>>;
};
const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ ...document, $id: 'openapi.json' });
const validators = new Map<string, ValidateFunction>();
const pointer = (...parts: string[]) => parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

export class UndeclaredResponse extends Error {}

/** Checks one response of a route (its path pattern as in the route table) against the document. */
export function assertDeclaredResponse(method: string, routePath: string, status: number, contentType: string | undefined, body: unknown): void {
  const operation = document.paths[routePath]?.[method.toLowerCase()];
  if (!operation) throw new UndeclaredResponse(`${method} ${routePath} is not in docs/openapi.json`);
  const response = operation.responses[String(status)];
  if (!response) throw new UndeclaredResponse(`${method} ${routePath} answered ${status}, which docs/openapi.json does not declare (${Object.keys(operation.responses).join(', ')})`);
  if (!response.content) {
    if (body !== '' && body !== undefined) throw new UndeclaredResponse(`${method} ${routePath} ${status} has a body, but the document declares none`);
    return;
  }
  const exact = (contentType ?? '').split(';')[0]!.trim();
  // Media type ranges (`image/*`, `*/*`) declare binary answers of any concrete type.
  const mediaType = [exact, `${exact.split('/')[0]}/*`, '*/*'].find((type) => response.content![type]) ?? exact;
  if (!response.content[mediaType]) throw new UndeclaredResponse(`${method} ${routePath} ${status} answered ${mediaType}; declared: ${Object.keys(response.content).join(', ')}`);
  const id = `openapi.json#/${pointer('paths', routePath, method.toLowerCase(), 'responses', String(status), 'content', mediaType, 'schema')}`;
  let validate = validators.get(id);
  if (!validate) validators.set(id, (validate = ajv.compile({ $ref: id })));
  if (!validate(body)) throw new UndeclaredResponse(`${method} ${routePath} ${status}: the body does not match docs/openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
}

/** The same, for a concrete request path (e2e tests over HTTP); a path that matches no route is left to the test. */
export function assertDeclaredHttpResponse(method: string, path: string, status: number, contentType: string | undefined, body: unknown): void {
  const match = matchRoute(method, path.split('?')[0]!);
  if (!match) return;
  assertDeclaredResponse(method, match.route.path, status, contentType, body);
}

/** A fetch that checks every answer against the document (for the generated client in e2e tests). */
export const contractFetch: typeof fetch = async (input, init) => {
  const request = new Request(input, init);
  const response = await fetch(request);
  const contentType = response.headers.get('content-type') ?? undefined;
  const text = await response.clone().text();
  const body = text && contentType?.includes('json') ? JSON.parse(text) : text;
  assertDeclaredHttpResponse(request.method, new URL(request.url).pathname, response.status, contentType, body);
  return response;
};
