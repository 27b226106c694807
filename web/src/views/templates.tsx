import { useEffect, useId, useState } from 'preact/hooks';
import { ApiError, errorText, ok, type RecordRef, type RecordType, type Template } from '../api';
import { useApp } from '../context';
import { useI18n } from '../i18n';
import { useSellerName } from '../names';
import { placeholderFields, placeholderWords, unknownPlaceholders } from '../placeholders';
import { render, type TemplateContext } from '../../../shared/domain/template';
import { segmentInfo } from '../../../shared/domain/segments';
import { recordTypeNames } from '../../../shared/domain/types';
import { BackToList } from './icons';
import { ErrorAlert } from './error-alert';
import { RecordLookup } from './record-search';
import type { components } from '../../../shared/client';

type CrmRecord = components['schemas']['CrmRecord'];
type Translate = ReturnType<typeof useI18n>['t'];
type Draft = { name: string; body: string; recordTypes: RecordType[] };

/** A template's answer in words: a taken name is said as such, not as a concurrent change. */
function templateErrorText(e: unknown, t: Translate): string {
  if (e instanceof ApiError && e.code === 'Conflict') return t('templateNameTaken');
  if (e instanceof ApiError && e.code === 'UnknownPlaceholder' && Array.isArray(e.details?.unknown)) return t('unknownPlaceholders', { list: (e.details.unknown as string[]).map((p) => `{{${p}}}`).join(', ') });
  return errorText(e, t);
}

