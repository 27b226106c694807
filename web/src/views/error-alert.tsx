import { useI18n } from '../i18n';

/** What went wrong, announced to screen readers; nothing while all is well. */
export function ErrorAlert({ message }: { message: string | undefined }) {
  const { t } = useI18n();
  if (!message) return null;
  return (
    <p class="error" role="alert">
      {t('error', { message })}
    </p>
  );
}
