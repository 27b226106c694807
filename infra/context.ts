import { DEFAULT_SCHEDULE_MIN_LEAD_SECONDS } from '../shared/domain/scheduling';
import { getCountries } from 'libphonenumber-js';
import { DEFAULT_QUIET_HOURS, QUIET_HOURS_PATTERN } from '../shared/domain/quiet-hours';
import type { Node } from 'constructs';

/**
 * Every deployment setting (cdk.json context or `-c name=value`), validated when the stack is
 * synthesized: a wrong value fails `cdk synth` with its name and what is accepted, never a deploy that
 * half works. Values from `-c` arrive as strings; cdk.json may hold booleans and numbers.
 */
export interface StackContext {
  defaultRegion: string;
  /** `destroyData=true`: `cdk destroy` deletes the table, the media bucket and the user pool (default: retained, deletion protection on). */
  destroyData: boolean;
  /**
   * The stack sets the account's CloudWatch Logs role for API Gateway (`AWS::ApiGateway::Account`, account-wide
   * per region), which WebSocket access logs need. `apiGatewayAccountRole=false` leaves the account setting
   * alone and turns the WebSocket stage's access logs off (its metrics stay on).
   */
  apiGatewayAccountRole: boolean;
  /** An address subscribed to the Operators topic (alarms); it confirms by e-mail. */
  alarmEmail?: string;
  /** Cognito sends its invitations and codes through SES from this verified address (default: Cognito's own e-mail, 50 a day). */
  sesFromEmail?: string;
  /** With jwtIssuer: where the issuer publishes its keys (default: `jwks_uri` of the issuer's OIDC discovery document). */
  jwksUri?: string;
  /** An existing (retained) user pool to sign sellers in with, instead of a new one: a re-created stack keeps every seller's `sub`. */
  userPoolId?: string;
  /** How long a seller's sign-in lasts (the app client's refresh token validity, hours; access tokens live one hour). */
  sessionHours: number;
  console: boolean;
  pinpointEventStream: boolean;
  jwtIssuer?: string;
  jwtAudience?: string[];
  pinpointApplicationId?: string;
  eumConfigurationSet?: string;
  twilioSecretArn?: string;
  publicBaseUrl?: string;
  corsOrigins: string[];
  retentionDays?: number;
  eventBusName?: string;
  /** The bus the CRM puts RecordUpserted on: a dedicated one only the CRM integration may write to (default: the account's default bus). */
  crmEventBusName?: string;
  crmEventSource: string;
  /** Quiet hours in the customer's local time: `HH:MM-HH:MM` (default 21:00-08:00, TCPA's) or `off`. */
  quietHours: string;
  /** Send later: how far ahead `sendAt` must be, in seconds (default 60, the contract's minute; lower only for test deployments). */
  scheduleMinLeadSeconds: number;
  cognitoCallbackUrls?: string[];
  cognitoDomainPrefix?: string;
  consoleClientId?: string;
}

export class ContextError extends Error {
  constructor(name: string, value: unknown, accepted: string) {
    super(`Context value ${name}=${JSON.stringify(value)} is not valid: ${accepted}.`);
    this.name = 'ContextError';
  }
}

const REGIONS = new Set<string>(getCountries());
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function httpsUrl(name: string, value: string, { allowLocalhost = false } = {}): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ContextError(name, value, 'an absolute https:// URL');
  }
  const local = url.protocol === 'http:' && ['localhost', '127.0.0.1'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(allowLocalhost && local)) throw new ContextError(name, value, allowLocalhost ? 'an https:// URL (http:// only for localhost)' : 'an https:// URL');
  return value;
}

