import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { errorText, ok, principalLabel, recordLabel, type Conversation, type RecordRef } from '../api';
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

/** Hand-off to a seller or a team; the conversation may leave the caller's view. */
export function HandOffDialog({ conversation, onClose }: { conversation: Conversation; onClose(): void }) {
  const { api, announce } = useApp();
  const { t } = useI18n();
  const [type, setType] = useState<'seller' | 'team'>('seller');
  const [id, setId] = useState('');
  const [error, setError] = useState<string>();
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!id.trim()) return;
    const assignedTo = { type, id: id.trim() };
    try {
      await ok(api.POST('/conversations/{id}/assign', { params: { path: { id: conversation.id } }, body: { assignedTo } }));
      announce(t('handedOff', { who: principalLabel(assignedTo) }));
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
        <fieldset>
          <legend>{t('principalType')}</legend>
          <label>
            <input type="radio" name="principal" checked={type === 'seller'} onChange={() => setType('seller')} /> {t('seller')}
          </label>{' '}
          <label>
            <input type="radio" name="principal" checked={type === 'team'} onChange={() => setType('team')} /> {t('team')}
          </label>
        </fieldset>
        <label>
          {t('principalId')} <input value={id} onInput={(e) => setId(e.currentTarget.value)} required />
        </label>
        <div class="row">
          <button type="submit" class="primary">
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
