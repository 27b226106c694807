import { SignJWT, jwtVerify } from 'jose';

const ISSUER = 'sms-crm-local';
const AUDIENCE = 'sms-crm-local';

/** The local stack's stand-in for the Cognito user pool + API Gateway JWT authorizer. */
export class LocalAuth {
  private readonly key: Uint8Array;
  constructor(secret: string) {
    this.key = new TextEncoder().encode(secret);
  }

  issue(sub: string, groups: string[] = [], expiresIn: string | number = '12h'): Promise<string> {
    return new SignJWT({ 'cognito:groups': groups })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(sub)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresIn)
      .sign(this.key);
  }

  /** The live channel's check at `$connect`: whose token, and its expiry (epoch seconds). */
  async verify(token: string): Promise<{ sub: string; exp: number } | undefined> {
    try {
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE });
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
      const { payload } = await jwtVerify(token, this.key, { issuer: ISSUER, audience: AUDIENCE });
      if (typeof payload.sub !== 'string') return undefined;
      const groups = Array.isArray(payload['cognito:groups']) ? (payload['cognito:groups'] as string[]) : [];
      return { sub: payload.sub, ...(groups.length ? { 'cognito:groups': `[${groups.join(' ')}]` } : {}) };
    } catch {
      return undefined;
    }
  }
}
