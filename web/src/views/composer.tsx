import { useEffect, useRef, useState } from 'preact/hooks';
import { segmentInfo } from '../../../shared/domain/segments';
import { errorText, ok, type Conversation, type RecordRef, type Template } from '../api';
import { useApp } from '../context';
import { useI18n } from '../i18n';
import { refreshAll } from '../live';
import { ErrorAlert } from './error-alert';
import type { components } from '../../../shared/client';

type BusinessNumber = components['schemas']['BusinessNumber'];
type Rendered = components['schemas']['RenderedTemplate'];

export type ComposerTarget = { kind: 'conversation'; conversation: Conversation } | { kind: 'record'; record: RecordRef; phones: string[] };

/** Per signed-in client: a seller's numbers are never shown to the next one signing in on this tab. */
const myNumbers = new WeakMap<object, Promise<BusinessNumber[]>>();

/**
 * Writes and sends an SMS: the sending number (the caller's and their teams'), a template rendered live
 * for the record (encoding, segments, missing placeholders) or free text, and one Idempotency-Key per
 * draft so a retried click never sends twice.
 */
export function Composer({ target }: { target: ComposerTarget }) {
  const { api, announce } = useApp();
  const { t } = useI18n();
  // The composer is shown for replyable conversations only, and those are always on a record.
  const record = target.kind === 'conversation' ? target.conversation.record! : target.record;
  const [numbers, setNumbers] = useState<BusinessNumber[]>([]);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [from, setFrom] = useState(target.kind === 'conversation' ? target.conversation.businessNumber : '');
  const [to, setTo] = useState(target.kind === 'record' ? (target.phones[0] ?? '') : '');
  const [templateId, setTemplateId] = useState('');
  const [body, setBody] = useState('');
  const [rendered, setRendered] = useState<Rendered>();
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const idempotencyKey = useRef(crypto.randomUUID());

  useEffect(() => {
    if (!myNumbers.has(api)) myNumbers.set(api, ok(api.GET('/me/numbers')).then((r) => r.items));
    myNumbers.get(api)!.then(
      (items) => {
        setNumbers(items);
        setFrom((current) => current || items[0]?.number || '');
      },
      () => myNumbers.delete(api),
    );
    void ok(api.GET('/templates', { params: { query: { recordType: record.type, limit: 100 } } })).then((r) => setTemplates(r.items));
  }, [record.type]);

  useEffect(() => {
    setRendered(undefined);
    if (!templateId) return;
    let live = true;
    ok(api.POST('/templates/{id}/render', { params: { path: { id: templateId } }, body: { record } })).then(
      (r) => live && setRendered(r),
      (e: Error) => live && setError(errorText(e, t)),
    );
    return () => {
      live = false;
    };
  }, [templateId, record.type, record.id]);

  // A new draft is a new send: the key changes with what would be sent.
  useEffect(() => {
    idempotencyKey.current = crypto.randomUUID();
  }, [from, to, templateId, body]);

  const conversation = target.kind === 'conversation' ? target.conversation : undefined;
  const blocked = conversation?.optedOut || conversation?.withheld;
  // Free text is counted here, by the backend's own rules; a template as the API rendered it.
  const info = templateId ? rendered && { ...rendered, units: rendered.body.length } : { ...segmentInfo(body), missing: [] as string[] };
  const canSend = !blocked && !sending && !!from && (templateId ? !!rendered && rendered.missing.length === 0 : body.trim().length > 0) && (target.kind === 'conversation' || !!to);

  const send = async (event: Event) => {
    event.preventDefault();
    if (!canSend) return;
    setSending(true);
    setError(undefined);
    const content = templateId ? { templateId } : { body };
    const headers = { 'Idempotency-Key': idempotencyKey.current };
    try {
      if (conversation && from === conversation.businessNumber) {
        await ok(api.POST('/conversations/{id}/messages', { params: { path: { id: conversation.id }, header: headers }, body: content }));
      } else {
        await ok(api.POST('/messages', { params: { header: headers }, body: { record, from, to: conversation ? conversation.customerNumber : to, ...content } }));
      }
      setBody('');
      setTemplateId('');
      idempotencyKey.current = crypto.randomUUID();
      announce(t('sent'));
      refreshAll();
    } catch (e) {
      setError(errorText(e, t));
    } finally {
      setSending(false);
    }
  };

  return (
    <form class="composer" onSubmit={(e) => void send(e)} aria-label={t('composer')}>
      <ErrorAlert message={error} />
      <div class="row">
        <label>
          {t('from')}{' '}
          <select value={from} onChange={(e) => setFrom(e.currentTarget.value)} disabled={blocked}>
            {conversation && !numbers.some((n) => n.number === conversation.businessNumber) && <option value={conversation.businessNumber}>{conversation.businessNumber}</option>}
            {numbers.map((n) => (
              <option key={n.number} value={n.number}>
                {n.label ? `${n.label} (${n.number})` : n.number}
              </option>
            ))}
          </select>
        </label>
        {target.kind === 'record' && (
          <label>
            {t('to')}{' '}
            <select value={to} onChange={(e) => setTo(e.currentTarget.value)}>
              {target.phones.map((p) => (
                <option key={p} value={p}>{p}</option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('template')}{' '}
          <select value={templateId} onChange={(e) => setTemplateId(e.currentTarget.value)} disabled={blocked}>
            <option value="">{t('noTemplate')}</option>
            {templates.map((tpl) => (
              <option key={tpl.id} value={tpl.id}>{tpl.name}</option>
            ))}
          </select>
        </label>
      </div>
      <label class="body-label">
        {t('message')}
        <textarea value={templateId ? (rendered?.body ?? '') : body} readOnly={!!templateId} disabled={blocked} rows={3} onInput={(e) => setBody(e.currentTarget.value)} />
      </label>
      <div class="row">
        <span class="muted" aria-live="polite">
          {info && t('encodingSegments', { encoding: info.encoding, segments: info.segments, units: info.units })}
          {info && info.missing.length > 0 && (
            <strong class="missing">
              {' · '}
              {t('missingPlaceholders', { list: info.missing.join(', ') })}
            </strong>
          )}
        </span>
        <button type="submit" class="primary" disabled={!canSend}>
          {sending ? t('sending') : t('send')}
        </button>
      </div>
    </form>
  );
}
