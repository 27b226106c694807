import { defaultSendAt, fromLocalInput, sendAtBounds, toLocalInput, useCustomerTimeAt } from '../schedule-time';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { segmentInfo } from '../../../shared/domain/segments';
import { ApiError, errorText, ok, type Conversation, type RecordRef, type Template } from '../api';
import { useApp } from '../context';
import { useI18n } from '../i18n';
import { refreshAll } from '../live';
import { ErrorAlert } from './error-alert';
import type { components } from '../../../shared/client';
import { useMyNumbers } from '../numbers';
import { placeholderWords } from '../placeholders';
import { conversationDraft, readDraft, recordDraft, saveDraft } from '../drafts';

type UploadTarget = components['schemas']['MediaUpload']['upload'];

/** A photo attached to the draft: uploaded straight to storage (POST /media), then named in the send. */
interface Attachment {
  key: string;
  name: string;
  previewUrl: string;
  progress: number;
  mediaId?: string;
  failed?: string;
}

const ATTACHABLE = 'image/jpeg,image/png,image/gif';

/** Sends the file where POST /media said, reporting progress (fetch reports none for uploads). */
function uploadFile(target: UploadTarget, file: File, onProgress: (percent: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.url);
    let body: Blob | FormData = file;
    if (target.fields) {
      const form = new FormData();
      for (const [name, value] of Object.entries(target.fields)) form.append(name, value);
      form.append('file', file);
      body = form;
    }
    for (const [name, value] of Object.entries(target.headers ?? {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => event.lengthComputable && onProgress(Math.round((100 * event.loaded) / event.total));
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new Error(String(xhr.status))));
    xhr.onerror = () => reject(new Error('network'));
    xhr.send(body);
  });
}
type Rendered = components['schemas']['RenderedTemplate'];

export type PhoneField = 'mobile' | 'phone' | 'business';
/** A record's number, with the field it comes from ("To" says which). */
export interface RecordNumber {
  field: PhoneField;
  number: string;
}

/** A reply in a conversation, or a new message to a record (its numbers and the chosen one, held by the record view). */
export type ComposerTarget = { kind: 'conversation'; conversation: Conversation } | { kind: 'record'; record: RecordRef; numbers: RecordNumber[]; to: string; onTo(number: string): void };

type Translate = ReturnType<typeof useI18n>['t'];
type CustomerTime = NonNullable<Rendered['customerTime']>;

/** Quiet hours as the seller reads them: the customer's time and zone, and when a text may go (in the seller's time). */
function customerTimeText(time: CustomerTime, t: Translate, dateTime: (iso: string) => string): string {
  const now = t('customerLocalTime', { time: time.localTime, zone: time.timeZone.replace(/_/g, ' ') });
  if (!time.quiet) return now;
  return `${now} ${time.allowedFrom ? t('quietUntil', { when: dateTime(time.allowedFrom) }) : t('quietNow')}`;
}

/** A refused send, in words: quiet hours with the customer's time, missing values named, anything else by its code. */
function sendErrorText(e: unknown, recordType: RecordRef['type'], t: Translate, dateTime: (iso: string) => string): string {
  if (e instanceof ApiError && e.code === 'QuietHours' && typeof e.details?.customerLocalTime === 'string' && typeof e.details.timeZone === 'string') {
    const allowedFrom = typeof e.details.allowedFrom === 'string' ? e.details.allowedFrom : undefined;
    return customerTimeText({ localTime: e.details.customerLocalTime, timeZone: e.details.timeZone, quiet: true, ...(allowedFrom ? { allowedFrom } : {}) }, t, dateTime);
  }
  if (e instanceof ApiError && e.code === 'MissingPlaceholderValue' && Array.isArray(e.details?.placeholders)) {
    return t('missingPlaceholders', { list: (e.details.placeholders as string[]).map((p) => placeholderWords(p, recordType, t)).join(', ') });
  }
  return errorText(e, t);
}

/**
 * Writes and sends an SMS: the sending number (the caller's and their teams'), a template rendered live
 * for the record (encoding, segments, missing placeholders) or free text, and one Idempotency-Key per
 * draft so a retried click never sends twice.
 */
