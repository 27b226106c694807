import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import type * as z from 'zod/mini';
import { HttpError } from '../domain/errors';
import { callerFromEvent, requireAdmin, type Caller } from './auth';
import { contractErrors, describeZodError, zodIssues } from './errors-middleware';
import { routes, type FunctionName } from './routes';
import { logger, metrics, logContext, publishMetrics } from '../observability';

export interface ApiRequest {
  event: APIGatewayProxyEventV2;
  caller: Caller;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text for functions that parse their own format (Twilio forms). */
  body: unknown;
}

export interface ApiResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type RouteHandler = (request: ApiRequest) => Promise<ApiResult>;

export const ok = (body: unknown, status = 200): ApiResult => ({ status, body });

/** Lower-cased header map; API Gateway v2 already lower-cases, Node's http server does too. */
export function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

export function rawBody(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('ValidationError', 'the body is not valid JSON');
  }
}

/** Path parameters holding phone numbers are checked by their routes (400 InvalidPhoneNumber); record types by their enum. */
const NON_ID_PARAMETERS = new Set(['number', 'customerNumber', 'businessNumber', 'type']);
const PATH_ID = /^[A-Za-z0-9._:@-]{1,200}$/;

/**
 * Ids in a path are letters, digits and `. _ : @ -`, at most 200 characters; anything else cannot
 * name a stored item, so it answers 404 before any lookup (and never reaches DynamoDB's key limits).
 */
export function checkPathIds(params: Record<string, string>): void {
  for (const [name, value] of Object.entries(params)) {
    if (!NON_ID_PARAMETERS.has(name) && !PATH_ID.test(value)) throw new HttpError('NotFound', `no ${name} ${value.length > 40 ? `${value.slice(0, 40)}…` : value}`);
  }
}

/** zod parse that fails with the contract's ValidationError and the offending paths. */
export function parseWith<S extends z.ZodMiniType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(value ?? (what === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw new HttpError('ValidationError', `${what}: ${describeZodError(result.error)}`, { issues: zodIssues(result.error) });
}

/**
 * A Lambda handler serving the routes of one function: identity and role checks from the route
 * table, JSON body parsing, contract errors. Route handlers stay small: parse, call shared/, respond.
 */
/** Media types a JSON route accepts; parameters (charset) are ignored. */
const JSON_MEDIA_TYPES = ['application/json'];

/**
 * A body the route cannot read answers 415 before anything else: JSON routes take `application/json`
 * (any charset). Routes that parse their own format name what they accept; an empty body needs no type.
 */
export function checkContentType(headers: Record<string, string>, body: string, accepted: readonly string[] | 'any'): void {
  if (accepted === 'any' || body.trim() === '') return;
  const mediaType = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!accepted.includes(mediaType)) {
    throw new HttpError('UnsupportedMediaType', `this route takes ${accepted.join(' or ')}, not ${mediaType || 'a body without a content type'}`);
  }
}

export function apiHandler(fn: FunctionName, handlers: Record<string, RouteHandler>, options: { body: 'json' | 'raw'; accepts?: readonly string[] | 'any' } = { body: 'json' }) {
  const accepts = options.accepts ?? (options.body === 'json' ? JSON_MEDIA_TYPES : 'any');
  const access = new Map(routes.filter((r) => r.fn === fn).map((r) => [`${r.method} ${r.path}`, r.access]));
  for (const key of Object.keys(handlers)) if (!access.has(key)) throw new Error(`route ${key} is not in the route table for ${fn}`);

  const dispatch = async (event: APIGatewayProxyEventV2, _context: Context): Promise<APIGatewayProxyResultV2> => {
    const handle = handlers[event.routeKey];
    const routeAccess = access.get(event.routeKey);
    if (!handle || !routeAccess) throw new HttpError('NotFound', `no route ${event.routeKey}`);
    const caller = routeAccess === 'public' ? { sellerId: '', isAdmin: false } : callerFromEvent(event);
    if (routeAccess === 'admin') requireAdmin(caller);
    const headers = lowerCaseHeaders(event.headers);
    const params = Object.fromEntries(Object.entries(event.pathParameters ?? {}).map(([k, v]) => [k, v ?? '']));
    checkPathIds(params);
    const text = rawBody(event);
    // GET and DELETE read no body: API Gateway passes one along and the route ignores it.
    if (['POST', 'PUT', 'PATCH'].includes(event.requestContext.http.method)) checkContentType(headers, text, accepts);
    const result = await handle({
      event,
      caller,
      params,
      query: Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).map(([k, v]) => [k, v ?? ''])),
      headers,
      body: options.body === 'json' ? parseJson(text) : text,
    });
    // Files (MMS downloads on the local stack) travel base64-encoded, as API Gateway expects binary answers.
    if (result.body instanceof Uint8Array) return { statusCode: result.status, headers: { ...result.headers }, body: Buffer.from(result.body).toString('base64'), isBase64Encoded: true };
    return {
      statusCode: result.status,
      headers: { 'content-type': 'application/json', ...result.headers },
      body: result.body === undefined ? '' : typeof result.body === 'string' ? result.body : JSON.stringify(result.body),
    };
  };

  return middy(dispatch).use(logContext(logger)).use(publishMetrics(metrics)).use(contractErrors());
}
