import { endpointsOf, forgetSession, storeSession, type AuthEndpoints, type Session } from './auth';
import type { ConsoleConfig } from './config';

/** A renewal this close to expiry (or past it) happens before a request, not after its 401. */
const RENEW_BEFORE_REQUEST_MS = 10_000;
/** Renewal starts after three quarters of a token's life, at most five minutes before it expires. */
const MAX_RENEW_LEAD_MS = 5 * 60_000;
/** A renewal that failed for want of a network is tried again this often. */
const RETRY_RENEWAL_MS = 5_000;

/** Why a session ended: the seller signed out, or it could not be renewed (refresh token expired or revoked). */
export type SessionEnd = 'signedOut' | 'expired';

/**
 * Keeps a seller signed in for the working day: renews the access token with the refresh token before it expires
 * (Cognito's `/oauth2/token`, `grant_type=refresh_token`), renews and retries once a request answered 401, and
 * revokes the refresh token at sign-out. Events: `renewed` (a fresh access token: the live channel reconnects with
 * it) and `ended` (renewal is impossible: the console asks the seller to sign in again).
 */
export class SessionKeeper extends EventTarget {
  private renewing: Promise<boolean> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private endpoints: Promise<AuthEndpoints> | undefined;
  private ended = false;

  constructor(
    private readonly config: ConsoleConfig,
    public session: Session,
  ) {
    super();
  }

  start(): void {
    this.schedule();
    document.addEventListener('visibilitychange', this.onVisible);
  }

  stop(): void {
    clearTimeout(this.timer);
    document.removeEventListener('visibilitychange', this.onVisible);
  }

  /** The access token to send now (for a request whose answer is checked: {@link fetch} renews first when needed). */
  token = (): string => this.session.token;

  /** A token valid for a little while yet: renewed first when it is about to expire. Throws once the session ended. */
  freshToken = async (): Promise<string> => {
    if (this.session.expiresAt - Date.now() < RENEW_BEFORE_REQUEST_MS) await this.renew();
    if (this.ended) throw new SessionEndedError();
    return this.session.token;
  };

  /**
   * `fetch` for the seller API: the current token, and after a 401 one renewal and one retry of the same request.
   * A 401 that survives the renewal is answered as it is (the session then ends, and the console says so).
   */
  fetch = async (input: Request): Promise<Response> => {
    const retry = input.clone();
    const used = await this.freshToken();
    const first = await globalThis.fetch(withToken(input, used));
    if (first.status !== 401 || !this.session.refreshToken) return first;
    // A token renewed meanwhile (another request's 401) is used as it is; otherwise this 401 asks for one.
    if (this.session.token === used && !(await this.renew(true))) return first;
    return globalThis.fetch(withToken(retry, this.session.token));
  };

  /** Renews now (once, however many callers ask at the same time); false when the session can no longer be renewed. */
  renew(force = false): Promise<boolean> {
    if (this.ended) return Promise.resolve(false);
    if (!force && this.session.expiresAt - Date.now() > this.lead()) return Promise.resolve(true);
    this.renewing ??= this.exchange().finally(() => {
      this.renewing = undefined;
    });
    return this.renewing;
  }

  /** Sign-out: the refresh token is revoked (so a copy of it renews nothing), then forgotten with the session. */
  async signOut(): Promise<void> {
    this.stop();
    this.ended = true;
    const refreshToken = this.session.refreshToken;
    forgetSession();
    if (!refreshToken) return;
    try {
      const endpoints = await this.endpointsOnce();
      if (endpoints.revoke) await globalThis.fetch(endpoints.revoke, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ token: refreshToken, client_id: endpoints.clientId }) });
    } catch {
      // Offline at sign-out: the refresh token still expires with the session; nothing is kept in this tab.
    }
  }

  private async exchange(): Promise<boolean> {
    const refreshToken = this.session.refreshToken;
    if (!refreshToken) return this.end();
    let response: Response;
    try {
      const endpoints = await this.endpointsOnce();
      response = await globalThis.fetch(endpoints.token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form({ grant_type: 'refresh_token', client_id: endpoints.clientId, refresh_token: refreshToken }) });
    } catch {
      // No network: the session is not over; the next request or the timer tries again.
      this.endpoints = undefined;
      this.schedule(RETRY_RENEWAL_MS);
      return this.session.expiresAt > Date.now();
    }
    // `invalid_grant` (expired or revoked) and any other refusal: this refresh token renews nothing any more.
    if (response.status === 400 || response.status === 401) return this.end();
    if (!response.ok) {
      this.schedule(RETRY_RENEWAL_MS);
      return this.session.expiresAt > Date.now();
    }
    const answer = (await response.json()) as { access_token: string; refresh_token?: string };
    // Cognito answers a new refresh token only where rotation is on; otherwise the one held stays valid.
    this.session = storeSession(answer.access_token, answer.refresh_token ?? refreshToken);
    this.schedule();
    this.dispatchEvent(new Event('renewed'));
    return true;
  }

  private end(): false {
    if (!this.ended) {
      this.ended = true;
      this.stop();
      forgetSession();
      this.dispatchEvent(new Event('ended'));
    }
    return false;
  }

  private endpointsOnce(): Promise<AuthEndpoints> {
    this.endpoints ??= endpointsOf(this.config);
    return this.endpoints;
  }

  /** How long before expiry renewal starts: a quarter of the token's life, at most five minutes. */
  private lead(): number {
    const life = this.session.expiresAt - (this.session.issuedAt ?? this.session.expiresAt - 3_600_000);
    return Math.min(MAX_RENEW_LEAD_MS, Math.max(life / 4, 1000));
  }

  private schedule(delay = this.session.expiresAt - this.lead() - Date.now()): void {
    clearTimeout(this.timer);
    if (this.ended || !this.session.refreshToken) return;
    // Due when it fires (a timer may fire a little early): renewed without asking again.
    this.timer = setTimeout(() => void this.renew(true), Math.max(0, delay));
  }

  /** A background tab's timers run late (about once a minute): coming back, a token near its end is renewed at once. */
  private onVisible = () => {
    if (document.visibilityState === 'visible') void this.renew();
  };
}

export class SessionEndedError extends Error {
  constructor() {
    super('the session has ended');
  }
}

function withToken(request: Request, token: string): Request {
  request.headers.set('authorization', `Bearer ${token}`);
  return request;
}

const form = (fields: Record<string, string | undefined>) => new URLSearchParams(Object.entries(fields).filter((entry): entry is [string, string] => entry[1] !== undefined));
