import type { JSX, Ref } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, errorText, ok, recordLabel, type Conversation, type Message, type RecordRef, type TimelineEvent } from '../api';
import { BackToList, PrincipalName } from './icons';
import { ErrorAlert } from './error-alert';
import { recordHref, useApp } from '../context';
import { useI18n, type MessageKey } from '../i18n';
import { useLive } from '../live';
import { useRecordName } from './record-name';
import { Composer } from './composer';
import { HandOffDialog, MoveDialog } from './dialogs';
import { MediaItem } from './media';
import { RelatedRecords } from './related';
import { useSellerName } from '../names';
import { ScheduledActions } from './scheduled';

/** The pane on the right: the conversation's history (newest at the bottom) or timeline, and the composer. */
export function ConversationPane({ id }: { id: string }) {
  const { api, live, names } = useApp();
  const { t } = useI18n();
  const [conversation, setConversation] = useState<Conversation>();
  const [missing, setMissing] = useState(false);
  const [tab, setTab] = useState<'history' | 'timeline'>('history');
  const [dialog, setDialog] = useState<'move' | 'assign'>();

  useLive(
    async () => {
      try {
        let current = await ok(api.GET('/conversations/{id}', { params: { path: { id } } }));
        // Reading it here is what clears the badge, for this seller only.
        if (current.unreadCount > 0) current = await ok(api.POST('/conversations/{id}/read', { params: { path: { id } } }));
        names.learn(current.assignedTo, current.assigneeName);
        setConversation(current);
        setMissing(false);
        return JSON.stringify([current.lastMessageAt, current.record, current.assignedTo, current.optedOut]);
      } catch (e) {
        if (e instanceof ApiError && e.status === 404) setMissing(true);
        throw e;
      }
    },
    [id],
    (hint) => hint.type === 'conversation' && hint.conversationId === id && hint.change !== 'read',
    live,
  );

  if (missing) return <p class="empty">{t('notFound')}</p>;
  if (!conversation) return <p>{t('loading')}</p>;
  // The API names the record of every conversation that has one (a sender id has none).
  const title = conversation.recordName ?? conversation.customerNumber;
  return (
    <section class="conversation" aria-labelledby="conversation-title">
      <header class="conversation-head">
        <div>
          <BackToList />
          <h2 id="conversation-title">{title}</h2>
          <p class="muted">
            {conversation.record ? (
              <>
                {t(`type.${conversation.record.type}`)}: <a href={recordHref(conversation.record)}>{recordLabel(conversation.record, conversation.recordName)}</a> ·{' '}
              </>
            ) : null}
            {conversation.customerNumber} → {conversation.businessNumber} · {t('assignedToLabel')} <PrincipalName principal={conversation.assignedTo} name={conversation.assigneeName} />
          </p>
        </div>
        <div class="actions">
          <button type="button" onClick={() => setDialog('move')} disabled={conversation.withheld}>
            {t('change')}
          </button>
          <button type="button" onClick={() => setDialog('assign')} disabled={conversation.withheld}>
            {t('handOff')}
          </button>
        </div>
      </header>
      {conversation.record?.type === 'contact' && <RelatedRecords contact={conversation.record} contactName={title} current={conversation} />}
      {conversation.optedOut && (
        <p class="banner" role="status">
          {t('optedOut')}
        </p>
      )}
      {conversation.likelyOptOut && !conversation.optedOut && <LikelyOptOutBanner conversation={conversation} onChanged={setConversation} />}
      <div class="tabs" role="tablist" aria-label={conversation.customerNumber}>
        {(['history', 'timeline'] as const).map((name) => (
          <button key={name} type="button" role="tab" id={`tab-${name}`} aria-selected={tab === name} aria-controls={`panel-${name}`} onClick={() => setTab(name)}>
            {t(name)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="tabpanel">
        {tab === 'history' ? <History conversation={conversation} /> : <Timeline conversation={conversation} />}
      </div>
      {conversation.replyable ? <Composer target={{ kind: 'conversation', conversation }} /> : <p class="banner">{t('notReplyable')}</p>}
      {dialog === 'move' && <MoveDialog conversation={conversation} onClose={() => setDialog(undefined)} />}
      {dialog === 'assign' && <HandOffDialog conversation={conversation} onClose={() => setDialog(undefined)} />}
    </section>
  );
}

/**
 * A reply that reads like "stop" opted nobody out: the seller confirms the opt-out (recorded as the customer's
 * choice) or dismisses the warning. Either clears it for everyone who sees the conversation.
 */
function LikelyOptOutBanner({ conversation, onChanged }: { conversation: Conversation; onChanged(c: Conversation): void }) {
  const { api, announce } = useApp();
  const { t } = useI18n();
  const [error, setError] = useState<string>();
  const confirm = async () => {
    try {
      await ok(api.PUT('/consent/{customerNumber}/{businessNumber}', { params: { path: { customerNumber: conversation.customerNumber, businessNumber: conversation.businessNumber } }, body: { status: 'opted_out', reason: t('likelyOptOutReason') } }));
      onChanged(await ok(api.GET('/conversations/{id}', { params: { path: { id: conversation.id } } })));
      announce(t('optOutRecorded'));
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  const dismiss = async () => {
    try {
      onChanged(await ok(api.POST('/conversations/{id}/likely-opt-out/dismiss', { params: { path: { id: conversation.id } } })));
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  return (
    <div class="banner" role="region" aria-label={t('likelyOptOut')}>
      <p>{t('likelyOptOut')}</p>
      <ErrorAlert message={error} />
      <div class="actions">
        <button type="button" class="primary" onClick={() => void confirm()}>
          {t('confirmOptOut')}
        </button>
        <button type="button" onClick={() => void dismiss()}>
          {t('dismissOptOut')}
        </button>
      </div>
    </div>
  );
}

function History({ conversation }: { conversation: Conversation }) {
  const { api, live } = useApp();
  const { t, dateTime } = useI18n();
  const [messages, setMessages] = useState<Message[]>([]);
  const [cursor, setCursor] = useState<string>();
  const older = useRef<Message[]>([]);
  const end = useRef<HTMLLIElement>(null);

  useLive(
    async () => {
      const page = await ok(api.GET('/conversations/{id}/messages', { params: { path: { id: conversation.id }, query: { limit: 50 } } }));
      const fresh = new Set(page.items.map((m) => m.id));
      setMessages([...older.current.filter((m) => !fresh.has(m.id)).reverse(), ...[...page.items].reverse()]);
      if (older.current.length === 0) setCursor(page.nextCursor);
      return JSON.stringify(page.items.map((m) => [m.id, m.status, m.scheduledFor, m.body, m.media?.map((x) => x.status)]));
    },
    [conversation.id],
    (hint) => hint.type === 'conversation' && hint.conversationId === conversation.id && hint.change !== 'read',
    live,
  );
  const lastId = messages.at(-1)?.id;
  const routingShown = routingShownOn(messages);
  useEffect(() => end.current?.scrollIntoView?.({ block: 'end' }), [lastId]);

  const loadOlder = async () => {
    if (!cursor) return;
    const page = await ok(api.GET('/conversations/{id}/messages', { params: { path: { id: conversation.id }, query: { limit: 50, cursor } } }));
    older.current = [...older.current, ...page.items];
    setMessages((current) => [...[...page.items].reverse(), ...current]);
    setCursor(page.nextCursor);
  };

  // The business's last word was the after-hours reply: say so above the thread ("got it at 22:03").
  const lastOutbound = messages.filter((m) => m.direction === 'outbound' && m.status !== 'scheduled' && m.status !== 'canceled').at(-1);
  const afterHours = lastOutbound?.automated === 'after_hours' ? lastOutbound : undefined;

  return (
    <>
      {afterHours && (
        <p class="banner info" role="note">
          {t('afterHoursGot', { when: dateTime(afterHours.createdAt) })}
        </p>
      )}
      {cursor && (
        <button type="button" class="link" onClick={() => void loadOlder()}>
          {t('loadOlder')}
        </button>
      )}
      <ol class="messages" aria-label={t('history')}>
        {messages.map((m, i) => (
          <MessageItem key={m.id} message={m} conversation={conversation} itemRef={i === messages.length - 1 ? end : undefined} showRouting={routingShown.has(m.id)} />
        ))}
      </ol>
    </>
  );
}

/** The routing explanation shows once per change: on the first inbound message, then only where it reads differently. */
function routingShownOn(messages: readonly Message[]): Set<string> {
  const shown = new Set<string>();
  let previous: string | undefined;
  for (const message of messages) {
    if (!message.routing) continue;
    const text = JSON.stringify(message.routing);
    if (text !== previous) shown.add(message.id);
    previous = text;
  }
  return shown;
}

function MessageItem({ message, conversation, itemRef, showRouting }: { message: Message; conversation: Conversation; itemRef?: Ref<HTMLLIElement> | undefined; showRouting: boolean }) {
  const { t, dateTime } = useI18n();
  const tipId = `reason-${message.id}`;
  const { session } = useApp();
  const seller = useSellerName();
  // The sender opens the line: "You", capitalised; anyone else by name.
  const who = message.direction === 'inbound' ? t('customer') : message.automated === 'after_hours' ? t('automatic') : message.sentBy === session.sellerId ? t('you') : message.sentBy ? seller(message.sentBy) : '';
  return (
    <li class={`message ${message.direction}`} data-message={message.id} ref={itemRef}>
      <div class="bubble">
        {message.withheld ? <em>{t('withheld')}</em> : message.body && <p class="body">{message.body}</p>}
        {message.media?.map((media) => (
          <MediaItem key={media.id} conversationId={conversation.id} messageId={message.id} media={media} />
        ))}
      </div>
      <div class="meta">
        <span>{who}</span> · <time dateTime={message.createdAt}>{dateTime(message.createdAt)}</time>
        {message.automated === 'sms_step' && <> · {t('automatedStep')}</>}
        {message.automated === 'after_hours' && <> · {t('afterHoursReply')}</>}
        {message.status === 'scheduled' && message.scheduledFor && (
          <>
            {' · '}
            <strong class="scheduled-for">{t('scheduledFor', { when: dateTime(message.scheduledFor) })}</strong>
          </>
        )}
        {message.direction === 'outbound' && (
          <>
            {' · '}
            {message.statusReason ? (
              <span class="status has-reason" data-status={message.status} tabindex={0} aria-describedby={tipId}>
                {t(`status.${message.status}`)}
                <span class="tooltip" role="tooltip" id={tipId}>
                  {message.statusReason.code}: {message.statusReason.message}
                </span>
              </span>
            ) : (
              <span class="status" data-status={message.status}>
                {t(`status.${message.status}`)}
              </span>
            )}
          </>
        )}
      </div>
      {message.status === 'scheduled' && message.sentBy === session.sellerId && !message.withheld && <ScheduledActions message={message} />}
      {message.routing && showRouting && (
        <p class="routing muted">
          {t('routedBy', { rule: t(`rule.${message.routing.rule}`) })}
          {message.routing.runnerUp && <> ({withParts(t, 'runnerUp', { record: <RecordMention record={message.routing.runnerUp} conversation={conversation} /> })})</>}
        </p>
      )}
    </li>
  );
}

/** A record in running text: its name when the seller may read it or the conversation names it, else its type in words. */
function RecordMention({ record, conversation }: { record: RecordRef; conversation: Conversation }) {
  const { api } = useApp();
  const { t } = useI18n();
  // The conversation's own record is named by the conversation; any other is looked up (when readable).
  const own = conversation.record && conversation.record.type === record.type && conversation.record.id === record.id ? conversation.recordName : undefined;
  const name = useRecordName(api, own ? undefined : record) ?? own;
  return name ? <>{name}</> : <>{t(`aRecord.${record.type}`)}</>;
}

function Timeline({ conversation }: { conversation: Conversation }) {
  const { api, live, names } = useApp();
  const { t, dateTime } = useI18n();
  const seller = useSellerName();
  const id = conversation.id;
  const [events, setEvents] = useState<TimelineEvent[]>();
  useLive(
    async () => {
      const page = await ok(api.GET('/conversations/{id}/events', { params: { path: { id }, query: { limit: 100 } } }));
      for (const event of page.items) {
        if (event.kind !== 'assigned') continue;
        names.learn(event.detail.from, event.detail.fromName);
        names.learn(event.detail.to, event.detail.toName);
      }
      setEvents(page.items);
      return JSON.stringify(page.items.map((e) => e.id));
    },
    [id],
    (hint) => hint.type === 'conversation' && hint.conversationId === id && hint.change !== 'read',
    live,
  );
  if (!events) return <p>{t('loading')}</p>;
  return (
    <ol class="timeline">
      {events.map((event) => (
        <li key={event.id}>
          <time dateTime={event.at}>{dateTime(event.at)}</time> <EventText event={event} conversation={conversation} />
          {event.by && <span class="muted"> {t('by', { who: seller(event.by) })}</span>}
        </li>
      ))}
    </ol>
  );
}

/** An event in words, with records and people by name; the sentence's order follows the language. */
function EventText({ event, conversation }: { event: TimelineEvent; conversation: Conversation }) {
  const { t } = useI18n();
  const fill = (key: MessageKey, parts: Record<string, JSX.Element>) => withParts(t, key, parts);
  switch (event.kind) {
    case 'created':
      // A sender that is not a phone number gets no record.
      return event.detail.record ? <>{fill('event.created', { record: <RecordMention record={event.detail.record} conversation={conversation} /> })}</> : <>{t('event.createdWithoutRecord')}</>;
    case 'moved':
      return <>{fill('event.moved', { from: <RecordMention record={event.detail.from} conversation={conversation} />, to: <RecordMention record={event.detail.to} conversation={conversation} /> })}</>;
    case 'assigned':
      if (event.detail.auto) return <>{fill('event.autoAssigned', { to: <PrincipalName principal={event.detail.to} name={event.detail.toName} /> })}</>;
      return <>{fill('event.assigned', { from: <PrincipalName principal={event.detail.from} name={event.detail.fromName} />, to: <PrincipalName principal={event.detail.to} name={event.detail.toName} /> })}</>;
    default:
      return <>{t(`event.${event.kind}`)}</>;
  }
}

type Translate = ReturnType<typeof useI18n>['t'];

/** A translated sentence with elements in its `{name}` slots (names that render on their own). */
function withParts(t: Translate, key: MessageKey, parts: Record<string, JSX.Element>): (string | JSX.Element | null)[] {
  const slots = Object.fromEntries(Object.keys(parts).map((name) => [name, `{${name}}`]));
  return t(key, slots)
    .split(/(\{\w+\})/)
    .map((piece) => (/^\{\w+\}$/.test(piece) ? (parts[piece.slice(1, -1)] ?? null) : piece));
}
