import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Api } from './api';
import type { Session } from './auth';
import type { LiveOptions } from './live';
import type { SellerNames } from './names';

export interface AppContextValue {
  api: Api;
  session: Session;
  /** The live channel, and the slow safety poll while it is down. */
  live: LiveOptions;
  /** Sellers' names by id, as far as this console knows them. */
  names: SellerNames;
  /** Tells the seller what just happened, in the live region. */
  announce(text: string): void;
  /** The deployment's quiet hours (`HH:MM-HH:MM` or `off`), from config.json. */
  quietHours?: string | undefined;
}

export const AppContext = createContext<AppContextValue | undefined>(undefined);

export function useApp(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp outside a signed-in console');
  return value;
}

/** Hash routes: `#/` My SMS, `#/c/<conversation>`, `#/r/<type>/<id>`, `#/templates`, `#/scheduled`, `#/reports`. */
export type Route = { view: 'inbox' } | { view: 'conversation'; id: string } | { view: 'record'; type: string; id: string } | { view: 'templates' } | { view: 'scheduled' } | { view: 'reports' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'c' && parts[1]) return { view: 'conversation', id: parts[1] };
  if (parts[0] === 'r' && parts[1] && parts[2]) return { view: 'record', type: parts[1], id: parts[2] };
  if (parts[0] === 'templates') return { view: 'templates' };
  if (parts[0] === 'scheduled') return { view: 'scheduled' };
  if (parts[0] === 'reports') return { view: 'reports' };
  return { view: 'inbox' };
}

export const conversationHref = (id: string) => `#/c/${encodeURIComponent(id)}`;
export const recordHref = (record: { type: string; id: string }) => `#/r/${encodeURIComponent(record.type)}/${encodeURIComponent(record.id)}`;
export const templatesHref = '#/templates';
export const scheduledHref = '#/scheduled';
export const reportsHref = '#/reports';
