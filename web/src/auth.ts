import type { ConsoleConfig, OAuthConfig } from './config';

/** The signed-in seller: the bearer token and what the console shows of it. */
export interface Session {
  token: string;
  sellerId: string;
  admin: boolean;
  expiresAt: number;
}

const SESSION_KEY = 'sms-console.session';
const PKCE_KEY = 'sms-console.pkce';

export function currentSession(): Session | undefined {
  const stored = sessionStorage.getItem(SESSION_KEY);
  if (!stored) return undefined;
  const session = JSON.parse(stored) as Session;
  if (session.expiresAt <= Date.now()) {
    sessionStorage.removeItem(SESSION_KEY);
    return undefined;
  }
  return session;
}

export function signOut(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

function sessionFromToken(token: string): Session {
  const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { sub: string; exp?: number; 'cognito:groups'?: string[] };
  const session = { token, sellerId: payload.sub, admin: (payload['cognito:groups'] ?? []).includes('admin'), expiresAt: (payload.exp ?? Date.now() / 1000 + 3600) * 1000 };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
  return session;
}

/** Local stack only: `/local/token` issues a token for any seller (it is not part of the seller API). */
export async function signInLocally(config: ConsoleConfig, sellerId: string, groups: string[] = []): Promise<Session> {
  const response = await fetch(`${config.apiUrl}/local/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sub: sellerId, groups }) });
  if (!response.ok) throw new Error(`sign-in failed (${response.status})`);
  return sessionFromToken(((await response.json()) as { token: string }).token);
}

const base64Url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/** Where to send the seller and where to exchange the code: Cognito's fixed paths, or the issuer's discovery document. */
async function endpointsOf(auth: OAuthConfig): Promise<{ authorize: string; token: string }> {
  if (auth.kind === 'cognito') return { authorize: `${auth.domain}/oauth2/authorize`, token: `${auth.domain}/oauth2/token` };
  const response = await fetch(`${auth.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`sign-in settings unavailable (${response.status})`);
  const document = (await response.json()) as { issuer?: string; authorization_endpoint?: string; token_endpoint?: string };
  if (document.issuer !== auth.issuer || !document.authorization_endpoint || !document.token_endpoint) throw new Error('sign-in settings are not valid');
  return { authorize: document.authorization_endpoint, token: document.token_endpoint };
}

/** The hosted UI or the external issuer, authorization code with PKCE (the app client has no secret and allows no implicit flow). */
export async function startOAuthSignIn(auth: OAuthConfig): Promise<void> {
  const verifier = base64Url(crypto.getRandomValues(new Uint8Array(48)));
  const state = base64Url(crypto.getRandomValues(new Uint8Array(16)));
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  sessionStorage.setItem(PKCE_KEY, JSON.stringify({ verifier, state }));
  const query = new URLSearchParams({ response_type: 'code', client_id: auth.clientId, redirect_uri: auth.redirectUri, scope: 'openid email profile', state, code_challenge: challenge, code_challenge_method: 'S256' });
  location.assign(`${(await endpointsOf(auth)).authorize}?${query}`);
}

/** Back from the sign-in page with `?code=&state=`: exchanges the code (once) and cleans the address bar. */
export async function completeOAuthSignIn(auth: OAuthConfig): Promise<Session | undefined> {
  const params = new URLSearchParams(location.search);
  const code = params.get('code');
  const stored = sessionStorage.getItem(PKCE_KEY);
  if (!code || !stored) return undefined;
  sessionStorage.removeItem(PKCE_KEY);
  history.replaceState(null, '', location.pathname + location.hash);
  const { verifier, state } = JSON.parse(stored) as { verifier: string; state: string };
  if (params.get('state') !== state) throw new Error('sign-in state mismatch');
  const response = await fetch((await endpointsOf(auth)).token, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: auth.clientId, code, redirect_uri: auth.redirectUri, code_verifier: verifier }),
  });
  if (!response.ok) throw new Error(`sign-in failed (${response.status})`);
  return sessionFromToken(((await response.json()) as { access_token: string }).access_token);
}
