import { useRef, useState } from 'preact/hooks';
import { ApiError, ok, type Conversation, type RecordType } from '../api';
import { conversationHref, useApp } from '../context';
import { useI18n } from '../i18n';
import { useLive } from '../live';
import { Composer, type PhoneField, type RecordNumber } from './composer';
import { BackToList, MessageIcon } from './icons';
import { labelOf, useMyNumbers } from '../numbers';
import type { components } from '../../../shared/client';
import { recordTypeNames } from '../../../shared/domain/types';

type CrmRecord = components['schemas']['CrmRecord'];
const isRecordType = (type: string) => (recordTypeNames as readonly string[]).includes(type);

/** A record: its numbers, its conversations (where a moved conversation shows up) and a new message to it. */
export function RecordView({ type, id }: { type: string; id: string }) {
  const { api, live } = useApp();
  const { t, dateTime } = useI18n();
  const [record, setRecord] = useState<CrmRecord>();
  const [conversations, setConversations] = useState<Conversation[]>();
  const [missing, setMissing] = useState(!isRecordType(type));
  const [to, setTo] = useState<string>();
  const composer = useRef<HTMLDivElement>(null);
  const myNumbers = useMyNumbers(api);
  const ref = { type: type as RecordType, id };

  useLive(
    async () => {
      if (!isRecordType(type)) return '';
      const [found, list] = await Promise.all([
        api.GET('/records/{type}/{id}', { params: { path: ref } }),
        ok(api.GET('/records/{type}/{id}/conversations', { params: { path: ref, query: { limit: 100 } } })).catch((e: unknown) => {
          if (e instanceof ApiError && e.status === 404) return { items: [] as Conversation[] };
          throw e;
        }),
      ]);
      if (found.data) setRecord(found.data);
      setConversations(list.items);
      setMissing(!found.data && list.items.length === 0);
      return JSON.stringify(list.items.map((c) => [c.id, c.lastMessageAt]));
    },
    [type, id],
    // A hint names a conversation, not its record: any change but a read may concern this record's list.
    (hint) => hint.type === 'conversation' && hint.change !== 'read',
    live,
  );

  if (missing) return <p class="empty">{t('notFound')}</p>;
  if (!conversations) return <p>{t('loading')}</p>;
  const numbers: RecordNumber[] = record ? phoneFields.flatMap((field) => (record[field] ? [{ field, number: record[field] }] : [])) : [];
  const chosen = to ?? numbers[0]?.number ?? '';
  // The per-number action: "To" takes that number and the message field gets the focus.
  const textTo = (number: string) => {
    setTo(number);
    composer.current?.querySelector('textarea')?.focus();
  };
  return (
    <section class="record" aria-labelledby="record-title">
      <BackToList />
      <h2 id="record-title">
        {/* A record seen only through its conversations goes by the name they carry. */}
        {record?.name ?? conversations.find((c) => c.recordName)?.recordName ?? t(`aRecord.${ref.type}`)} <span class="muted">({t(`type.${ref.type}`)})</span>
      </h2>
      {numbers.length > 0 && (
        <ul class="record-numbers" aria-label={t('numbers')}>
          {numbers.map((n) => (
            <li key={n.field}>
              <span class="field-name">{t(`fieldLabel.${n.field}`)}</span> <span>{n.number}</span>
              <button type="button" class="icon-button" aria-label={t('textNumber', { field: t(`field.${n.field}`), number: n.number })} aria-pressed={chosen === n.number} onClick={() => textTo(n.number)}>
                <MessageIcon />
              </button>
            </li>
          ))}
        </ul>
      )}
      <h3>{t('recordConversations')}</h3>
      {conversations.length === 0 ? (
        <p class="empty">{t('noConversations')}</p>
      ) : (
        <ul class="conversations">
          {conversations.map((c) => (
            <li key={c.id} class={c.unreadCount > 0 ? 'unread' : ''} data-conversation={c.id}>
              <a href={conversationHref(c.id)}>
                <strong>{numberField(numbers, c.customerNumber, t) ?? c.customerNumber}</strong> · {labelOf(myNumbers, c.businessNumber)} · <time dateTime={c.lastMessageAt}>{dateTime(c.lastMessageAt)}</time>
                <span class="preview">{c.withheld ? '—' : c.lastMessagePreview}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
      {record && numbers.length > 0 && (
        <div ref={composer}>
          <h3>{t('newMessage')}</h3>
          <Composer target={{ kind: 'record', record: ref, numbers, to: chosen, onTo: setTo }} />
        </div>
      )}
    </section>
  );
}

const phoneFields: readonly PhoneField[] = ['mobile', 'phone', 'business'];

/** "Mobile: +1…" for a conversation with one of the record's own numbers. */
function numberField(numbers: readonly RecordNumber[], number: string, t: ReturnType<typeof useI18n>['t']): string | undefined {
  const field = numbers.find((n) => n.number === number)?.field;
  return field && t('numberOfField', { field: t(`fieldLabel.${field}`), number });
}
