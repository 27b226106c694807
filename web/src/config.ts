/** What the console needs to know about where it runs: written by the local stack, or by CDK at deploy. */
export interface ConsoleConfig {
  /** Base URL of the seller API, without a trailing slash. */
  apiUrl: string;
  auth: LocalAuthConfig | CognitoAuthConfig | OidcAuthConfig;
  /** The live channel (WebSocket, `LiveUrl` of the deployment); without it the console polls. */
  liveUrl?: string;
  /** The safety poll's interval while the live channel is down (`maxPollMs`; `pollMs` is no longer used). */
  pollMs?: number;
  maxPollMs?: number;
  /** The deployment's quiet hours (`HH:MM-HH:MM` or `off`): the composer says whether a time falls inside them. */
  quietHours?: string;
}

export interface LocalAuthConfig {
  kind: 'local';
  /** Seeded sellers offered on the sign-in screen. */
  sellers: { id: string; name: string; groups?: string[] }[];
  /** `--synth`: the template's app client, sent with renewals and revocations as Cognito requires. */
  clientId?: string;
}

export interface CognitoAuthConfig {
  kind: 'cognito';
  /** The hosted UI's base URL, e.g. https://example.auth.eu-north-1.amazoncognito.com */
  domain: string;
  clientId: string;
  redirectUri: string;
}

/** An external OpenID Connect issuer (Okta, Entra ID, Keycloak): its endpoints come from its discovery document. */
export interface OidcAuthConfig {
  kind: 'oidc';
  issuer: string;
  clientId: string;
  redirectUri: string;
}

/** A sign-in through an OAuth authorization server: the user pool's hosted UI or an external issuer. */
export type OAuthConfig = CognitoAuthConfig | OidcAuthConfig;

/** Set by web/vite.config.ts: next to the app when built, the local stack's under `npm run dev:web`. */
declare const __CONFIG_URL__: string;

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(__CONFIG_URL__, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  const config = (await response.json()) as ConsoleConfig;
  return { ...config, apiUrl: config.apiUrl.replace(/\/+$/, '') };
}
