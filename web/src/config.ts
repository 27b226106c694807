/** What the console needs to know about where it runs: written by the local stack, or by CDK at deploy. */
export interface ConsoleConfig {
  /** Base URL of the seller API, without a trailing slash. */
  apiUrl: string;
  auth: LocalAuthConfig | CognitoAuthConfig;
  /** Polling: the quickest interval, and the slowest it backs off to while nothing changes. */
  pollMs?: number;
  maxPollMs?: number;
}

export interface LocalAuthConfig {
  kind: 'local';
  /** Seeded sellers offered on the sign-in screen. */
  sellers: { id: string; name: string; groups?: string[] }[];
}

export interface CognitoAuthConfig {
  kind: 'cognito';
  /** The hosted UI's base URL, e.g. https://example.auth.eu-north-1.amazoncognito.com */
  domain: string;
  clientId: string;
  redirectUri: string;
}

declare const __DEV_API_URL__: string;

export async function loadConfig(): Promise<ConsoleConfig> {
  // Under `npm run dev:web` the app is served by Vite; the local stack answers the config.
  const url = import.meta.env.DEV ? `${__DEV_API_URL__}/config.json` : './config.json';
  const response = await fetch(url, { cache: 'no-store' });
  if (!response.ok) throw new Error(`config.json: ${response.status}`);
  const config = (await response.json()) as ConsoleConfig;
  return { ...config, apiUrl: config.apiUrl.replace(/\/+$/, '') };
}
