import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import type { ConsoleConfig, OAuthConfig } from '../config';
import { signInLocally, startOAuthSignIn, type Session } from '../auth';
import { useI18n } from '../i18n';
import { ErrorAlert } from './error-alert';

/** The sign-in screen; `notice` says why the seller is here again (their session ended: their drafts are kept). */
export function SignIn({ config, onSignedIn, error, notice, languagePicker }: { config: ConsoleConfig; onSignedIn(session: Session): void; error?: string | undefined; notice?: string | undefined; languagePicker: JSX.Element }) {
  const { t } = useI18n();
  const [sellerId, setSellerId] = useState('');
  const [failure, setFailure] = useState(error);
  const local = (id: string, groups?: string[]) => signInLocally(config, id, groups).then(onSignedIn, (e: Error) => setFailure(e.message));

  return (
    <main class="sign-in">
      <h1>{t('appName')}</h1>
      <h2>{t('signInTitle')}</h2>
      {notice && (
        <p class="banner" role="status">
          {notice}
        </p>
      )}
      <ErrorAlert message={failure} />
      {config.auth.kind !== 'local' ? (
        <button type="button" class="primary" onClick={() => void startOAuthSignIn(config as ConsoleConfig & { auth: OAuthConfig }).catch((e: Error) => setFailure(e.message))}>
          {t('signInWithCognito')}
        </button>
      ) : (
        <>
          <ul class="sellers">
            {config.auth.sellers.map((seller) => (
              <li key={seller.id}>
                <button type="button" class="primary" onClick={() => void local(seller.id, seller.groups)}>
                  {t('signInAs', { name: seller.name })}
                </button>
              </li>
            ))}
          </ul>
          <form
            onSubmit={(e) => {
              e.preventDefault();
              if (sellerId.trim()) void local(sellerId.trim());
            }}
          >
            <label>
              {t('sellerId')} <input value={sellerId} onInput={(e) => setSellerId(e.currentTarget.value)} autocomplete="username" />
            </label>{' '}
            <button type="submit">{t('signIn')}</button>
          </form>
        </>
      )}
      <p>{languagePicker}</p>
    </main>
  );
}