export function readContext(node: Node): StackContext {
  const raw = (name: string) => node.tryGetContext(name) as unknown;
  const text = (name: string, pattern: RegExp, accepted: string): string | undefined => {
    const value = raw(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string' || !pattern.test(value)) throw new ContextError(name, value, accepted);
    return value;
  };
  const flag = (name: string): boolean => {
    const value = raw(name);
    if (value === undefined || value === null || value === '') return false;
    if (value === true || value === 'true') return true;
    if (value === false || value === 'false') return false;
    throw new ContextError(name, value, 'true or false');
  };
  const list = (name: string): string[] | undefined => {
    const value = raw(name);
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value !== 'string') throw new ContextError(name, value, 'a comma-separated list');
    return value.split(',').map((v) => v.trim()).filter(Boolean);
  };

  const defaultRegion = raw('defaultRegion') ?? 'US';
  if (typeof defaultRegion !== 'string' || !REGIONS.has(defaultRegion)) throw new ContextError('defaultRegion', defaultRegion, 'a two-letter country code of the phone numbering plan, e.g. US or SE');

  let retentionDays: number | undefined;
  const retention = raw('retentionDays');
  if (retention !== undefined && retention !== null && retention !== '') {
    retentionDays = Number(retention);
    if (!Number.isInteger(retentionDays) || retentionDays < 1 || retentionDays > 3650) throw new ContextError('retentionDays', retention, 'a whole number of days from 1 to 3650');
  }

  const session = raw('sessionHours') ?? 12;
  const sessionHours = Number(session);
  // Cognito takes refresh tokens from 60 minutes to 10 years; a console session wants hours to days.
  if (!Number.isInteger(sessionHours) || sessionHours < 1 || sessionHours > 24 * 90) throw new ContextError('sessionHours', session, 'a whole number of hours from 1 to 2160 (90 days)');

  const jwtIssuer = raw('jwtIssuer') ? httpsUrl('jwtIssuer', String(raw('jwtIssuer'))) : undefined;
  const jwtAudience = list('jwtAudience');
  if (Boolean(jwtIssuer) !== Boolean(jwtAudience)) throw new ContextError(jwtIssuer ? 'jwtAudience' : 'jwtIssuer', jwtIssuer ? raw('jwtAudience') : raw('jwtIssuer'), 'jwtIssuer and jwtAudience are set together (an external identity provider), or neither (the stack\'s user pool)');

  if (raw('deletionProtection') === false || raw('deletionProtection') === 'false') throw new ContextError('deletionProtection', raw('deletionProtection'), 'no longer read: data is retained with deletion protection by default; destroyData=true opts out');
  // The console discovers an external issuer's endpoints: a hosted-UI domain named by hand is no longer read.
  if (raw('consoleAuthDomain') !== undefined) throw new ContextError('consoleAuthDomain', raw('consoleAuthDomain'), 'no longer read: with jwtIssuer the console finds the sign-in endpoints in the issuer\'s discovery document (set consoleClientId)');
  if (raw('jwksUri') && !jwtIssuer) throw new ContextError('jwksUri', raw('jwksUri'), 'set with jwtIssuer (an external identity provider)');
  if (raw('userPoolId') && jwtIssuer) throw new ContextError('userPoolId', raw('userPoolId'), 'either the stack\'s user pool (userPoolId) or an external identity provider (jwtIssuer), not both');

  const twilioSecretArn = text('twilioSecretArn', /^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/, 'the complete ARN of a Secrets Manager secret (ending in its 6-character suffix)');
  const corsOrigins = (list('corsOrigins') ?? []).map((origin) => {
    const url = httpsUrl('corsOrigins', origin, { allowLocalhost: true });
    if (new URL(url).origin !== url.replace(/\/$/, '')) throw new ContextError('corsOrigins', origin, 'origins only (scheme, host and port; no path)');
    return new URL(url).origin;
  });
  const cognitoCallbackUrls = list('cognitoCallbackUrls')?.map((u) => httpsUrl('cognitoCallbackUrls', u, { allowLocalhost: true }));

  return {
    defaultRegion,
    destroyData: flag('destroyData'),
    sessionHours,
    apiGatewayAccountRole: raw('apiGatewayAccountRole') === undefined ? true : flag('apiGatewayAccountRole'),
    ...optional('alarmEmail', text('alarmEmail', EMAIL, 'an e-mail address')),
    ...optional('sesFromEmail', text('sesFromEmail', EMAIL, 'an e-mail address verified in SES')),
    ...optional('jwksUri', raw('jwksUri') ? httpsUrl('jwksUri', String(raw('jwksUri'))) : undefined),
    ...optional('userPoolId', text('userPoolId', /^[\w-]+_[0-9a-zA-Z]+$/, 'a Cognito user pool id (region_id)')),
    console: flag('console'),
    pinpointEventStream: flag('pinpointEventStream'),
    ...(jwtIssuer ? { jwtIssuer } : {}),
    ...(jwtAudience ? { jwtAudience } : {}),
    ...optional('pinpointApplicationId', text('pinpointApplicationId', /^[A-Za-z0-9-]{1,64}$/, 'a Pinpoint project (application) id')),
    ...optional('eumConfigurationSet', text('eumConfigurationSet', NAME, 'an End User Messaging configuration set name (letters, digits, _ . -)')),
    ...optional('twilioSecretArn', twilioSecretArn),
    ...optional('publicBaseUrl', raw('publicBaseUrl') ? httpsUrl('publicBaseUrl', String(raw('publicBaseUrl'))).replace(/\/$/, '') : undefined),
    corsOrigins,
    ...optional('retentionDays', retentionDays),
    ...optional('eventBusName', text('eventBusName', /^([\w.-]{1,256}|arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.-]+)$/, 'an EventBridge bus name or ARN')),
    ...optional('crmEventBusName', text('crmEventBusName', /^([\w.-]{1,256}|arn:aws[\w-]*:events:[a-z0-9-]+:\d{12}:event-bus\/[\w.-]+)$/, 'an EventBridge bus name or ARN')),
    quietHours: text('quietHours', QUIET_HOURS_PATTERN, 'HH:MM-HH:MM in 24-hour time (e.g. 21:00-08:00), or off') ?? DEFAULT_QUIET_HOURS,
    crmEventSource: text('crmEventSource', /^[\w.-]{1,256}$/, 'an EventBridge source name (letters, digits, _ . -)') ?? 'crm',
    scheduleMinLeadSeconds: Number((typeof raw('scheduleMinLeadSeconds') === 'number' ? String(raw('scheduleMinLeadSeconds')) : text('scheduleMinLeadSeconds', /^[1-9]\d{0,3}$/, 'whole seconds from 1 to 9999')) ?? DEFAULT_SCHEDULE_MIN_LEAD_SECONDS),
    ...optional('cognitoCallbackUrls', cognitoCallbackUrls),
    ...optional('cognitoDomainPrefix', text('cognitoDomainPrefix', /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lower-case letters, digits and hyphens, at most 63 characters')),
    ...optional('consoleClientId', text('consoleClientId', /^[\w-]{1,128}$/, 'an OAuth client id')),
  };
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
