import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { matchRoute, routeKey, type RouteSpec } from '../../shared/http/routes';

export interface EventInput {
  method: string;
  path: string;
  query?: Record<string, string>;
  /** The query string exactly as the client sent it (takes precedence over `query`). */
  rawQueryString?: string;
  headers?: Record<string, string>;
  body?: string;
  claims?: Record<string, string> | undefined;
  sourceIp?: string;
}

/**
 * An API Gateway HTTP API (payload 2.0) event, as the deployed API would build it:
 * routeKey, raw path parameters, lower-cased headers, JWT claims with groups flattened to "[a b]".
 */
export function apiGatewayEvent(input: EventInput): { event: APIGatewayProxyEventV2; route: RouteSpec } | undefined {
  const match = matchRoute(input.method, input.path);
  if (!match) return undefined;
  return { event: apiGatewayEventFor(input, routeKey(match.route), match.pathParameters), route: match.route };
}

/** The event of a request already matched to a route (the `--synth` stack matches the template's routes). */
export function apiGatewayEventFor(input: EventInput, matchedRouteKey: string, pathParameters: Record<string, string>): APIGatewayProxyEventV2 {
  const headers = Object.fromEntries(Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  // API Gateway passes the query string untouched (signatures are computed over it) and joins repeated keys with commas.
  const rawQueryString = input.rawQueryString ?? new URLSearchParams(input.query ?? {}).toString();
  const query: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) query[key] = key in query ? `${query[key]},${value}` : value;
  return {
    version: '2.0',
    routeKey: matchedRouteKey,
    rawPath: input.path,
    rawQueryString,
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length
      ? { pathParameters: Object.fromEntries(Object.entries(pathParameters).map(([k, v]) => [k, decodePathSegment(v)])) }
      : {}),
    body: input.body,
    isBase64Encoded: false,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: { method: input.method, path: input.path, protocol: 'HTTP/1.1', sourceIp: input.sourceIp ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: `local-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`,
      routeKey: matchedRouteKey,
      stage: '$default',
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      ...(input.claims ? { authorizer: { jwt: { claims: input.claims, scopes: null } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

/** API Gateway passes a segment it cannot decode as it came; so does the local stack (the route then answers 4xx). */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
