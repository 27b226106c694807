import { CognitoJwtVerifier, JwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';

/** What the live channel needs of a bearer token: whose it is and until when. Undefined when it is not valid. */
export type TokenVerifier = (token: string) => Promise<{ sub: string; exp: number } | undefined>;

/**
 * The same tokens the HTTP API's JWT authorizer accepts, checked with AWS's maintained verifier
 * (`aws-jwt-verify`: signature against the issuer's JWKS, issuer, audience or client id, expiry):
 * the stack's user pool (access or ID tokens of its app client), or the external issuer named in context.
 */
export function jwtTokenVerifier(settings: { userPoolId?: string | undefined; clientId?: string | undefined; issuer?: string | undefined; audience?: string | undefined; jwksUri?: string | undefined; /** Keys known in advance (tests; an issuer whose JWKS is not fetched). */ jwks?: Jwks }): TokenVerifier {
  const verify = settings.userPoolId
    ? (() => {
        const verifier = CognitoJwtVerifier.create({ userPoolId: settings.userPoolId, clientId: settings.clientId ?? null, tokenUse: null });
        if (settings.jwks) verifier.cacheJwks(settings.jwks);
        return (token: string) => verifier.verify(token);
      })()
    : (() => {
        if (!settings.issuer || !settings.audience) throw new Error('the live function needs USER_POOL_ID, or JWT_ISSUER and JWT_AUDIENCE');
        const verifier = JwtVerifier.create({ issuer: settings.issuer, audience: settings.audience.split(','), ...(settings.jwksUri ? { jwksUri: settings.jwksUri } : {}) });
        if (settings.jwks) verifier.cacheJwks(settings.jwks);
        return (token: string) => verifier.verify(token);
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
