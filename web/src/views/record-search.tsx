import { useEffect, useId, useState } from 'preact/hooks';
import { ok, type RecordRef } from '../api';
import { recordHref, useApp } from '../context';
import { useI18n } from '../i18n';

type Found = RecordRef & { name: string; state: string };

/** The record lookup (`GET /records?q=`): names from 2 characters, or a phone number. */
export function RecordLookup({ actionLabel, onPick, exclude }: { actionLabel: string; onPick(record: RecordRef, name: string): void; exclude?: RecordRef }) {
  const { api } = useApp();
  const { t } = useI18n();
  const inputId = useId();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<Found[]>();
  useEffect(() => {
    if (q.trim().length < 2) return setFound(undefined);
    let live = true;
    const timer = setTimeout(() => {
      void ok(api.GET('/records', { params: { query: { q: q.trim(), limit: 10 } } })).then(
        (r) => live && setFound(r.items.filter((f) => !(exclude && f.type === exclude.type && f.id === exclude.id))),
        () => live && setFound([]),
      );
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [q]);
  return (
    <div class="lookup">
      <label for={inputId}>{t('findRecord')}</label>
      <input id={inputId} type="search" value={q} placeholder={t('searchPlaceholder')} onInput={(e) => setQ(e.currentTarget.value)} autocomplete="off" />
      {found && (
        <ul class="found" aria-live="polite">
          {found.length === 0 && <li>{t('noMatches')}</li>}
          {found.map((r) => (
            <li key={`${r.type}/${r.id}`}>
              <span>
                {r.name} <span class="muted">({t(`type.${r.type}`)})</span>
              </span>{' '}
              <button type="button" onClick={() => onPick({ type: r.type, id: r.id }, r.name)} aria-label={`${actionLabel}: ${r.name}`}>
                {actionLabel}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** The header's lookup: opens the record. */
export function RecordSearch() {
  const { t } = useI18n();
  const [key, setKey] = useState(0);
  return (
    <div role="search" class="record-search" key={key}>
      <RecordLookup
        actionLabel={t('record')}
        onPick={(record) => {
          location.hash = recordHref(record);
          setKey((k) => k + 1);
        }}
      />
    </div>
  );
}
