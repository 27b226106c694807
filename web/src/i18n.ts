import { createContext } from 'preact';
import { useContext } from 'preact/hooks';

const en = {
  appName: 'SMS console',
  signInTitle: 'Sign in',
  signInAs: 'Sign in as {name}',
  signInWithCognito: 'Sign in with your company account',
  sellerId: 'Seller id',
  signIn: 'Sign in',
  signOut: 'Sign out',
  language: 'Language',
  mySms: 'My SMS',
  unreadOnly: 'Unread only',
  loadMore: 'Load more',
  loadOlder: 'Load older messages',
  noConversations: 'No conversations yet.',
  unreadBadge: '{count} unread',
  notifications: 'Notifications',
  notificationsUnread: 'Notifications, {count} unread',
  markAllRead: 'Mark all read',
  noNotifications: 'No notifications.',
  close: 'Close',
  history: 'History',
  timeline: 'Timeline',
  change: 'Change',
  handOff: 'Hand off',
  assignedTo: 'Assigned to {who}',
  record: 'Record',
  from: 'Send from',
  to: 'To',
  template: 'Template',
  noTemplate: 'No template (write a message)',
  message: 'Message',
  send: 'Send',
  sending: 'Sending…',
  sent: 'Sent.',
  encodingSegments: '{encoding}, {segments} segment(s), {units} characters',
  missingPlaceholders: 'Missing values: {list}',
  optedOut: 'This customer has opted out of this number: sending is disabled.',
  notReplyable: 'This sender is not a phone number: it cannot be answered.',
  withheld: 'Message text is withheld: you do not have the SMS role.',
  routedBy: 'Routed here: {rule}',
  runnerUp: 'runner-up {record}',
  findRecord: 'Find a record',
  searchPlaceholder: 'Name or phone number',
  noMatches: 'No matching records.',
  moveTitle: 'Move this conversation to another record',
  moveHere: 'Move here',
  moved: 'Moved to {record}.',
  handOffTitle: 'Hand this conversation off',
  principalType: 'To a',
  seller: 'Seller',
  team: 'Team',
  principalId: 'Id',
  handedOff: 'Handed off to {who}.',
  cancel: 'Cancel',
  recordConversations: 'Conversations',
  newMessage: 'New message',
  composer: 'Write an SMS',
  numbers: 'Numbers',
  back: 'Back to My SMS',
  selectConversation: 'Select a conversation.',
  mediaPending: 'Media is being copied…',
  mediaFailed: 'Media could not be copied.',
  mediaAlt: 'Photo from the customer',
  openMedia: 'Open attachment ({type})',
  you: 'You',
  customer: 'Customer',
  loading: 'Loading…',
  error: 'Something went wrong: {message}',
  notFound: 'Not found, or not visible to you.',
  'status.received': 'Received',
  'status.queued': 'Queued',
  'status.sent': 'Sent',
  'status.delivered': 'Delivered',
  'status.failed': 'Failed',
  'status.undelivered': 'Undelivered',
  'status.unknown': 'Status unknown',
  'type.contact': 'Contact',
  'type.account': 'Account',
  'type.opportunity': 'Opportunity',
  'type.lead': 'Lead',
  'rule.only-candidate': 'the only record with this number',
  'rule.recent-conversation': 'the most recent conversation with this seller or team',
  'rule.owned-by-assignee': 'owned by the number’s seller',
  'rule.owned-by-team': 'owned by the number’s team',
  'rule.record-type': 'record type',
  'rule.active-first': 'active before inactive',
  'rule.recently-modified': 'most recently modified',
  'rule.id': 'record id',
  'rule.new-lead': 'unknown number, new lead',
  'event.created': 'Conversation started on {record}',
  'event.moved': 'Moved from {from} to {to}',
  'event.merged': 'Merged with another conversation',
  'event.assigned': 'Handed off from {from} to {to}',
  'event.opted_out': 'Customer opted out',
  'event.opted_in': 'Customer opted in',
  'event.likely_opt_out': 'The customer may want to opt out: confirm or dismiss',
  by: 'by {who}',
  'notification.inbound_message': 'New SMS from {who}',
  'notification.delivery_failed': 'A message was not delivered',
  'notification.conversation_assigned': 'A conversation was handed to you by {who}',
  'notification.insufficient_privileges': 'A message arrived, but you do not have the SMS role',
};

export type MessageKey = keyof typeof en;

