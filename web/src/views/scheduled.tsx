import { useId, useState } from 'preact/hooks';
import { ApiError, errorText, ok, type Message } from '../api';
import { conversationHref, useApp } from '../context';
import { useI18n } from '../i18n';
import { refreshAll, useLive } from '../live';
import { ErrorAlert } from './error-alert';
import { fromLocalInput, sendAtBounds, toLocalInput, useCustomerTimeAt } from '../schedule-time';

/**
 * A scheduled message's own controls, for its author: change its time or text (PATCH /messages/{id}) or cancel it
 * (DELETE). The thread and the Scheduled list both show them.
 */
export function ScheduledActions({ message }: { message: Message }) {
  const { api, announce, quietHours } = useApp();
  const { t, dateTime } = useI18n();
  const [editing, setEditing] = useState(false);
  const [when, setWhen] = useState(() => toLocalInput(new Date(message.scheduledFor ?? message.createdAt)));
  const [text, setText] = useState(message.body ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const ids = { when: useId(), text: useId() };
  const sendAt = fromLocalInput(when);
  const then = useCustomerTimeAt(message.to, sendAt, quietHours);

  const act = async (work: () => Promise<Message>, done: (m: Message) => string) => {
    setBusy(true);
    setError(undefined);
    try {
      announce(done(await work()));
      setEditing(false);
      refreshAll();
    } catch (e) {
      const allowed = e instanceof ApiError && e.code === 'QuietHours' && typeof e.details?.allowedFrom === 'string' ? e.details.allowedFrom : undefined;
      setError(allowed ? `${errorText(e, t)} ${t('quietThen', { when: dateTime(allowed) })}` : errorText(e, t));
    } finally {
      setBusy(false);
    }
  };
  const save = () =>
    act(
      () => ok(api.PATCH('/messages/{id}', { params: { path: { id: message.id } }, body: { ...(sendAt && sendAt !== message.scheduledFor ? { sendAt } : {}), ...(text !== message.body ? { body: text } : {}) } })),
      (m) => t('scheduledSaved', { when: dateTime(m.scheduledFor ?? m.createdAt) }),
    );
  const cancel = () => act(() => ok(api.DELETE('/messages/{id}', { params: { path: { id: message.id } } })), () => t('scheduledCanceled'));

  return (
    <div class="scheduled-actions">
      <ErrorAlert message={error} />
      {editing ? (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <span class="field">
            <label for={ids.when}>{t('sendAtLabel')}</label>
            <input id={ids.when} type="datetime-local" value={when} {...sendAtBounds()} onInput={(e) => setWhen(e.currentTarget.value)} />
          </span>
          <span class="field">
            <label for={ids.text}>{t('message')}</label>
            <textarea id={ids.text} rows={2} value={text} onInput={(e) => setText(e.currentTarget.value)} />
          </span>
          {then && (
            <p class={then.quiet ? 'banner quiet' : 'muted'}>
              {t('customerTimeThen', { time: then.localTime, zone: then.timeZone.replace(/_/g, ' ') })}
              {then.quiet && then.allowedFrom && ` ${t('quietThen', { when: dateTime(then.allowedFrom) })}`}
            </p>
          )}
          <button type="submit" class="primary" disabled={busy || !sendAt || !text.trim()}>
            {t('saveScheduled')}
          </button>{' '}
          <button type="button" onClick={() => setEditing(false)}>
            {t('close')}
          </button>
        </form>
      ) : (
        <>
          <button type="button" onClick={() => setEditing(true)} disabled={busy}>
            {t('editScheduled')}
          </button>{' '}
          <button type="button" onClick={() => void cancel()} disabled={busy}>
            {t('cancelScheduled')}
          </button>
        </>
      )}
    </div>
  );
}

/** "Scheduled": the seller's scheduled messages, soonest first, each with its conversation and its controls. */
export function ScheduledView() {
  const { api, live } = useApp();
  const { t, dateTime } = useI18n();
  const [items, setItems] = useState<Message[]>();
  const [error, setError] = useState<string>();
  useLive(
    async () => {
      try {
        const page = await ok(api.GET('/me/scheduled', { params: { query: { limit: 100 } } }));
        setItems(page.items);
        return JSON.stringify(page.items.map((m) => [m.id, m.scheduledFor, m.body]));
      } catch (e) {
        setError(errorText(e, t));
        return undefined;
      }
    },
    [],
    (hint) => hint.type === 'conversation' && (hint.change === 'status' || hint.change === 'message'),
    live,
  );
  return (
    <section class="scheduled-view" aria-labelledby="scheduled-title">
      <h2 id="scheduled-title">{t('scheduledList')}</h2>
      <ErrorAlert message={error} />
      {items && items.length === 0 && <p class="empty">{t('noScheduled')}</p>}
      <ul class="scheduled-list">
        {items?.map((m) => (
          <li key={m.id} data-message={m.id}>
            <p>
              <strong>{t('scheduledFor', { when: dateTime(m.scheduledFor ?? m.createdAt) })}</strong> · {t('scheduledTo', { who: m.to })}
              {m.automated === 'sms_step' && <> · {t('automatedStep')}</>}
            </p>
            {m.withheld ? <em>{t('withheld')}</em> : <p class="body">{m.body}</p>}
            <a href={conversationHref(m.conversationId)}>{t('openConversation')}</a>
            <ScheduledActions message={m} />
          </li>
        ))}
      </ul>
    </section>
  );
}