export function Composer({ target }: { target: ComposerTarget }) {
  const { api, announce, session, quietHours } = useApp();
  const { t, dateTime } = useI18n();
  // The composer is shown for replyable conversations only, and those are always on a record.
  const record = target.kind === 'conversation' ? target.conversation.record! : target.record;
  const draft = target.kind === 'conversation' ? conversationDraft(target.conversation.id) : recordDraft(record);
  const numbers = useMyNumbers(api);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [from, setFrom] = useState(target.kind === 'conversation' ? target.conversation.businessNumber : '');
  const to = target.kind === 'record' ? target.to : target.conversation.customerNumber;
  const [templateId, setTemplateId] = useState('');
  // Each conversation keeps its unsent text: switching away and back, or signing in again, finds it.
  const [body, setBodyState] = useState(() => readDraft(session.sellerId, draft));
  const setBody = (text: string) => {
    setBodyState(text);
    saveDraft(session.sellerId, draft, text);
  };
  const [rendered, setRendered] = useState<Rendered>();
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const [attachments, setAttachments] = useState<Attachment[]>([]);
  // Send later: a time in the seller's zone, and whether a reply from the customer cancels it.
  const [later, setLater] = useState(false);
  const [sendAtLocal, setSendAtLocal] = useState(() => defaultSendAt());
  const [cancelOnReply, setCancelOnReply] = useState(true);
  const [allowedFrom, setAllowedFrom] = useState<string>();
  const sendAt = later ? fromLocalInput(sendAtLocal) : undefined;
  const idempotencyKey = useRef(crypto.randomUUID());
  const ids = { from: useId(), to: useId(), template: useId(), sendAt: useId() };
  const patch = (key: string, change: Partial<Attachment>) => setAttachments((list) => list.map((a) => (a.key === key ? { ...a, ...change } : a)));

  const attach = async (files: FileList | null) => {
    for (const file of Array.from(files ?? [])) {
      const key = crypto.randomUUID();
      setAttachments((list) => [...list, { key, name: file.name, previewUrl: URL.createObjectURL(file), progress: 0 }]);
      try {
        const created = await ok(api.POST('/media', { body: { contentType: file.type as 'image/png', size: file.size } }));
        await uploadFile(created.upload, file, (progress) => patch(key, { progress }));
        patch(key, { mediaId: created.mediaId, progress: 100 });
      } catch (e) {
        patch(key, { failed: errorText(e, t) });
      }
    }
  };
  const remove = (key: string) =>
    setAttachments((list) => {
      const gone = list.find((a) => a.key === key);
      if (gone) URL.revokeObjectURL(gone.previewUrl);
      return list.filter((a) => a.key !== key);
    });

  useEffect(() => setFrom((current) => current || numbers[0]?.number || ''), [numbers]);
  useEffect(() => {
    void ok(api.GET('/templates', { params: { query: { recordType: record.type, limit: 100 } } })).then((r) => setTemplates(r.items));
  }, [record.type]);

  useEffect(() => {
    setRendered(undefined);
    if (!templateId) return;
    let live = true;
    // Rendered for the number it would go to: the answer carries the customer's local time there.
    ok(api.POST('/templates/{id}/render', { params: { path: { id: templateId } }, body: { record, ...(to ? { to } : {}) } })).then(
      (r) => live && setRendered(r),
      (e: Error) => live && setError(errorText(e, t)),
    );
    return () => {
      live = false;
    };
  }, [templateId, record.type, record.id, to]);

  // A new draft is a new send: the key changes with what would be sent.
  useEffect(() => {
    idempotencyKey.current = crypto.randomUUID();
  }, [from, to, templateId, body, attachments.map((a) => a.mediaId).join(), sendAt, cancelOnReply]);

  const conversation = target.kind === 'conversation' ? target.conversation : undefined;
  const blocked = conversation?.optedOut || conversation?.withheld;
  // Free text is counted here, by the backend's own rules; a template as the API rendered it.
  const info = templateId ? rendered && { ...rendered, units: rendered.body.length } : { ...segmentInfo(body), missing: [] as string[] };
  const media = attachments.flatMap((a) => (a.mediaId ? [a.mediaId] : []));
  const uploading = attachments.some((a) => !a.mediaId && !a.failed);
  const canSend =
    !blocked && !sending && !uploading && !!from && (!later || (!!sendAt && media.length === 0)) && (templateId ? !!rendered && rendered.missing.length === 0 : body.trim().length > 0 || media.length > 0) && (target.kind === 'conversation' || !!to);

  const send = async (event: Event) => {
    event.preventDefault();
    if (!canSend) return;
    setSending(true);
    setError(undefined);
    setAllowedFrom(undefined);
    const content = { ...(templateId ? { templateId } : body.trim() ? { body } : {}), ...(media.length ? { media } : {}), ...(sendAt ? { sendAt, cancelOnReply } : {}) };
    const headers = { 'Idempotency-Key': idempotencyKey.current };
    try {
      if (conversation && from === conversation.businessNumber) {
        await ok(api.POST('/conversations/{id}/messages', { params: { path: { id: conversation.id }, header: headers }, body: content }));
      } else {
        await ok(api.POST('/messages', { params: { header: headers }, body: { record, from, to, ...content } }));
      }
      setBody('');
      setTemplateId('');
      for (const a of attachments) URL.revokeObjectURL(a.previewUrl);
      setAttachments([]);
      idempotencyKey.current = crypto.randomUUID();
      announce(sendAt ? t('scheduledFor', { when: dateTime(sendAt) }) : t('sent'));
      setLater(false);
      refreshAll();
    } catch (e) {
      setError(sendErrorText(e, record.type, t, dateTime));
      // A time inside the customer's quiet hours: offer the first time it may go.
      if (sendAt && e instanceof ApiError && e.code === 'QuietHours' && typeof e.details?.allowedFrom === 'string') setAllowedFrom(e.details.allowedFrom);
    } finally {
      setSending(false);
    }
  };

  return (
    <form class="composer" onSubmit={(e) => void send(e)} aria-label={t('composer')}>
      <ErrorAlert message={error} />
      <div class="row">
        <span class="field">
          <label for={ids.from}>{t('from')}</label>
          <select id={ids.from} value={from} onChange={(e) => setFrom(e.currentTarget.value)} disabled={blocked}>
            {conversation && !numbers.some((n) => n.number === conversation.businessNumber) && <option value={conversation.businessNumber}>{conversation.businessNumber}</option>}
            {numbers.map((n) => (
              <option key={n.number} value={n.number}>
                {n.label ? `${n.label} (${n.number})` : n.number}
              </option>
            ))}
          </select>
        </span>
        {target.kind === 'record' && (
          <span class="field">
            <label for={ids.to}>{t('to')}</label>
            <select id={ids.to} value={to} onChange={(e) => target.onTo(e.currentTarget.value)}>
              {target.numbers.map((n) => (
                <option key={n.field} value={n.number}>
                  {t('numberOfField', { field: t(`fieldLabel.${n.field}`), number: n.number })}
                </option>
              ))}
            </select>
          </span>
        )}
        <span class="field">
          <label for={ids.template}>{t('template')}</label>
          <select id={ids.template} value={templateId} onChange={(e) => setTemplateId(e.currentTarget.value)} disabled={blocked}>
            <option value="">{t('noTemplate')}</option>
            {templates.map((tpl) => (
              <option key={tpl.id} value={tpl.id}>
                {tpl.name}
              </option>
            ))}
          </select>
        </span>
      </div>
      <label class="body-label">
        {t('message')}
        <textarea value={templateId ? (rendered?.body ?? '') : body} readOnly={!!templateId} disabled={blocked} rows={3} onInput={(e) => setBody(e.currentTarget.value)} />
      </label>
      <label class="attach">
        {t('attachImage')} <input type="file" accept={ATTACHABLE} multiple disabled={blocked || later} onChange={(e) => void attach(e.currentTarget.files).then(() => void 0)} />
      </label>
      <fieldset class="send-later">
        <label>
          <input type="checkbox" checked={later} disabled={blocked || media.length > 0} onChange={(e) => setLater(e.currentTarget.checked)} /> {t('sendLater')}
        </label>
        {later && (
          <>
            <span class="field">
              <label for={ids.sendAt}>{t('sendAtLabel')}</label>
              <input id={ids.sendAt} type="datetime-local" value={sendAtLocal} {...sendAtBounds()} onInput={(e) => setSendAtLocal(e.currentTarget.value)} />
            </span>
            <label>
              <input type="checkbox" checked={cancelOnReply} onChange={(e) => setCancelOnReply(e.currentTarget.checked)} /> {t('cancelOnReply')}
            </label>
            <CustomerTimeThenLine number={to} sendAt={sendAt} quietHours={quietHours} />
            {allowedFrom && (
              <button type="button" class="link" onClick={() => setSendAtLocal(toLocalInput(new Date(allowedFrom)))}>
                {t('useAllowedTime', { when: dateTime(allowedFrom) })}
              </button>
            )}
          </>
        )}
      </fieldset>
      {attachments.length > 0 && (
        <ul class="attachments" aria-label={t('attachments')}>
          {attachments.map((a) => (
            <li key={a.key}>
              <img src={a.previewUrl} alt={a.name} width={64} height={64} />
              {a.failed ? <span class="error">{a.failed}</span> : !a.mediaId && <progress max={100} value={a.progress} aria-label={t('uploading', { name: a.name })} />}
              <button type="button" onClick={() => remove(a.key)}>
                {t('removeAttachment', { name: a.name })}
              </button>
            </li>
          ))}
        </ul>
      )}
      {rendered?.customerTime ? <CustomerTimeLine time={rendered.customerTime} /> : !templateId && to && <CustomerClock number={to} />}
      <div class="row">
        <span class="muted" aria-live="polite">
          {info && t('encodingSegments', { encoding: info.encoding, segments: info.segments, units: info.units })}
          {info && info.missing.length > 0 && (
            <strong class="missing">
              {' · '}
              {t('missingPlaceholders', { list: info.missing.map((name) => placeholderWords(name, record.type, t)).join(', ') })}
            </strong>
          )}
        </span>
        <button type="submit" class="primary" disabled={!canSend}>
          {later ? (sending ? t('scheduling') : t('schedule')) : sending ? t('sending') : t('send')}
        </button>
      </div>
    </form>
  );
}

