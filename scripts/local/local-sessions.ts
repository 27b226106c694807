import { randomBytes } from 'node:crypto';
import type { LocalAuth } from './local-auth';
import { errorBody } from '../../shared/http/errors-middleware';

/** What a sign-in or a renewal answers, as Cognito's `/oauth2/token` does (a renewal carries no new refresh token). */
export interface LocalTokens {
  access_token: string;
  refresh_token?: string;
  expires_in: number;
  token_type: 'Bearer';
}

/** Access tokens live `LOCAL_TOKEN_SECONDS` (default 3600, Cognito's default); sessions `LOCAL_SESSION_HOURS` (default 12). */
export function localTokenSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const seconds = Number(env.LOCAL_TOKEN_SECONDS ?? 3600);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 86_400) throw new Error(`LOCAL_TOKEN_SECONDS must be a whole number of seconds from 5 to 86400, not "${env.LOCAL_TOKEN_SECONDS}"`);
  return seconds;
}

function localSessionSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const hours = Number(env.LOCAL_SESSION_HOURS ?? 12);
  if (!(hours > 0 && hours <= 8760)) throw new Error(`LOCAL_SESSION_HOURS must be a number of hours up to 8760, not "${env.LOCAL_SESSION_HOURS}"`);
  return Math.round(hours * 3600);
}

/**
 * What an app client sets (`--synth` reads them from the template's `AWS::Cognito::UserPoolClient`): token and session
 * lifetimes, whether refresh tokens can be revoked, and the client id every token request must name.
 * `LOCAL_TOKEN_SECONDS` and `LOCAL_SESSION_HOURS`, when set, win (a day compressed into minutes).
 */
export interface AppClientSettings {
  clientId?: string;
  tokenSeconds?: number;
  sessionSeconds?: number;
  revocation?: boolean;
}

/**
 * The local stand-in of a user pool app client's sessions: a sign-in gives an access token and a refresh token,
 * `/local/oauth2/token` (Cognito's `/oauth2/token`, `grant_type=refresh_token`) renews the access token while the session lasts, `/oauth2/revoke`
 * ends it (`/local/oauth2/revoke`), as Cognito's endpoints do. Refresh tokens are opaque and kept in memory (a restart signs everyone out).
 */
export class LocalSessions {
  private readonly sessions = new Map<string, { sub: string; groups: string[]; expiresAt: number }>();

  constructor(
    private readonly auth: LocalAuth,
    private readonly now: () => number = Date.now,
    private readonly client: AppClientSettings = {},
  ) {}

  private tokenSeconds(): number {
    return process.env.LOCAL_TOKEN_SECONDS === undefined && this.client.tokenSeconds ? this.client.tokenSeconds : localTokenSeconds();
  }

  private sessionSeconds(): number {
    return process.env.LOCAL_SESSION_HOURS === undefined && this.client.sessionSeconds ? this.client.sessionSeconds : localSessionSeconds();
  }

  /** Cognito refuses a token request that names another app client (or none, where one is set). */
  private clientMatches(form: URLSearchParams): boolean {
    return !this.client.clientId || form.get('client_id') === this.client.clientId;
  }

  async signIn(sub: string, groups: string[]): Promise<LocalTokens & { refresh_token: string }> {
    const refreshToken = randomBytes(32).toString('base64url');
    this.sessions.set(refreshToken, { sub, groups, expiresAt: this.now() + this.sessionSeconds() * 1000 });
    return { ...(await this.access(sub, groups)), refresh_token: refreshToken };
  }

  /** A fresh access token for a live session; undefined once it expired or was revoked. */
  async renew(refreshToken: string): Promise<LocalTokens | undefined> {
    const session = this.sessions.get(refreshToken);
    if (!session || session.expiresAt <= this.now()) {
      this.sessions.delete(refreshToken);
      return undefined;
    }
    return this.access(session.sub, session.groups);
  }

  revoke(refreshToken: string): void {
    this.sessions.delete(refreshToken);
  }

  private async access(sub: string, groups: string[]): Promise<LocalTokens> {
    const seconds = this.tokenSeconds();
    return { access_token: await this.auth.issue(sub, groups, `${seconds}s`), expires_in: seconds, token_type: 'Bearer' };
  }

  /**
   * The local sign-in and token routes both local stacks serve: `POST /local/token` `{sub, groups?}` (a sign-in;
   * `token` is kept for scripts), `POST /local/oauth2/token` and `POST /local/oauth2/revoke` (form-encoded, as Cognito's `/oauth2/token` and `/oauth2/revoke`).
   */
  async route(method: string, path: string, body: string): Promise<{ status: number; body: unknown } | undefined> {
    if (method !== 'POST') return undefined;
    if (path === '/local/token') {
      let input: { sub?: unknown; groups?: unknown } | undefined;
      try {
        input = body ? (JSON.parse(body) as typeof input) : {};
      } catch {
        input = undefined;
      }
      if (!input || typeof input.sub !== 'string' || input.sub === '' || (input.groups !== undefined && !(Array.isArray(input.groups) && input.groups.every((g) => typeof g === 'string')))) {
        return { status: 400, body: errorBody('ValidationError', 'body must be {"sub": string, "groups"?: string[]}') };
      }
      const tokens = await this.signIn(input.sub, (input.groups as string[] | undefined) ?? []);
      return { status: 200, body: { token: tokens.access_token, refreshToken: tokens.refresh_token, expiresIn: tokens.expires_in } };
    }
    const form = new URLSearchParams(body);
    if (path === '/local/oauth2/token') {
      if (form.get('grant_type') !== 'refresh_token') return { status: 400, body: { error: 'unsupported_grant_type' } };
      if (!this.clientMatches(form)) return { status: 400, body: { error: 'invalid_client' } };
      const renewed = await this.renew(form.get('refresh_token') ?? '');
      return renewed ? { status: 200, body: renewed } : { status: 400, body: { error: 'invalid_grant' } };
    }
    if (path === '/local/oauth2/revoke') {
      const token = form.get('token');
      if (!token) return { status: 400, body: { error: 'invalid_request' } };
      if (!this.clientMatches(form)) return { status: 400, body: { error: 'invalid_client' } };
      // An app client without token revocation answers as Cognito does: the refresh token stays valid.
      if (this.client.revocation === false) return { status: 400, body: { error: 'unsupported_token_type' } };
      this.revoke(token);
      return { status: 200, body: {} };
    }
    return undefined;
  }
}
