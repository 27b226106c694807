import { useId, useState } from 'preact/hooks';
import { ok, type Conversation, type RecordRef } from '../api';
import { conversationHref, recordHref, useApp } from '../context';
import { useI18n } from '../i18n';
import { useLive } from '../live';
import type { components } from '../../../shared/client';

type Related = components['schemas']['Related']['items'][number];
type Visible = Related['conversations'][number];

/**
 * The pane's related-records selector on a contact's conversation: the opportunities naming the contact, as
 * `GET /records/contact/{id}/related` returns them. One the seller may read opens as a record; one seen only
 * through a conversation shows just that conversation (by the name the conversation gives it).
 */
export function RelatedRecords({ contact, contactName, current }: { contact: RecordRef; contactName: string; current: Conversation }) {
  const { api, live } = useApp();
  const { t, dateTime } = useI18n();
  const selectId = useId();
  const [items, setItems] = useState<Related[]>();
  const [chosen, setChosen] = useState('');

  useLive(
    async () => {
      const related = await ok(api.GET('/records/contact/{id}/related', { params: { path: { id: contact.id } } }));
      setItems(related.items);
      return JSON.stringify(related.items.map((r) => [r.record.id, r.conversations.map((c) => c.lastMessageAt)]));
    },
    [contact.id],
    // A move, a new conversation or a hand-off can change what is related and visible; a read cannot.
    (hint) => hint.type === 'conversation' && hint.change !== 'read',
    live,
  );

  if (!items || items.length === 0) return null;
  const keyOf = (r: Related) => `${r.record.type}/${r.record.id}`;
  const selected = items.find((r) => keyOf(r) === chosen);
  const nameOf = (r: Related) => ('name' in r.record ? r.record.name : r.conversations.find((c) => c.recordName)?.recordName) ?? t(`type.${r.record.type}`);
  const byName = [...items].sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  return (
    <div class="related">
      <label for={selectId}>{t('relatedRecords')}</label>{' '}
      <select id={selectId} value={chosen} onChange={(e) => setChosen(e.currentTarget.value)}>
        <option value="">{t('relatedThis', { name: contactName })}</option>
        {byName.map((r) => (
          <option key={keyOf(r)} value={keyOf(r)}>
            {t('relatedOption', { name: nameOf(r), type: t(`type.${r.record.type}`), count: r.conversations.length })}
          </option>
        ))}
      </select>
      {selected && (
        <div class="related-detail">
          {'name' in selected.record ? (
            <a href={recordHref(selected.record)}>{t('openRecord', { name: selected.record.name })}</a>
          ) : (
            <p class="muted">{t('relatedOnlyConversations')}</p>
          )}
          {selected.conversations.length === 0 ? (
            <p class="muted">{t('noConversations')}</p>
          ) : (
            <ul class="conversations">
              {selected.conversations.map((c: Visible) => (
                <li key={c.id}>
                  <a href={conversationHref(c.id)} aria-current={c.id === current.id ? 'page' : undefined}>
                    <span class="line">
                      <strong>{c.recordName ?? nameOf(selected)}</strong>
                      <time dateTime={c.lastMessageAt}>{dateTime(c.lastMessageAt)}</time>
                    </span>
                    <span class="preview">{c.withheld ? '—' : c.lastMessagePreview}</span>
                  </a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
