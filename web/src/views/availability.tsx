import { useEffect, useState } from 'preact/hooks';
import { ok } from '../api';
import { useApp } from '../context';
import { useI18n } from '../i18n';

/** The seller's own availability for auto-assignment, as a switch in the header (PUT /me/availability). */
export function AvailabilitySwitch() {
  const { api, announce } = useApp();
  const { t } = useI18n();
  const [available, setAvailable] = useState<boolean>();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    void ok(api.GET('/me')).then((me) => setAvailable(me.available), () => setAvailable(undefined));
  }, []);
  if (available === undefined) return null;
  const toggle = async () => {
    setBusy(true);
    try {
      const me = await ok(api.PUT('/me/availability', { body: { available: !available } }));
      setAvailable(me.available);
      announce(t(me.available ? 'nowAvailable' : 'nowUnavailable'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <button type="button" class="availability" role="switch" aria-checked={available} title={t('available')} disabled={busy} onClick={() => void toggle()}>
      <span aria-hidden="true" class={`dot ${available ? 'on' : 'off'}`} />
      {t('availableShort')}
    </button>
  );
}
