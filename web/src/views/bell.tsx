import { useState } from 'preact/hooks';
import { ok, type Notification } from '../api';
import { useSellerName } from '../names';
import { conversationHref, useApp } from '../context';
import { useI18n } from '../i18n';
import { refreshAll, useLive } from '../live';
import { SystemNotificationsSwitch, useTabAlerts } from '../tab-alerts';

/** The notification bell: the unread count, the latest notifications, opening one opens its conversation. */
export function Bell() {
  const { api, live } = useApp();
  const sellerName = useSellerName();
  const { t, dateTime, number } = useI18n();
  const [unread, setUnread] = useState<{ count: number; more: boolean }>({ count: 0, more: false });
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[]>();
  const alertIfHidden = useTabAlerts();

  useLive(
    async () => {
      const page = await ok(api.GET('/me/notifications', { params: { query: { unread: 'true', limit: 100 } } }));
      setUnread({ count: page.items.length, more: !!page.nextCursor });
      alertIfHidden(page.items, page.nextCursor ? `${number(page.items.length)}+` : number(page.items.length));
      if (open) setItems((await ok(api.GET('/me/notifications', { params: { query: { limit: 20 } } }))).items);
      return JSON.stringify(page.items.map((n) => n.id));
    },
    [open],
    (hint) => hint.type === 'notification',
    live,
  );

  const openNotification = async (notification: Notification) => {
    if (!notification.read) await ok(api.POST('/me/notifications/{id}/read', { params: { path: { id: notification.id } } }));
    setOpen(false);
    if (notification.conversationId) location.hash = conversationHref(notification.conversationId);
    refreshAll();
  };
  const readAll = async () => {
    await ok(api.POST('/me/notifications/read-all'));
    refreshAll();
  };
  const countText = unread.more ? `${number(unread.count)}+` : number(unread.count);

  return (
    <div class="bell">
      <button type="button" aria-expanded={open} aria-controls="notifications" aria-label={t('notificationsUnread', { count: countText })} onClick={() => setOpen(!open)}>
        <svg aria-hidden="true" width="18" height="18" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.73 21a2 2 0 0 1-3.46 0" />
        </svg>
        {unread.count > 0 && (
          <span class="badge" aria-hidden="true">
            {countText}
          </span>
        )}
      </button>
      {open && (
        <div id="notifications" class="popover" role="region" aria-label={t('notifications')}>
          <div class="row">
            <h2>{t('notifications')}</h2>
            <button type="button" onClick={() => void readAll()} disabled={unread.count === 0}>
              {t('markAllRead')}
            </button>
          </div>
          {items === undefined ? (
            <p>{t('loading')}</p>
          ) : items.length === 0 ? (
            <p>{t('noNotifications')}</p>
          ) : (
            <ul class="notifications">
              {items.map((n) => (
                <li key={n.id} class={n.read ? '' : 'unread'}>
                  <button type="button" class="link" onClick={() => void openNotification(n)}>
                    <strong>{describe(n, t, sellerName)}</strong>
                    {n.preview && <span class="preview">{n.preview}</span>}
                    <time dateTime={n.createdAt}>{dateTime(n.createdAt)}</time>
                  </button>
                </li>
              ))}
            </ul>
          )}
          <SystemNotificationsSwitch />
          <button type="button" onClick={() => setOpen(false)}>
            {t('close')}
          </button>
        </div>
      )}
    </div>
  );
}

/** A notification in words: the record by name (with the number), a hand-off by the seller's name. */
function describe(n: Notification, t: ReturnType<typeof useI18n>['t'], sellerName: (id: string) => string): string {
  const who = n.record ? `${n.record.name}${n.customerNumber ? ` (${n.customerNumber})` : ''}` : (n.customerNumber ?? '');
  return t(`notification.${n.kind}`, { who: n.kind === 'conversation_assigned' ? (n.by ? sellerName(n.by) : t('colleague')) : who });
}
