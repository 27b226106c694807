import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { $ZodError as ZodError } from 'zod/v4/core';
import { HttpError } from '../domain/errors';
import { logger } from '../observability';

export function errorBody(code: string, message: string, details?: unknown) {
  return { error: { code, message, ...(details === undefined ? {} : { details }) } };
}

/** Any thrown value → the contract's error format. Unknown errors are logged and answered 500 without internals. */
export function toErrorResponse(error: unknown): { statusCode: number; headers: Record<string, string>; body: string } {
  const headers = { 'content-type': 'application/json' };
  if (error instanceof HttpError) {
    // An operator must act (e.g. set the Twilio secret after the first deploy): said once per request, clearly.
    if (error.status === 503) logger.error('not configured', { code: error.code, reason: error.message });
    return { statusCode: error.status, headers, body: JSON.stringify(errorBody(error.code, error.message, error.details)) };
  }
  if (error instanceof ZodError) {
    return { statusCode: 400, headers, body: JSON.stringify(errorBody('ValidationError', describeZodError(error), { issues: zodIssues(error) })) };
  }
  logger.error('unhandled error', { error: error as Error });
  return { statusCode: 500, headers, body: JSON.stringify(errorBody('InternalError', 'internal error; the request can be retried')) };
}

export function zodIssues(error: ZodError) {
  return error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

export function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

export function contractErrors(): MiddlewareObj<unknown, APIGatewayProxyResultV2> {
  return {
    onError: async (request) => {
      request.response = toErrorResponse(request.error);
    },
  };
}
