import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from '../domain/errors';

export interface Caller {
  sellerId: string;
  isAdmin: boolean;
}

type JwtClaims = Record<string, string | number | boolean | string[]>;

/**
 * Group names from the `cognito:groups` claim: a real array (Cognito, other authorizers) or API Gateway
 * HTTP API's flattened "[a b]" form. Cognito group names hold no white space, so splitting that form on
 * spaces is exact; commas belong to names (a group named "sales,admin" is not "admin"). Any other string
 * is one group name.
 */
export function parseGroups(value: unknown): string[] {
  if (Array.isArray(value)) return value.filter((g): g is string => typeof g === 'string');
  if (typeof value !== 'string' || value === '') return [];
  const flattened = /^\[(.*)\]$/s.exec(value);
  if (!flattened) return [value];
  return flattened[1]!.split(' ').filter(Boolean);
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
