import type { JSX } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ConsoleConfig, OAuthConfig } from './config';
import { completeOAuthSignIn, currentSession, type Session } from './auth';
import { SessionKeeper, type SessionEnd } from './session';
import { I18nContext, useI18n, initialLanguage, languages, makeI18n, rememberLanguage, type Language } from './i18n';
import { apiFor } from './api';
import { AppContext, parseRoute, reportsHref, scheduledHref, templatesHref, type AppContextValue } from './context';
import { ScheduledView } from './views/scheduled';
import { ReportsView } from './views/reports';
import { AvailabilitySwitch } from './views/availability';
import { SignIn } from './views/sign-in';
import { Inbox } from './views/inbox';
import { ConversationPane } from './views/conversation';
import { RecordView } from './views/record';
import { Bell } from './views/bell';
import { RecordSearch } from './views/record-search';
import { TemplatesView } from './views/templates';
import { LiveChannel, useLiveState } from './live';
import { SellerNames } from './names';
import { discardDrafts } from './drafts';
import { tabHidden } from './tab-alerts';

export function App({ config }: { config: ConsoleConfig }) {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const i18n = useMemo(() => makeI18n(language), [language]);
  const [session, setSession] = useState<Session | undefined>(currentSession);
  const [signInError, setSignInError] = useState<string>();
  // Why the seller is on the sign-in screen again: a session that could not be renewed says so.
  const [ended, setEnded] = useState<SessionEnd>();

  useEffect(() => rememberLanguage(language), [language]);
  useEffect(() => {
    if (!tabHidden()) document.title = i18n.t('appName');
  }, [i18n]);
  useEffect(() => {
    if (config.auth.kind !== 'local' && !session) completeOAuthSignIn(config as ConsoleConfig & { auth: OAuthConfig }).then((s) => s && setSession(s), (e: Error) => setSignInError(e.message));
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
          key={session.sellerId}
          config={config}
          session={session}
          languagePicker={languagePicker}
          onEnded={(why) => {
            if (why === 'signedOut') discardDrafts(session.sellerId);
            setEnded(why);
            setSession(undefined);
          }}
        />
      ) : (
        <SignIn
          config={config}
          onSignedIn={(s) => {
            setEnded(undefined);
            setSession(s);
          }}
          error={signInError}
          notice={ended === 'expired' ? i18n.t('sessionEnded') : undefined}
          languagePicker={languagePicker}
        />
      )}
    </I18nContext.Provider>
  );
}

function Console({ config, session, languagePicker, onEnded }: { config: ConsoleConfig; session: Session; languagePicker: JSX.Element; onEnded(why: SessionEnd): void }) {
  const i18n = useI18n();
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  const [announcement, setAnnouncement] = useState('');
  const [menuOpen, setMenuOpen] = useState(false);
  useEffect(() => {
    if (!announcement) return;
    const timer = setTimeout(() => setAnnouncement(''), 6000);
    return () => clearTimeout(timer);
  }, [announcement]);
  useEffect(() => {
    const onHash = () => {
      setRoute(parseRoute(location.hash));
      setMenuOpen(false);
    };
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  // One keeper per signed-in seller: it renews the token before it expires and ends the session when it cannot.
  const keeper = useMemo(() => new SessionKeeper(config, session), [config, session]);
  const channel = useMemo(() => new LiveChannel(config.liveUrl, keeper.freshToken), [config, keeper]);
  useEffect(() => {
    const onRenewed = () => void channel.renewed();
    const onExpired = () => onEnded('expired');
    keeper.addEventListener('renewed', onRenewed);
    keeper.addEventListener('ended', onExpired);
    keeper.start();
    channel.start();
    return () => {
      keeper.removeEventListener('renewed', onRenewed);
      keeper.removeEventListener('ended', onExpired);
      keeper.stop();
      channel.stop();
    };
  }, [keeper, channel]);
  const liveState = useLiveState(channel);
  const app = useMemo<AppContextValue>(
    () => ({ api: apiFor(config, keeper), session, live: { channel, fallbackPollMs: config.maxPollMs ?? 15_000 }, names: new SellerNames(config.auth.kind === 'local' ? config.auth.sellers : []), announce: setAnnouncement, quietHours: config.quietHours }),
    [config, session, keeper, channel],
  );
  // The signed-in seller by name: the local sign-in list names them; otherwise the token's subject.
  const sellerName = app.names.of(session.sellerId) ?? session.sellerId;
  const signOut = () => {
    channel.stop();
    void keeper.signOut().finally(() => onEnded('signedOut'));
  };

  return (
    <AppContext.Provider value={app}>
      {/* One row: the brand, the live sign after a drop, the bell and (on a phone) the menu holding the rest. */}
      <header class={`top${menuOpen ? ' menu-open' : ''}`} onKeyDown={(e) => e.key === 'Escape' && setMenuOpen(false)}>
        <h1 class="brand">
          <a href="#/">{i18n.t('appName')}</a>
        </h1>
        <div id="top-menu" class="top-menu">
          <RecordSearch />
          <div class="top-actions">
            <a class="nav-link" href={templatesHref} aria-current={route.view === 'templates' ? 'page' : undefined}>
              {i18n.t('templates')}
            </a>
            <a class="nav-link" href={scheduledHref} aria-current={route.view === 'scheduled' ? 'page' : undefined}>
              {i18n.t('scheduledList')}
            </a>
            <a class="nav-link" href={reportsHref} aria-current={route.view === 'reports' ? 'page' : undefined}>
              {i18n.t('reports')}
            </a>
            {languagePicker}
            <AvailabilitySwitch />
            <span class="who">{sellerName}</span>
            <button type="button" onClick={signOut}>
              {i18n.t('signOut')}
            </button>
          </div>
        </div>
        {/* Nothing while connecting at start: only a connection that dropped is worth the seller's attention. */}
        {(liveState === 'live' || liveState === 'reconnecting') && (
          <span class={`live-state ${liveState}`} title={i18n.t(liveState === 'live' ? 'liveHint' : 'reconnectingHint')}>
            {i18n.t(liveState === 'live' ? 'live' : 'connecting')}
          </span>
        )}
        <Bell />
        <button type="button" class="menu-button" aria-expanded={menuOpen} aria-controls="top-menu" onClick={() => setMenuOpen(!menuOpen)}>
          <svg aria-hidden="true" width="20" height="20" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round">
            <path d="M4 6h16M4 12h16M4 18h16" />
          </svg>
          <span class="visually-hidden">{i18n.t('menu')}</span>
        </button>
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
          ) : route.view === 'scheduled' ? (
            <ScheduledView />
          ) : route.view === 'reports' ? (
            <ReportsView />
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
