import { useEffect, useRef, useState } from 'preact/hooks';
import type { Notification } from './api';
import { conversationHref } from './context';
import { useI18n } from './i18n';

/** Hidden: another tab in front, the window minimised, the screen locked. */
export const tabHidden = () => document.hidden || document.visibilityState === 'hidden';

const PREFERENCE_KEY = 'sms-console.systemNotifications';
/** The kinds that tell of a customer's new message. */
const NEW_MESSAGE_KINDS = new Set<Notification['kind']>(['inbound_message', 'insufficient_privileges']);

const supported = () => typeof Notification !== 'undefined';

/** Whether system notifications are on: the browser allows them and the seller has not turned them off here. */
function systemNotificationsOn(): boolean {
  return supported() && Notification.permission === 'granted' && localStorage.getItem(PREFERENCE_KEY) !== 'off';
}

/**
 * While the tab is hidden: the title carries the unread count ("(3) SMS console") and each new message shows one
 * system notification (the record's name and the preview; no preview where the notification is withheld), whose
 * click opens the conversation. Nothing of this while the tab is visible. Answers what the bell calls with each
 * unread page it loads.
 */
export function useTabAlerts(): (unread: readonly Notification[], countText: string) => void {
  const { t } = useI18n();
  // Notifications already known: the first page loaded, and every one since (none is announced twice).
  const known = useRef<Set<string> | undefined>(undefined);
  const latest = useRef({ t });
  latest.current = { t };

  useEffect(() => {
    const onVisibility = () => {
      if (!tabHidden()) document.title = latest.current.t('appName');
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      document.title = latest.current.t('appName');
    };
  }, []);

  return (unread, countText) => {
    const first = known.current === undefined;
    const seen = (known.current ??= new Set());
    const fresh = unread.filter((n) => !seen.has(n.id));
    for (const n of unread) seen.add(n.id);
    if (!tabHidden()) return;
    document.title = unread.length > 0 ? t('titleUnread', { count: countText, app: t('appName') }) : t('appName');
    if (first || !systemNotificationsOn()) return;
    for (const n of fresh.filter((n) => NEW_MESSAGE_KINDS.has(n.kind))) show(n, t);
  };
}

function show(n: Notification, t: ReturnType<typeof useI18n>['t']): void {
  const who = n.record?.name || n.customerNumber || '';
  const title = n.kind === 'inbound_message' ? t('notification.inbound_message', { who }) : t('notification.insufficient_privileges');
  // The preview only where the API gave one: a withheld notification shows none.
  const notification = new Notification(title, { body: n.kind === 'inbound_message' && n.preview ? n.preview : '', tag: n.id });
  notification.onclick = () => {
    window.focus();
    if (n.conversationId) location.hash = conversationHref(n.conversationId);
    notification.close();
  };
}

/**
 * The seller's switch for system notifications: a button that asks the browser (never an unprompted
 * permission prompt), then a checkbox to turn them off and on again in this browser.
 */
export function SystemNotificationsSwitch() {
  const { t } = useI18n();
  const [permission, setPermission] = useState(() => (supported() ? Notification.permission : 'denied'));
  const [on, setOn] = useState(systemNotificationsOn);
  if (!supported()) return null;
  if (permission === 'denied') return <p class="muted">{t('systemNotificationsBlocked')}</p>;
  if (permission === 'default') {
    return (
      <button
        type="button"
        onClick={() =>
          void Notification.requestPermission().then((answer) => {
            setPermission(answer);
            if (answer === 'granted') localStorage.removeItem(PREFERENCE_KEY);
            setOn(systemNotificationsOn());
          })
        }
      >
        {t('allowSystemNotifications')}
      </button>
    );
  }
  return (
    <label class="check">
      <input
        type="checkbox"
        checked={on}
        onChange={(e) => {
          localStorage.setItem(PREFERENCE_KEY, e.currentTarget.checked ? 'on' : 'off');
          setOn(systemNotificationsOn());
        }}
      />
      {t('systemNotificationsOn')}
    </label>
  );
}
