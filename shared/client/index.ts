import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './openapi';

export type { paths, components } from './openapi';

/**
 * A typed client of the seller API and callbacks, generated from docs/openapi.json (`npm run openapi`
 * regenerates `openapi.d.ts`): method names, paths, parameters, bodies and answers are checked by tsc.
 */
export function createApiClient(baseUrl: string, options: { token?: () => string | undefined; fetch?: (request: Request) => Promise<Response> } = {}) {
  const client = createClient<paths>({ baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = options.token?.();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
  client.use(auth);
  return client;
}

export type ApiClient = ReturnType<typeof createApiClient>;
