import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from '../domain/errors';

export interface Caller {
  sellerId: string;
  isAdmin: boolean;
}

type JwtClaims = Record<string, string | number | boolean | string[]>;

/** API Gateway HTTP APIs flatten array claims to "[a b]"; Cognito sends a real array elsewhere. */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string' || value.trim() === '') return [];
  return value
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .map((g) => g.trim())
    .filter(Boolean);
}

/** The caller from the JWT authorizer's claims (verified upstream by API Gateway or the local server). */
export function callerFromEvent(event: APIGatewayProxyEventV2): Caller {
  const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: JwtClaims } } }).authorizer?.jwt?.claims;
  const sub = claims?.sub;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) {
    throw new HttpError('Unauthorized', 'a valid bearer token is required');
  }
  return { sellerId: sub, isAdmin: parseGroups(claims?.['cognito:groups']).includes('admin') };
}

export function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw new HttpError('InsufficientPrivileges', 'this route is for administrators');
}
