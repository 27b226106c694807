import { isMessageKey, type MessageKey } from './i18n';
import { createApiClient, type components } from '../../shared/client';
import type { ConsoleConfig } from './config';
import type { SessionKeeper } from './session';
import { TAB_ID, TAB_HEADER } from './live';

export type Conversation = components['schemas']['Conversation'];
export type Message = components['schemas']['Message'];
export type Notification = components['schemas']['Notification'];
export type Template = components['schemas']['Template'];
export type TimelineEvent = components['schemas']['TimelineEvent'];
/** A conversation from a sender id that is not a phone number has none (`replyable: false`). */
export type RecordRef = NonNullable<Conversation['record']>;
export type Principal = Conversation['assignedTo'];
export type RecordType = RecordRef['type'];

/**
 * The generated client, signed in as the session's seller: every API call of the console goes through it, with a
 * token the keeper renews (one renewal and one retry after a 401), and this tab's id so that the live frames its own
 * reading causes are not sent back to it.
 */
export function apiFor(config: ConsoleConfig, keeper: SessionKeeper) {
  return createApiClient(config.apiUrl, {
    fetch: (request: Request) => {
      request.headers.set(TAB_HEADER, TAB_ID);
      return keeper.fetch(request);
    },
  });
}

export type Api = ReturnType<typeof apiFor>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The contract's `details` (QuietHours: the customer's time; MissingPlaceholderValue: the placeholders). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** The data of a successful answer; the contract's error body, as an ApiError, otherwise. */
export async function ok<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined || !response.ok) {
    const body = (error ?? {}) as { error?: { code?: string; message?: string; details?: Record<string, unknown> }; message?: string };
    throw new ApiError(response.status, body.error?.code ?? 'Error', body.error?.message ?? body.message ?? response.statusText, body.error?.details);
  }
  return data as T;
}

/**
 * An error as the seller reads it, in the console's language: each contract error code has its own words; the
 * server's English text and the raw code never reach the page. Anything else (no network) reads as a server error.
 */
export function errorText(e: unknown, t: (key: MessageKey) => string): string {
  const key = `apiError.${e instanceof ApiError ? e.code : 'InternalError'}`;
  return isMessageKey(key) ? t(key) : t('apiError.InternalError');
}

export const recordLabel = (record: RecordRef, name?: string) => name ?? `${record.type}/${record.id}`;
/** A principal in running text (announcements): its name, or its id when the API gave none. */
export const principalLabel = (p: Principal, name?: string) => name ?? p.id;
