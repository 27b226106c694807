import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lowerCaseHeaders } from './api-handler';

/**
 * The public URL a provider called, for signature checks: the configured public base URL when set
 * (custom domains, proxies), else the scheme and host the request came in on.
 */
export function publicRequestUrl(event: APIGatewayProxyEventV2, publicBaseUrl?: string): string {
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  if (publicBaseUrl) return `${publicBaseUrl.replace(/\/$/, '')}${event.rawPath}${query}`;
  const headers = lowerCaseHeaders(event.headers);
  const scheme = headers['x-forwarded-proto'] ?? 'https';
  const host = headers.host ?? event.requestContext.domainName;
  return `${scheme}://${host}${event.rawPath}${query}`;
}
