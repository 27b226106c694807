import type { JSX } from 'preact';
import { useI18n } from '../i18n';
import type { Principal } from '../api';
import { useApp } from '../context';

/** A team's mark: an inline SVG (Debian's Chromium draws emoji as empty boxes), named for screen readers. */
export function TeamIcon(): JSX.Element {
  const { t } = useI18n();
  return (
    <svg class="icon" role="img" aria-label={t('team')} width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      <circle cx="9" cy="8" r="3.5" />
      <path d="M2.5 20c0-3.6 2.9-6 6.5-6s6.5 2.4 6.5 6" />
      <circle cx="17" cy="9" r="2.5" />
      <path d="M16 14.2c3 .2 5.5 2.3 5.5 5.3" />
    </svg>
  );
}

/** Who a conversation is assigned to, by name (never a raw id); a team with its mark. */
export function PrincipalName({ principal, name }: { principal: Principal; name?: string | undefined }): JSX.Element {
  const { t } = useI18n();
  const { names } = useApp();
  return (
    <span class="principal">
      {principal.type === 'team' && <TeamIcon />}
      {name ?? (principal.type === 'seller' ? (names.of(principal.id) ?? t('colleague')) : t('aTeam'))}
    </span>
  );
}

/** Back to My SMS: shown on narrow screens, where the list and the thread take turns. */
export function BackToList(): JSX.Element {
  const { t } = useI18n();
  return (
    <a class="back" href="#/">
      <svg aria-hidden="true" width="16" height="16" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
        <path d="M15 18l-6-6 6-6" />
      </svg>
      {t('mySms')}
    </a>
  );
}

/** A speech bubble: "text this number". Decorative; the button carries the words. */
export function MessageIcon(): JSX.Element {
  return (
    <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round">
      <path d="M21 12a8 8 0 0 1-11.6 7.1L4 20.5l1.4-4.9A8 8 0 1 1 21 12z" />
    </svg>
  );
}
