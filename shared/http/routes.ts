/**
 * Every HTTP route of the contract, the function that serves it and who may call it.
 * The CDK stack creates API Gateway routes from this list and the local server dispatches by it,
 * so the deployed and local APIs cannot differ.
 */
export type FunctionName =
  | 'directory'
  | 'seller-api'
  | 'outbound-send'
  | 'reassignment'
  | 'privacy'
  | 'twilio-callbacks'
  | 'sns-callbacks';

export type Access = 'public' | 'seller' | 'admin';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  fn: FunctionName;
  access: Access;
}

export const routes: readonly RouteSpec[] = [
  { method: 'PUT', path: '/directory/sellers/{sellerId}', fn: 'directory', access: 'admin' },
  { method: 'GET', path: '/directory/sellers/{sellerId}', fn: 'directory', access: 'admin' },
  { method: 'PUT', path: '/directory/sellers/{sellerId}/availability', fn: 'directory', access: 'admin' },
  { method: 'GET', path: '/me', fn: 'directory', access: 'seller' },
  { method: 'PUT', path: '/me/availability', fn: 'directory', access: 'seller' },
  { method: 'PUT', path: '/directory/teams/{teamId}', fn: 'directory', access: 'admin' },
  { method: 'PUT', path: '/directory/numbers/{number}', fn: 'directory', access: 'admin' },
  { method: 'GET', path: '/me/numbers', fn: 'directory', access: 'seller' },
  { method: 'GET', path: '/directory/assignees', fn: 'directory', access: 'seller' },
  { method: 'PUT', path: '/records/{type}/{id}', fn: 'directory', access: 'admin' },
  { method: 'GET', path: '/records/{type}/{id}', fn: 'directory', access: 'seller' },
  { method: 'GET', path: '/records', fn: 'directory', access: 'seller' },

  { method: 'GET', path: '/me/conversations', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/me/unread', fn: 'seller-api', access: 'seller' },
  { method: 'POST', path: '/conversations/{id}/read', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/conversations/{id}/events', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/records/{type}/{id}/conversations', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/records/contact/{id}/related', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/conversations/{id}', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/conversations/{id}/messages', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/conversations/{id}/messages/{messageId}/media/{mediaId}', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/me/notifications', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/me/scheduled', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/reports/response-times', fn: 'seller-api', access: 'seller' },
  { method: 'POST', path: '/me/notifications/{id}/read', fn: 'seller-api', access: 'seller' },
  { method: 'POST', path: '/me/notifications/read-all', fn: 'seller-api', access: 'seller' },
  { method: 'GET', path: '/templates', fn: 'seller-api', access: 'seller' },
  { method: 'POST', path: '/templates', fn: 'seller-api', access: 'seller' },
  { method: 'PUT', path: '/templates/{id}', fn: 'seller-api', access: 'seller' },
  { method: 'DELETE', path: '/templates/{id}', fn: 'seller-api', access: 'seller' },
  { method: 'POST', path: '/templates/{id}/render', fn: 'seller-api', access: 'seller' },

  { method: 'POST', path: '/messages', fn: 'outbound-send', access: 'seller' },
  { method: 'POST', path: '/media', fn: 'outbound-send', access: 'seller' },
  { method: 'POST', path: '/conversations/{id}/messages', fn: 'outbound-send', access: 'seller' },
  // Send later: a scheduled message's author or an admin (checked in the function).
  { method: 'PATCH', path: '/messages/{id}', fn: 'outbound-send', access: 'seller' },
  { method: 'DELETE', path: '/messages/{id}', fn: 'outbound-send', access: 'seller' },
  { method: 'POST', path: '/automations/sms-steps', fn: 'outbound-send', access: 'admin' },
  { method: 'POST', path: '/conversations/{id}/move', fn: 'reassignment', access: 'seller' },
  { method: 'POST', path: '/conversations/{id}/assign', fn: 'reassignment', access: 'seller' },
  { method: 'POST', path: '/conversations/{id}/likely-opt-out/dismiss', fn: 'reassignment', access: 'seller' },

  { method: 'GET', path: '/consent/{customerNumber}', fn: 'privacy', access: 'seller' },
  // Admins, and sellers who may hand off a conversation between the two numbers (checked in the function).
  { method: 'PUT', path: '/consent/{customerNumber}/{businessNumber}', fn: 'privacy', access: 'seller' },
  { method: 'DELETE', path: '/customers/{customerNumber}', fn: 'privacy', access: 'admin' },
  { method: 'GET', path: '/erasures', fn: 'privacy', access: 'admin' },

  { method: 'POST', path: '/callbacks/twilio/inbound', fn: 'twilio-callbacks', access: 'public' },
  { method: 'POST', path: '/callbacks/twilio/status', fn: 'twilio-callbacks', access: 'public' },
  { method: 'POST', path: '/callbacks/sns', fn: 'sns-callbacks', access: 'public' },
];

export const routeKey = (r: Pick<RouteSpec, 'method' | 'path'>) => `${r.method} ${r.path}`;

/**
 * Matches a concrete path against the route table (local server) as API Gateway does: literally, so an
 * empty segment or a trailing slash matches nothing; literal segments win over parameters.
 */
export function matchRoute(method: string, path: string): { route: RouteSpec; pathParameters: Record<string, string> } | undefined {
  if (!path.startsWith('/') || path.includes('//') || (path.length > 1 && path.endsWith('/'))) return undefined;
  const segments = path.split('/').slice(1);
  let best: { route: RouteSpec; pathParameters: Record<string, string>; literals: number } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/').filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    let literals = 0;
    const matches = pattern.every((part, i) => {
      const segment = segments[i]!;
      const param = /^\{(\w+)\}$/.exec(part);
      if (param) {
        pathParameters[param[1]!] = segment;
        return true;
      }
      literals++;
      return part === segment;
    });
    if (matches && (!best || literals > best.literals)) best = { route, pathParameters, literals };
  }
  return best && { route: best.route, pathParameters: best.pathParameters };
}
