import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { apiGatewayEvent } from '../../scripts/local/api-event';
import { assertDeclaredResponse } from './openapi-contract';

export interface Identity {
  sub: string;
  groups?: string[];
}

export const admin: Identity = { sub: 'admin-1', groups: ['admin'] };

type Handler = (event: never, context: Context) => Promise<unknown>;

export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Record<string, string>;
}

export const lambdaContext = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'test-request',
  logGroupName: 'test',
  logStreamName: 'test',
  callbackWaitsForEmptyEventLoop: false,
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} as Context;

/** Calls a Lambda handler with the API Gateway v2 event that the deployed API would send. */
export async function call<T = any>( // eslint-disable-line @typescript-eslint/no-explicit-any
  handler: Handler,
  method: string,
  path: string,
  options: { as?: Identity | undefined; body?: unknown; headers?: Record<string, string>; query?: Record<string, string> } = {},
): Promise<ApiResponse<T>> {
  const [pathname, search] = path.split('?');
  const query = { ...Object.fromEntries(new URLSearchParams(search ?? '')), ...options.query };
  const built = apiGatewayEvent({
    method,
    path: pathname!,
    query,
    headers: { 'content-type': 'application/json', ...options.headers },
    body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
    claims: options.as
      ? { sub: options.as.sub, ...(options.as.groups ? { 'cognito:groups': `[${options.as.groups.join(' ')}]` } : {}) }
      : undefined,
  });
  if (!built) throw new Error(`no route for ${method} ${pathname}`);
  const result = (await handler(built.event as never, lambdaContext)) as Exclude<APIGatewayProxyResultV2, string>;
  const text = typeof result.body === 'string' ? result.body : '';
  const contentType = result.headers?.['content-type'] as string | undefined;
  const body = (text && contentType?.includes('json') ? JSON.parse(text) : text) as T;
  assertDeclaredResponse(method, built.route.path, result.statusCode ?? 200, contentType, body);
  return { status: result.statusCode ?? 200, body, headers: (result.headers ?? {}) as Record<string, string> };
}
