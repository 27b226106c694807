import { SignJWT, exportJWK, generateKeyPair, jwtVerify, type CryptoKey, type JWK } from 'jose';

const ISSUER = 'sms-crm-local';
const AUDIENCE = 'sms-crm-local';

/** A user pool as `npm start -- --synth` plays it: its issuer URL, app client and signing key (RS256, published as JWKS). */
interface UserPoolKeys {
  issuer: string;
  clientId: string;
  privateKey: CryptoKey;
  publicKey: CryptoKey;
  jwk: JWK;
}

/**
 * The local stack's stand-in for the Cognito user pool + API Gateway JWT authorizer. `npm start` signs
 * with a shared secret; `--synth` plays the template's user pool (`asUserPool`): RS256 access tokens with
 * its issuer and app client, and the JWKS the deployed live function fetches to verify them.
 */
export class LocalAuth {
  private readonly key: Uint8Array;
  private pool: UserPoolKeys | undefined;

  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  static async asUserPool(secret: string, issuer: string, clientId: string): Promise<LocalAuth> {
    const auth = new LocalAuth(secret);
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    auth.pool = { issuer, clientId, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid: 'local-1', alg: 'RS256', use: 'sig' } };
    return auth;
  }

  /** The user pool's public keys (`{issuer}/.well-known/jwks.json`), when playing one. */
  jwks(): { keys: JWK[] } | undefined {
    return this.pool ? { keys: [this.pool.jwk] } : undefined;
  }

  issue(sub: string, groups: string[] = [], expiresIn: string | number = '12h'): Promise<string> {
    if (this.pool) {
      // A Cognito access token: `client_id` names the app client (no `aud`), `token_use` says which token it is.
      return new SignJWT({ 'cognito:groups': groups, token_use: 'access', client_id: this.pool.clientId })
        .setProtectedHeader({ alg: 'RS256', kid: this.pool.jwk.kid! })
        .setSubject(sub)
        .setIssuer(this.pool.issuer)
        .setIssuedAt()
        .setExpirationTime(expiresIn)
        .sign(this.pool.privateKey);
    }
    return new SignJWT({ 'cognito:groups': groups })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(this.key);
  }

  private async payload(token: string) {
    if (this.pool) {
      const { payload } = await jwtVerify(token, this.pool.publicKey, { issuer: this.pool.issuer });
      if (payload.client_id !== this.pool.clientId) throw new Error('another app client');
      return payload;
    }
    return (await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE })).payload;
  }

  /** The live channel's check at `$connect`: whose token, and its expiry (epoch seconds). */
  async verify(token: string): Promise<{ sub: string; exp: number } | undefined> {
    try {
      const payload = await this.payload(token);
      return typeof payload.sub === 'string' && typeof payload.exp === 'number' ? { sub: payload.sub, exp: payload.exp } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Claims shaped as API Gateway passes them to Lambda (groups flattened to "[a b]"), or undefined. */
  async claims(authorization: string | undefined): Promise<Record<string, string> | undefined> {
    const token = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1];
    if (!token) return undefined;
    try {
      const payload = await this.payload(token);
      if (typeof payload.sub !== 'string') return undefined;
      const groups = Array.isArray(payload['cognito:groups']) ? (payload['cognito:groups'] as string[]) : [];
      return { sub: payload.sub, ...(groups.length ? { 'cognito:groups': `[${groups.join(' ')}]` } : {}) };
    } catch {
      return undefined;
    }
  }
}
