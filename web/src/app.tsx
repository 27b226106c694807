import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsoleConfig } from './config';
import { completeOAuthSignIn, currentSession, signOut, type Session } from './auth';
import { I18nContext, useI18n, initialLanguage, languages, makeI18n, rememberLanguage, type Language } from './i18n';
import { apiFor } from './api';
import { AppContext, parseRoute, templatesHref, type AppContextValue } from './context';
import { SignIn } from './views/sign-in';
import { Inbox } from './views/inbox';
import { ConversationPane } from './views/conversation';
import { RecordView } from './views/record';
import { Bell } from './views/bell';
import { RecordSearch } from './views/record-search';
import { TemplatesView } from './views/templates';
import { LiveChannel, useLiveState } from './live';
import { SellerNames } from './names';

export function App({ config }: { config: ConsoleConfig }) {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const i18n = useMemo(() => makeI18n(language), [language]);
  const [session, setSession] = useState<Session | undefined>(currentSession);
  const [signInError, setSignInError] = useState<string>();

  useEffect(() => rememberLanguage(language), [language]);
  useEffect(() => {
    document.title = i18n.t('appName');
  }, [i18n]);
  useEffect(() => {
    if (config.auth.kind !== 'local' && !session) completeOAuthSignIn(config.auth).then((s) => s && setSession(s), (e: Error) => setSignInError(e.message));
  }, []);

  const languagePicker = (
    <label class="language">
      <span class="language-word">{i18n.t('language')}</span>{' '}
      <select value={language} onChange={(e) => setLanguage((e.currentTarget as HTMLSelectElement).value as Language)}>
        {Object.entries(languages).map(([code, name]) => (
          <option value={code} lang={code}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );

  return (
    <I18nContext.Provider value={i18n}>
      {session ? (
        <Console
          config={config}
          session={session}
          languagePicker={languagePicker}
          onSignOut={() => {
            signOut();
            setSession(undefined);
          }}
        />
      ) : (
        <SignIn config={config} onSignedIn={setSession} error={signInError} languagePicker={languagePicker} />
      )}
    </I18nContext.Provider>
  );
}

function Console({ config, session, languagePicker, onSignOut }: { config: ConsoleConfig; session: Session; languagePicker: JSX.Element; onSignOut(): void }) {
  const i18n = useI18n();
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  const [announcement, setAnnouncement] = useState('');
  useEffect(() => {
    if (!announcement) return;
    const timer = setTimeout(() => setAnnouncement(''), 6000);
    return () => clearTimeout(timer);
  }, [announcement]);
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  const channel = useMemo(() => new LiveChannel(config.liveUrl, () => session.token), [config, session]);
  useEffect(() => {
    channel.start();
    return () => channel.stop();
  }, [channel]);
  const liveState = useLiveState(channel);
  const app = useMemo<AppContextValue>(
    () => ({ api: apiFor(config, session), session, live: { channel, fallbackPollMs: config.maxPollMs ?? 15_000 }, names: new SellerNames(config.auth.kind === 'local' ? config.auth.sellers : []), announce: setAnnouncement }),
    [config, session, channel],
  );
  // The signed-in seller by name: the local sign-in list names them; otherwise the token's subject.
  const sellerName = app.names.of(session.sellerId) ?? session.sellerId;

  return (
    <AppContext.Provider value={app}>
      <header class="top">
        <h1 class="brand">
          <a href="#/">{i18n.t('appName')}</a>
        </h1>
        <RecordSearch />
        <div class="top-actions">
          <a class="nav-link" href={templatesHref} aria-current={route.view === 'templates' ? 'page' : undefined}>
            {i18n.t('templates')}
          </a>
          <Bell />
          {liveState !== 'off' && (
            <span class={`live-state ${liveState}`} title={i18n.t(liveState === 'live' ? 'liveHint' : 'reconnectingHint')}>
              {i18n.t(liveState)}
            </span>
          )}
          {languagePicker}
          <span class="who">{sellerName}</span>
          <button type="button" onClick={onSignOut}>
            {i18n.t('signOut')}
          </button>
        </div>
      </header>
      {/* One main landmark on every screen: on a phone the list and the pane take turns inside it. */}
      <main class={`layout${route.view === 'inbox' ? '' : ' has-pane'}`}>
        <Inbox selectedId={route.view === 'conversation' ? route.id : undefined} />
        <div class="pane">
          {route.view === 'conversation' ? (
            <ConversationPane key={route.id} id={route.id} />
          ) : route.view === 'record' ? (
            <RecordView key={`${route.type}/${route.id}`} type={route.type} id={route.id} />
          ) : route.view === 'templates' ? (
            <TemplatesView />
          ) : (
            <p class="empty">{i18n.t('selectConversation')}</p>
          )}
        </div>
      </main>
      <div class="announcer" role="status" aria-live="polite">
        {announcement}
      </div>
    </AppContext.Provider>
  );
}