/** The customer's local time before sending (from the template's render); a warning while it is quiet there. */
function CustomerTimeLine({ time }: { time: CustomerTime }) {
  const { t, dateTime } = useI18n();
  return (
    <p class={time.quiet ? 'banner quiet' : 'muted customer-time'} role={time.quiet ? 'status' : undefined}>
      {customerTimeText(time, t, dateTime)}
    </p>
  );
}

/**
 * Free text: the customer's local time by their number, worked out here with the backend's own time-zone
 * table (loaded on first use, apart from the main script). Whether it is quiet there is the backend's call:
 * a template's render says so, and a send inside quiet hours is refused with when it may go.
 */
function CustomerClock({ number }: { number: string }) {
  const { t, dateTime } = useI18n();
  const [text, setText] = useState<string>();
  useEffect(() => {
    let live = true;
    const show = () =>
      void import('../../../shared/domain/quiet-hours').then(({ customerTime }) => {
        const time = customerTime(number, new Date(), undefined);
        if (live) setText(time && customerTimeText(time, t, dateTime));
      });
    show();
    const timer = setInterval(show, 60_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [number, t, dateTime]);
  return text ? <p class="muted customer-time">{text}</p> : null;
}

/** Send later: the customer's local time at the chosen moment, and a warning when it falls in their quiet hours. */
function CustomerTimeThenLine({ number, sendAt, quietHours }: { number: string | undefined; sendAt: string | undefined; quietHours: string | undefined }) {
  const { t, dateTime } = useI18n();
  const then = useCustomerTimeAt(number, sendAt, quietHours);
  if (!then) return null;
  const text = t('customerTimeThen', { time: then.localTime, zone: then.timeZone.replace(/_/g, ' ') });
  return (
    <p class={then.quiet ? 'banner quiet' : 'muted customer-time'} role={then.quiet ? 'status' : undefined}>
      {text}
      {then.quiet && then.allowedFrom && ` ${t('quietThen', { when: dateTime(then.allowedFrom) })}`}
    </p>
  );
}
