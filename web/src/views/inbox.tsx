import { useRef, useState } from 'preact/hooks';
import { errorText, ok, type Conversation } from '../api';
import { conversationHref, useApp } from '../context';
import { useI18n } from '../i18n';
import { useLive } from '../live';
import { labelOf, useMyNumbers, type BusinessNumber } from '../numbers';
import { ErrorAlert } from './error-alert';

const PAGE_SIZE = 25;

/** "My SMS": newest first, unread badges, an unread filter and paging; the first page is fetched again whenever the live channel hints at a change. */
export function Inbox({ selectedId }: { selectedId: string | undefined }) {
  const { api, live } = useApp();
  const { t } = useI18n();
  const numbers = useMyNumbers(api);
  const [unreadOnly, setUnreadOnly] = useState(false);
  const [items, setItems] = useState<Conversation[]>();
  const [cursor, setCursor] = useState<string>();
  const [error, setError] = useState<string>();
  const pagedOn = useRef(false);

  const query = (after?: string) => ok(api.GET('/me/conversations', { params: { query: { limit: PAGE_SIZE, ...(unreadOnly ? { unread: 'true' as const } : {}), ...(after ? { cursor: after } : {}) } } }));

  useLive(
    async () => {
      try {
        const page = await query();
        setError(undefined);
        // Fresh first page, then the older pages already loaded (without what moved to the top).
        setItems((previous) => {
          const fresh = new Set(page.items.map((c) => c.id));
          const older = (previous ?? []).slice(PAGE_SIZE).filter((c) => !fresh.has(c.id));
          return [...page.items, ...older];
        });
        if (!pagedOn.current) setCursor(page.nextCursor);
        return JSON.stringify(page.items.map((c) => [c.id, c.lastMessageAt, c.unreadCount]));
      } catch (e) {
        setError(errorText(e, t));
        throw e;
      }
    },
    [unreadOnly],
    (hint) => hint.type === 'conversation',
    live,
  );

  const loadMore = async () => {
    if (!cursor) return;
    pagedOn.current = true;
    const page = await query(cursor);
    setItems((previous) => [...(previous ?? []), ...page.items.filter((c) => !previous?.some((p) => p.id === c.id))]);
    setCursor(page.nextCursor);
  };

  // Opening a conversation reads it: its badge clears without waiting for the next poll.
  const shown = (items ?? []).map((c) => (c.id === selectedId ? { ...c, unreadCount: 0 } : c));

  return (
    <nav class="inbox" aria-labelledby="inbox-title">
      <div class="inbox-head">
        <h2 id="inbox-title">{t('mySms')}</h2>
        <label>
          <input
            type="checkbox"
            checked={unreadOnly}
            onChange={(e) => {
              setItems(undefined);
              pagedOn.current = false;
              setUnreadOnly(e.currentTarget.checked);
            }}
          />{' '}
          {t('unreadOnly')}
        </label>
      </div>
      <ErrorAlert message={error} />
      {items === undefined ? (
        <p>{t('loading')}</p>
      ) : shown.length === 0 ? (
        <p class="empty">{t('noConversations')}</p>
      ) : (
        <ul class="conversations">
          {shown.map((c) => (
            <ConversationRow key={c.id} conversation={c} selected={c.id === selectedId} numbers={numbers} />
          ))}
        </ul>
      )}
      {cursor && (
        <button type="button" onClick={() => void loadMore()}>
          {t('loadMore')}
        </button>
      )}
    </nav>
  );
}

function ConversationRow({ conversation: c, selected, numbers }: { conversation: Conversation; selected: boolean; numbers: readonly BusinessNumber[] }) {
  const { t, dateTime, number } = useI18n();
  return (
    <li class={c.unreadCount > 0 ? 'unread' : ''} data-conversation={c.id}>
      <a href={conversationHref(c.id)} aria-current={selected ? 'page' : undefined}>
        <span class="line">
          <strong class="customer">{c.recordName ?? c.customerNumber}</strong>
          {c.unreadCount > 0 && (
            <span class="badge" aria-label={t('unreadBadge', { count: c.unreadCount })}>
              {number(c.unreadCount)}
            </span>
          )}
        </span>
        <span class="line muted">
          <span>
            {c.record ? `${t(`type.${c.record.type}`)} · ` : ''}
            {c.customerNumber} → {labelOf(numbers, c.businessNumber)}
          </span>
          <time dateTime={c.lastMessageAt}>{dateTime(c.lastMessageAt)}</time>
        </span>
        <span class="preview">{c.withheld ? '—' : c.lastMessagePreview}</span>
      </a>
    </li>
  );
}
