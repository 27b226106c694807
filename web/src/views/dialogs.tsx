import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, ok, principalLabel, recordLabel, type Conversation, type RecordRef } from '../api';
import { PrincipalName } from './icons';
import type { components } from '../../../shared/client';

type Assignee = components['schemas']['Assignee'];
import { useApp } from '../context';
import { useI18n } from '../i18n';
import { refreshAll } from '../live';
import { RecordLookup } from './record-search';
import { ErrorAlert } from './error-alert';

/** A modal <dialog>: the browser traps focus in it, Escape closes it, focus returns to the opener. */
function Modal({ title, onClose, children }: { title: string; onClose(): void; children: ComponentChildren }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    ref.current?.showModal();
    return () => opener?.focus();
  }, []);
  return (
    <dialog ref={ref} aria-labelledby="dialog-title" onClose={onClose} onCancel={onClose}>
      <h2 id="dialog-title">{title}</h2>
      {children}
    </dialog>
  );
}

/** "Change": look a record up and move the conversation (and all its messages) to it. */
export function MoveDialog({ conversation, onClose }: { conversation: Conversation; onClose(): void }) {
  const { api, announce } = useApp();
  const { t } = useI18n();
  const [error, setError] = useState<string>();
  const move = async (record: RecordRef, name: string) => {
    try {
      await ok(api.POST('/conversations/{id}/move', { params: { path: { id: conversation.id } }, body: { record } }));
      announce(t('moved', { record: recordLabel(record, name) }));
      refreshAll();
      onClose();
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  return (
    <Modal title={t('moveTitle')} onClose={onClose}>
      <ErrorAlert message={error} />
      <RecordLookup actionLabel={t('moveHere')} onPick={(record, name) => void move(record, name)} exclude={conversation.record} />
      <button type="button" onClick={onClose}>
        {t('cancel')}
      </button>
    </Modal>
  );
}

/** Hand-off to a seller or a team, picked by name from those who can take it (GET /directory/assignees). */
export function HandOffDialog({ conversation, onClose }: { conversation: Conversation; onClose(): void }) {
  const { api, announce } = useApp();
  const { t } = useI18n();
  const [query, setQuery] = useState('');
  const [matches, setMatches] = useState<Assignee[]>();
  const [chosen, setChosen] = useState<Assignee>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    const q = query.trim();
    if (!q) return setMatches(undefined);
    // A short pause while typing: one request per word, not per key.
    const timer = setTimeout(() => {
      ok(api.GET('/directory/assignees', { params: { query: { q } } })).then(
        (page) => setMatches(page.items),
        (e: unknown) => setError(errorText(e, t)),
      );
    }, 200);
    return () => clearTimeout(timer);
  }, [query]);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!chosen) return;
    const assignedTo = { type: chosen.type, id: chosen.id };
    try {
      await ok(api.POST('/conversations/{id}/assign', { params: { path: { id: conversation.id } }, body: { assignedTo } }));
      announce(t('handedOff', { who: principalLabel(assignedTo, chosen.name) }));
      onClose();
      // Still visible (through the record, say) or not: My SMS and the pane find out from the API.
      const still = await api.GET('/conversations/{id}', { params: { path: { id: conversation.id } } });
      if (still.response.status === 404) location.hash = '#/';
      refreshAll();
    } catch (e) {
      setError(errorText(e, t));
    }
  };
  return (
    <Modal title={t('handOffTitle')} onClose={onClose}>
      <ErrorAlert message={error} />
      <form onSubmit={(e) => void submit(e)}>
        <label>
          {t('searchAssignee')}{' '}
          <input type="search" value={query} onInput={(e) => { setQuery(e.currentTarget.value); setChosen(undefined); }} autoComplete="off" />
        </label>
        {matches && matches.length === 0 && <p role="status">{t('noAssigneeMatches', { q: query.trim() })}</p>}
        {matches && matches.length > 0 && (
          <fieldset class="assignees">
            <legend>{t('assigneeMatches')}</legend>
            {matches.map((a) => (
              <label key={`${a.type}/${a.id}`}>
                <input type="radio" name="assignee" checked={chosen?.type === a.type && chosen.id === a.id} onChange={() => setChosen(a)} /> <PrincipalName principal={a} name={a.name} />
              </label>
            ))}
          </fieldset>
        )}
        <div class="row">
          <button type="submit" class="primary" disabled={!chosen}>
            {t('handOff')}
          </button>
          <button type="button" onClick={onClose}>
            {t('cancel')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
