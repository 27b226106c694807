import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import { SimpleJwksCache, type Jwks } from 'aws-jwt-verify/jwk';
import type { Fetcher } from 'aws-jwt-verify/https';

/** What the live channel needs of a bearer token: whose it is and until when. Undefined when it is not valid. */
export type TokenVerifier = (token: string) => Promise<{ sub: string; exp: number } | undefined>;

const FETCH_TIMEOUT_MS = 3000;

/** HTTPS only; plain HTTP is accepted for a loopback issuer (tests, the local stack), never elsewhere. */
function allowedUrl(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || (protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(hostname));
}

async function fetchBytes(url: string): Promise<ArrayBuffer> {
  if (!allowedUrl(url)) throw new Error(`refusing to fetch ${url}: not https`);
  const response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(FETCH_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.arrayBuffer();
}

/** The issuer's JWKS address from its OpenID Connect discovery document (Okta, Entra ID, Keycloak and Cognito all publish one). */
export async function discoverJwksUri(issuer: string): Promise<string> {
  const document = JSON.parse(new TextDecoder().decode(await fetchBytes(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`))) as { issuer?: unknown; jwks_uri?: unknown };
  // OpenID Connect Discovery 1.0, 4.3: the document's issuer must be the one asked for.
  if (document.issuer !== issuer) throw new Error('the discovery document names another issuer');
  if (typeof document.jwks_uri !== 'string' || !allowedUrl(document.jwks_uri)) throw new Error('the discovery document has no https jwks_uri');
  return document.jwks_uri;
}

/** aws-jwt-verify's JWKS cache (refetch on an unknown kid, penalty box) with a fetcher that also serves a loopback issuer. */
const jwksCache = () => new SimpleJwksCache({ fetcher: { fetch: (uri: string) => fetchBytes(uri) } satisfies Fetcher });

/**
 * The same tokens the HTTP API's JWT authorizer accepts, checked with AWS's maintained verifier
 * (`aws-jwt-verify`: signature against the issuer's JWKS, issuer, audience or client id, expiry):
 * the stack's user pool (access or ID tokens of its app client), or the external issuer named in context,
 * whose keys are at `jwksUri` when given, else where its OIDC discovery document says (read once, retried on failure).
 */
export function jwtTokenVerifier(settings: { userPoolId?: string | undefined; clientId?: string | undefined; issuer?: string | undefined; audience?: string | undefined; jwksUri?: string | undefined; /** Keys known in advance (tests; an issuer whose JWKS is not fetched). */ jwks?: Jwks }): TokenVerifier {
  const verify = settings.userPoolId
    ? (() => {
        const verifier = CognitoJwtVerifier.create({ userPoolId: settings.userPoolId, clientId: settings.clientId ?? null, tokenUse: null });
        if (settings.jwks) verifier.cacheJwks(settings.jwks);
        return (token: string) => verifier.verify(token);
      })()
    : (() => {
        const { issuer, audience } = settings;
        if (!issuer || !audience) throw new Error('the live function needs USER_POOL_ID, or JWT_ISSUER and JWT_AUDIENCE');
        let verifier: Promise<ReturnType<typeof JwtVerifier.create<{ issuer: string; audience: string[]; jwksUri: string }>>> | undefined;
        const create = async () => {
          const created = JwtVerifier.create({ issuer, audience: audience.split(','), jwksUri: settings.jwksUri ?? (await discoverJwksUri(issuer)) }, { jwksCache: jwksCache() });
          if (settings.jwks) created.cacheJwks(settings.jwks);
          return created;
        };
        return async (token: string) => {
          verifier ??= create().catch((error: unknown) => {
            verifier = undefined;
            throw error;
          });
          return (await verifier).verify(token);
        };
      })();
  return async (token) => {
    try {
      const payload = await verify(token);
      return typeof payload.sub === 'string' && typeof payload.exp === 'number' ? { sub: payload.sub, exp: payload.exp } : undefined;
    } catch {
      return undefined;
    }
  };
}