const sv: Record<MessageKey, string> = {
  appName: 'SMS-konsol',
  signInTitle: 'Logga in',
  signInAs: 'Logga in som {name}',
  signInWithCognito: 'Logga in med ditt företagskonto',
  sellerId: 'Säljar-id',
  signIn: 'Logga in',
  signOut: 'Logga ut',
  language: 'Språk',
  mySms: 'Mina SMS',
  unreadOnly: 'Endast olästa',
  loadMore: 'Visa fler',
  loadOlder: 'Visa äldre meddelanden',
  noConversations: 'Inga konversationer ännu.',
  unreadBadge: '{count} olästa',
  notifications: 'Notiser',
  notificationsUnread: 'Notiser, {count} olästa',
  markAllRead: 'Markera alla som lästa',
  noNotifications: 'Inga notiser.',
  close: 'Stäng',
  history: 'Historik',
  timeline: 'Tidslinje',
  change: 'Ändra',
  handOff: 'Lämna över',
  assignedTo: 'Tilldelad {who}',
  record: 'Post',
  from: 'Skicka från',
  to: 'Till',
  template: 'Mall',
  noTemplate: 'Ingen mall (skriv ett meddelande)',
  message: 'Meddelande',
  send: 'Skicka',
  sending: 'Skickar…',
  sent: 'Skickat.',
  encodingSegments: '{encoding}, {segments} segment, {units} tecken',
  missingPlaceholders: 'Saknade värden: {list}',
  optedOut: 'Kunden har avregistrerat sig från det här numret: utskick är avstängt.',
  notReplyable: 'Avsändaren är inget telefonnummer: det går inte att svara.',
  withheld: 'Meddelandetexten visas inte: du saknar SMS-rollen.',
  routedBy: 'Kopplad hit: {rule}',
  runnerUp: 'tvåa {record}',
  findRecord: 'Sök en post',
  searchPlaceholder: 'Namn eller telefonnummer',
  noMatches: 'Inga poster matchar.',
  moveTitle: 'Flytta konversationen till en annan post',
  moveHere: 'Flytta hit',
  moved: 'Flyttad till {record}.',
  handOffTitle: 'Lämna över konversationen',
  principalType: 'Till',
  seller: 'Säljare',
  team: 'Team',
  principalId: 'Id',
  handedOff: 'Överlämnad till {who}.',
  cancel: 'Avbryt',
  recordConversations: 'Konversationer',
  newMessage: 'Nytt meddelande',
  composer: 'Skriv ett SMS',
  numbers: 'Nummer',
  back: 'Tillbaka till Mina SMS',
  selectConversation: 'Välj en konversation.',
  mediaPending: 'Bilagan kopieras…',
  mediaFailed: 'Bilagan kunde inte kopieras.',
  mediaAlt: 'Bild från kunden',
  openMedia: 'Öppna bilaga ({type})',
  you: 'Du',
  customer: 'Kund',
  loading: 'Laddar…',
  error: 'Något gick fel: {message}',
  notFound: 'Finns inte, eller syns inte för dig.',
  'status.received': 'Mottaget',
  'status.queued': 'I kö',
  'status.sent': 'Skickat',
  'status.delivered': 'Levererat',
  'status.failed': 'Misslyckades',
  'status.undelivered': 'Ej levererat',
  'status.unknown': 'Okänd status',
  'type.contact': 'Kontakt',
  'type.account': 'Konto',
  'type.opportunity': 'Affärsmöjlighet',
  'type.lead': 'Lead',
  'rule.only-candidate': 'den enda posten med numret',
  'rule.recent-conversation': 'senaste konversationen med säljaren eller teamet',
  'rule.owned-by-assignee': 'ägs av numrets säljare',
  'rule.owned-by-team': 'ägs av numrets team',
  'rule.record-type': 'posttyp',
  'rule.active-first': 'aktiv före inaktiv',
  'rule.recently-modified': 'senast ändrad',
  'rule.id': 'post-id',
  'rule.new-lead': 'okänt nummer, ny lead',
  'event.created': 'Konversationen startade på {record}',
  'event.moved': 'Flyttad från {from} till {to}',
  'event.merged': 'Sammanslagen med en annan konversation',
  'event.assigned': 'Överlämnad från {from} till {to}',
  'event.opted_out': 'Kunden avregistrerade sig',
  'event.opted_in': 'Kunden registrerade sig igen',
  'event.likely_opt_out': 'Kunden vill kanske avregistrera sig: bekräfta eller avfärda',
  by: 'av {who}',
  'notification.inbound_message': 'Nytt SMS från {who}',
  'notification.delivery_failed': 'Ett meddelande levererades inte',
  'notification.conversation_assigned': 'En konversation lämnades över till dig av {who}',
  'notification.insufficient_privileges': 'Ett meddelande kom, men du saknar SMS-rollen',
};

export const languages = { en: 'English', sv: 'Svenska' } as const;
export type Language = keyof typeof languages;
const dictionaries: Record<Language, Record<MessageKey, string>> = { en, sv };
const LANGUAGE_KEY = 'sms-console.language';

/** The stored choice, else the browser's first language we speak, else English. */
export function initialLanguage(): Language {
  const stored = localStorage.getItem(LANGUAGE_KEY);
  if (stored === 'en' || stored === 'sv') return stored;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const primary = tag.toLowerCase().split('-')[0];
    if (primary === 'sv' || primary === 'en') return primary;
  }
  return 'en';
}

export function rememberLanguage(language: Language): void {
  localStorage.setItem(LANGUAGE_KEY, language);
  document.documentElement.lang = language;
}

export interface I18n {
  language: Language;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  dateTime(iso: string): string;
  number(n: number): string;
}

export function makeI18n(language: Language): I18n {
  const dictionary = dictionaries[language];
  const locale = language === 'sv' ? 'sv-SE' : 'en-US';
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const numberFormat = new Intl.NumberFormat(locale);
  return {
    language,
    t: (key, vars = {}) => dictionary[key].replace(/\{(\w+)\}/g, (_m, name: string) => String(typeof vars[name] === 'number' ? numberFormat.format(vars[name] as number) : (vars[name] ?? ''))),
    dateTime: (iso) => dateFormat.format(new Date(iso)),
    number: (n) => numberFormat.format(n),
  };
}

export const I18nContext = createContext<I18n>(makeI18n('en'));
export const useI18n = () => useContext(I18nContext);
