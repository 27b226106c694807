import type { ConsoleConfig, OAuthConfig } from './config';

/**
 * The signed-in seller: the access token (bearer of every API call and of the live channel), the refresh token
 * that renews it, and what the console shows of the seller. Kept in `sessionStorage` (this tab only, gone when
 * it closes), never in `localStorage`.
 */
export interface Session {
  token: string;
  /** Absent for sessions stored by a console of an earlier release: they end with their access token. */
  refreshToken?: string;
  sellerId: string;
  admin: boolean;
  /** When the access token expires (epoch ms). */
  expiresAt: number;
  /** When it was issued (epoch ms): renewal starts after three quarters of its life. */
  issuedAt?: number;
}

const SESSION_KEY = 'sms-console.session';
const PKCE_KEY = 'sms-console.pkce';

/** The session this tab holds: a stored one that can still be renewed, even if its access token has expired. */
export function currentSession(): Session | undefined {
  const stored = sessionStorage.getItem(SESSION_KEY);
  if (!stored) return undefined;
  const session = JSON.parse(stored) as Session;
  if (session.expiresAt <= Date.now() && !session.refreshToken) {
    forgetSession();
    return undefined;
  }
  return session;
}

export function forgetSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

function claimsOf(token: string): { sub: string; exp?: number; iat?: number; 'cognito:groups'?: string[] } {
  return JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sub: string; exp?: number; iat?: number; 'cognito:groups'?: string[] };
}

/** A session from a token answer (a sign-in, or a renewal that keeps `refreshToken`), stored for this tab. */
export function storeSession(accessToken: string, refreshToken: string | undefined): Session {
  const claims = claimsOf(accessToken);
  const now = Date.now();
  const session: Session = {
    token: accessToken,
    ...(refreshToken ? { refreshToken } : {}),
    sellerId: claims.sub,
    admin: (claims['cognito:groups'] ?? []).includes('admin'),
    expiresAt: (claims.exp ?? now / 1000 + 3600) * 1000,
    // The browser's clock, not the token's `iat`: renewal is scheduled on this clock.
    issuedAt: now,
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** Local stack only: `/local/token` signs in any seller (it is not part of the seller API). */
export async function signInLocally(config: ConsoleConfig, sellerId: string, groups: string[] = []): Promise<Session> {
  const response = await fetch(`${config.apiUrl}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: sellerId, groups }) });
  if (!response.ok) throw new Error(`sign-in failed (${response.status})`);
  const answer = (await response.json()) as { token: string; refreshToken?: string };
  return storeSession(answer.token, answer.refreshToken);
}

const base64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Where the seller signs in, where tokens are exchanged and renewed, and where a refresh token is revoked. */
export interface AuthEndpoints {
  authorize?: string;
  token: string;
  revoke?: string;
  /** Sent with every token and revocation request (the app client's id; the local stack has none). */
  clientId?: string;
}

/** Cognito's fixed paths, an issuer's discovery document, or the local stack's stand-ins of Cognito's endpoints. */
export async function endpointsOf(config: ConsoleConfig): Promise<AuthEndpoints> {
  const auth = config.auth;
  if (auth.kind === 'local') return { token: `${config.apiUrl}/local/oauth2/token`, revoke: `${config.apiUrl}/local/oauth2/revoke`, ...(auth.clientId ? { clientId: auth.clientId } : {}) };
  if (auth.kind === 'cognito') return { authorize: `${auth.domain}/oauth2/authorize`, token: `${auth.domain}/oauth2/token`, revoke: `${auth.domain}/oauth2/revoke`, clientId: auth.clientId };
  const response = await fetch(`${auth.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`sign-in settings unavailable (${response.status})`);
  const document = (await response.json()) as { issuer?: string; authorization_endpoint?: string; token_endpoint?: string; revocation_endpoint?: string };
  if (document.issuer !== auth.issuer || !document.authorization_endpoint || !document.token_endpoint) throw new Error('sign-in settings are not valid');
  return { authorize: document.authorization_endpoint, token: document.token_endpoint, ...(document.revocation_endpoint ? { revoke: document.revocation_endpoint } : {}), clientId: auth.clientId };
}

/** The hosted UI or the external issuer, authorization code with PKCE (the app client has no secret and allows no implicit flow). */
export async function startOAuthSignIn(config: ConsoleConfig & { auth: OAuthConfig }): Promise<void> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(48)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  // `openid` and the refresh token: Cognito issues one with every code exchange of a client that allows it.
  const query = new URLSearchParams({ response_type: 'code', client_id: config.auth.clientId, redirect_uri: config.auth.redirectUri, scope: 'openid email profile', state, code_challenge: challenge, code_challenge_method: 'S256' });
  location.assign(`${(await endpointsOf(config)).authorize}?${query}`);
}

/** Back from the sign-in page with `?code=&state=`: exchanges the code (once) and cleans the address bar. */
export async function completeOAuthSignIn(config: ConsoleConfig & { auth: OAuthConfig }): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const stored = sessionStorage.getItem(PKCE_KEY);
  if (!code || !stored) return undefined;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', location.pathname + location.hash);
  const { verifier, state } = JSON.parse(stored) as { verifier: string; state: string };
  if (params.get('state') !== state) throw new Error('sign-in state mismatch');
  const response = await fetch((await endpointsOf(config)).token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: config.auth.clientId, code, redirect_uri: config.auth.redirectUri, code_verifier: verifier }),
  });
  if (!response.ok) throw new Error(`sign-in failed (${response.status})`);
  const answer = (await response.json()) as { access_token: string; refresh_token?: string };
  return storeSession(answer.access_token, answer.refresh_token);
}