/** Templates: everyone's, to read; the seller's own (any, for an admin) to edit or delete; new ones. */
export function TemplatesView() {
  const { api, session, announce } = useApp();
  const { t, dateTime } = useI18n();
  const sellerName = useSellerName();
  const [items, setItems] = useState<Template[]>();
  const [error, setError] = useState<string>();
  const [editing, setEditing] = useState<Template | 'new'>();
  const [deleting, setDeleting] = useState<Template>();

  const load = async () => {
    try {
      const all: Template[] = [];
      let cursor: string | undefined;
      do {
        const page = await ok(api.GET('/templates', { params: { query: { limit: 100, ...(cursor ? { cursor } : {}) } } }));
        all.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      setItems(all.sort((a, b) => a.name.localeCompare(b.name)));
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  useEffect(() => void load(), []);

  const remove = async (template: Template) => {
    try {
      await ok(api.DELETE('/templates/{id}', { params: { path: { id: template.id } } }));
      setDeleting(undefined);
      announce(t('templateDeleted', { name: template.name }));
      await load();
    } catch (e) {
      setError(templateErrorText(e, t));
    }
  };
  const mayChange = (template: Template) => session.admin || template.createdBy === session.sellerId;
  const types = (template: Template) => (template.recordTypes?.length ? template.recordTypes.map((type) => t(`type.${type}`)).join(', ') : t('allRecordTypes'));

  if (editing) {
    return (
      <TemplateEditor
        template={editing === 'new' ? undefined : editing}
        onDone={(saved) => {
          setEditing(undefined);
          if (saved) {
            announce(t('templateSaved', { name: saved.name }));
            void load();
          }
        }}
      />
    );
  }
  return (
    <section class="templates" aria-labelledby="templates-title">
      <BackToList />
      <div class="row">
        <h2 id="templates-title">{t('templates')}</h2>
        <button type="button" class="primary" onClick={() => setEditing('new')}>
          {t('newTemplate')}
        </button>
      </div>
      <ErrorAlert message={error} />
      {!items ? (
        <p>{t('loading')}</p>
      ) : items.length === 0 ? (
        <p class="empty">{t('noTemplates')}</p>
      ) : (
        <ul class="template-list">
          {items.map((template) => (
            <li key={template.id} data-template={template.id}>
              <h3>{template.name}</h3>
              <p class="muted">
                {t('meantFor')}: {types(template)} · {t('writtenBy', { who: sellerName(template.createdBy) })} · <time dateTime={template.updatedAt}>{dateTime(template.updatedAt)}</time>
              </p>
              <p class="template-body">{template.body}</p>
              {mayChange(template) && (
                <div class="actions">
                  <button type="button" onClick={() => setEditing(template)} aria-label={t('editTemplate', { name: template.name })}>
                    {t('edit')}
                  </button>
                  <button type="button" onClick={() => setDeleting(template)} aria-label={t('deleteTemplate', { name: template.name })}>
                    {t('delete')}
                  </button>
                </div>
              )}
              {deleting?.id === template.id && (
                <div class="banner" role="alertdialog" aria-label={t('confirmDeleteTemplate', { name: template.name })}>
                  <p>{t('confirmDeleteTemplate', { name: template.name })}</p>
                  <div class="actions">
                    <button type="button" class="primary" onClick={() => void remove(template)}>
                      {t('delete')}
                    </button>
                    <button type="button" onClick={() => setDeleting(undefined)}>
                      {t('cancel')}
                    </button>
                  </div>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Writes a template: name, the record types it is meant for, the text with its placeholders explained, a live preview. */
function TemplateEditor({ template, onDone }: { template: Template | undefined; onDone(saved?: Template): void }) {
  const { api, session, names } = useApp();
  const { t } = useI18n();
  const ids = { name: useId(), body: useId(), syntax: useId() };
  const [draft, setDraft] = useState<Draft>({ name: template?.name ?? '', body: template?.body ?? '', recordTypes: template?.recordTypes ?? [] });
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const [sample, setSample] = useState<CrmRecord>();
  // A new lookup after each pick: the found list closes, the chosen record is named below it.
  const [lookupKey, setLookupKey] = useState(0);
  const unknown = unknownPlaceholders(draft.body);
  const canSave = !saving && draft.name.trim().length > 0 && draft.body.trim().length > 0 && unknown.length === 0;

  const toggleType = (type: RecordType, on: boolean) => setDraft((d) => ({ ...d, recordTypes: on ? recordTypeNames.filter((x) => x === type || d.recordTypes.includes(x)) : d.recordTypes.filter((x) => x !== type) }));
  const pickSample = async (record: RecordRef) => {
    const found = await api.GET('/records/{type}/{id}', { params: { path: record } });
    setSample(found.data);
    setLookupKey((k) => k + 1);
  };

  const save = async (event: Event) => {
    event.preventDefault();
    if (!canSave) return;
    setSaving(true);
    setError(undefined);
    const body = { name: draft.name.trim(), body: draft.body, ...(draft.recordTypes.length ? { recordTypes: draft.recordTypes } : {}) };
    try {
      onDone(template ? await ok(api.PUT('/templates/{id}', { params: { path: { id: template.id } }, body })) : await ok(api.POST('/templates', { body })));
    } catch (e) {
      setError(templateErrorText(e, t));
    } finally {
      setSaving(false);
    }
  };

  // The preview: for a chosen record as it would be sent; without one, each placeholder named in words.
  const previewType = sample?.type ?? (draft.recordTypes.length === 1 ? draft.recordTypes[0] : undefined);
  const sellerName = names.of(session.sellerId);
  const yourName = `[${t('placeholder.seller.name')}]`;
  // Without a record, each field renders as its name in words, through the backend's own renderer.
  const inWords = Object.fromEntries(placeholderFields.map((field) => [field, `[${placeholderWords(`record.${field}`, previewType, t)}]`]));
  // The API's numbers are E.164 by its schema: the record renders as the backend would render it.
  const preview = unknown.length === 0 && draft.body ? render(draft.body, { record: (sample ?? inWords) as TemplateContext['record'], seller: { name: sellerName ?? yourName } }) : undefined;
  const info = preview && segmentInfo(preview.body);

  return (
    <section class="template-editor" aria-labelledby="template-editor-title">
      <BackToList />
      <h2 id="template-editor-title">{template ? t('editTemplate', { name: template.name }) : t('newTemplate')}</h2>
      <form onSubmit={(e) => void save(e)}>
        <ErrorAlert message={error} />
        <label for={ids.name}>{t('templateName')}</label>
        <input id={ids.name} value={draft.name} maxLength={128} required onInput={(e) => setDraft({ ...draft, name: e.currentTarget.value })} />
        <fieldset>
          <legend>{t('meantFor')}</legend>
          {recordTypeNames.map((type) => (
            <label key={type} class="check">
              <input type="checkbox" checked={draft.recordTypes.includes(type)} onChange={(e) => toggleType(type, e.currentTarget.checked)} /> {t(`type.${type}`)}
            </label>
          ))}
          <p class="muted">{t('noTypeMeansAll')}</p>
        </fieldset>
        <label for={ids.body}>{t('templateText')}</label>
        <textarea id={ids.body} value={draft.body} rows={5} maxLength={1600} required aria-describedby={ids.syntax} onInput={(e) => setDraft({ ...draft, body: e.currentTarget.value })} />
        {unknown.length > 0 && (
          <p class="error" role="alert">
            {t('unknownPlaceholders', { list: unknown.map((p) => `{{${p}}}`).join(', ') })}
          </p>
        )}
        <div id={ids.syntax} class="syntax">
          <p>{t('syntaxIntro')}</p>
          <ul>
            {placeholderFields.map((field) => (
              <li key={field}>
                <code>{`{{record.${field}}}`}</code> {placeholderWords(`record.${field}`, previewType, t)}
              </li>
            ))}
            <li>
              <code>{'{{seller.name}}'}</code> {placeholderWords('seller.name', previewType, t)}
            </li>
          </ul>
          <p>
            {t('syntaxDefault')} <code>{'{{record.name|there}}'}</code>
          </p>
        </div>
        <h3>{t('preview')}</h3>
        <RecordLookup key={lookupKey} actionLabel={t('previewFor')} onPick={(record) => void pickSample(record)} />
        {sample && <p class="muted">{t('previewingFor', { name: sample.name, type: t(`type.${sample.type}`) })}</p>}
        {preview && (
          <div class="preview-box" aria-live="polite">
            <p class="body">{preview.body}</p>
            {info && <p class="muted">{t('encodingSegments', { encoding: info.encoding, segments: info.segments, units: info.units })}</p>}
            {preview.missing.length > 0 && <p class="missing">{t('missingPlaceholders', { list: preview.missing.map((name) => placeholderWords(name, sample?.type, t)).join(', ') })}</p>}
          </div>
        )}
        <div class="actions">
          <button type="submit" class="primary" disabled={!canSave}>
            {saving ? t('saving') : t('save')}
          </button>
          <button type="button" onClick={() => onDone()}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
