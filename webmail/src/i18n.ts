/** English and Italian strings, the language choice, and date formatting. */

export type Lang = 'en' | 'it';
export const LANGUAGES: Lang[] = ['en', 'it'];

const en = {
  appName: 'Postino',
  signInTitle: 'Sign in to Postino',
  username: 'Email address',
  password: 'Password',
  signIn: 'Sign in',
  signingIn: 'Signing in…',
  signOut: 'Sign out',
  invalidCredentials: 'Wrong email address or password.',
  rateLimited: 'Too many attempts. Try again in {seconds} seconds.',
  networkError: 'The server cannot be reached. Try again.',
  sessionExpired: 'Your session has ended. Please sign in again.',
  language: 'Language',
  folders: 'Folders',
  compose: 'Compose',
  menu: 'Folders menu',
  search: 'Search mail',
  searchButton: 'Search',
  clearSearch: 'Clear search',
  searchResults: 'Search results for “{query}”',
  messages: 'Messages',
  message: 'Message',
  unreadCount: '{count} unread',
  noMessages: 'No messages.',
  loading: 'Loading…',
  sortBy: 'Sort by',
  sortDate: 'Date',
  sortFrom: 'Sender',
  sortSubject: 'Subject',
  ascending: 'Ascending',
  descending: 'Descending',
  previousPage: 'Previous page',
  nextPage: 'Next page',
  range: '{from}–{to} of {total}',
  rangeOpen: '{from}–{to}',
  noSubject: '(no subject)',
  unread: 'Unread',
  flagged: 'Flagged',
  hasAttachment: 'Has attachments',
  from: 'From',
  to: 'To',
  cc: 'Cc',
  bcc: 'Bcc',
  subject: 'Subject',
  date: 'Date',
  reply: 'Reply',
  replyAll: 'Reply all',
  forward: 'Forward',
  delete: 'Delete',
  deleteForever: 'Delete forever',
  moveTo: 'Move to…',
  move: 'Move',
  flag: 'Flag',
  unflag: 'Remove flag',
  markRead: 'Mark as read',
  markUnread: 'Mark as unread',
  close: 'Close',
  back: 'Back to the list',
  showImages: 'Show images',
  imagesBlocked: 'Remote images in this message were not loaded.',
  attachments: 'Attachments',
  download: 'Download {name}',
  messageBody: 'Message content',
  newMessage: 'New message',
  send: 'Send',
  sending: 'Sending…',
  saveDraft: 'Save draft',
  discard: 'Discard',
  attach: 'Attach files',
  removeAttachment: 'Remove {name}',
  uploading: 'Uploading {name}…',
  body: 'Message',
  showCcBcc: 'Cc/Bcc',
  invalidAddresses: 'Not an email address: {list}',
  noRecipients: 'Add at least one recipient.',
  sent: 'Message sent.',
  draftSaved: 'Draft saved.',
  draftDiscarded: 'Draft discarded.',
  moved: 'Moved to {mailbox}.',
  deleted: 'Moved to Trash.',
  destroyed: 'Deleted forever.',
  error: 'Something went wrong: {message}',
  wrote: 'On {date}, {name} wrote:',
  forwardedHeader: '---------- Forwarded message ----------',
  selectMessage: 'Choose a message to read it here.',
  keyboardHelp:
    'Keys: j/k or arrows move, Enter opens, r reply, a reply all, f forward, c compose, / search, Delete deletes, Esc closes.',
  mailboxInbox: 'Inbox',
  mailboxDrafts: 'Drafts',
  mailboxSent: 'Sent',
  mailboxArchive: 'Archive',
  mailboxSpam: 'Spam',
  mailboxTrash: 'Trash',
  mailboxOutbox: 'Outbox',
  signedInAs: 'Signed in as {user}',
};

export type MessageKey = keyof typeof en;

const it: Record<MessageKey, string> = {
  appName: 'Postino',
  signInTitle: 'Accedi a Postino',
  username: 'Indirizzo email',
  password: 'Password',
  signIn: 'Accedi',
  signingIn: 'Accesso in corso…',
  signOut: 'Esci',
  invalidCredentials: 'Indirizzo email o password errati.',
  rateLimited: 'Troppi tentativi. Riprova tra {seconds} secondi.',
  networkError: 'Il server non risponde. Riprova.',
  sessionExpired: 'La sessione è scaduta. Accedi di nuovo.',
  language: 'Lingua',
  folders: 'Cartelle',
  compose: 'Scrivi',
  menu: 'Menu cartelle',
  search: 'Cerca nella posta',
  searchButton: 'Cerca',
  clearSearch: 'Annulla ricerca',
  searchResults: 'Risultati per «{query}»',
  messages: 'Messaggi',
  message: 'Messaggio',
  unreadCount: '{count} da leggere',
  noMessages: 'Nessun messaggio.',
  loading: 'Caricamento…',
  sortBy: 'Ordina per',
  sortDate: 'Data',
  sortFrom: 'Mittente',
  sortSubject: 'Oggetto',
  ascending: 'Crescente',
  descending: 'Decrescente',
  previousPage: 'Pagina precedente',
  nextPage: 'Pagina successiva',
  range: '{from}–{to} di {total}',
  rangeOpen: '{from}–{to}',
  noSubject: '(nessun oggetto)',
  unread: 'Da leggere',
  flagged: 'Contrassegnato',
  hasAttachment: 'Con allegati',
  from: 'Da',
  to: 'A',
  cc: 'Cc',
  bcc: 'Ccn',
  subject: 'Oggetto',
  date: 'Data',
  reply: 'Rispondi',
  replyAll: 'Rispondi a tutti',
  forward: 'Inoltra',
  delete: 'Elimina',
  deleteForever: 'Elimina definitivamente',
  moveTo: 'Sposta in…',
  move: 'Sposta',
  flag: 'Contrassegna',
  unflag: 'Togli contrassegno',
  markRead: 'Segna come letto',
  markUnread: 'Segna come da leggere',
  close: 'Chiudi',
  back: "Torna all'elenco",
  showImages: 'Mostra immagini',
  imagesBlocked: 'Le immagini esterne di questo messaggio non sono state caricate.',
  attachments: 'Allegati',
  download: 'Scarica {name}',
  messageBody: 'Contenuto del messaggio',
  newMessage: 'Nuovo messaggio',
  send: 'Invia',
  sending: 'Invio in corso…',
  saveDraft: 'Salva bozza',
  discard: 'Elimina bozza',
  attach: 'Allega file',
  removeAttachment: 'Rimuovi {name}',
  uploading: 'Caricamento di {name}…',
  body: 'Messaggio',
  showCcBcc: 'Cc/Ccn',
  invalidAddresses: 'Non è un indirizzo email: {list}',
  noRecipients: 'Aggiungi almeno un destinatario.',
  sent: 'Messaggio inviato.',
  draftSaved: 'Bozza salvata.',
  draftDiscarded: 'Bozza eliminata.',
  moved: 'Spostato in {mailbox}.',
  deleted: 'Spostato nel Cestino.',
  destroyed: 'Eliminato definitivamente.',
  error: 'Si è verificato un errore: {message}',
  wrote: 'Il giorno {date}, {name} ha scritto:',
  forwardedHeader: '---------- Messaggio inoltrato ----------',
  selectMessage: 'Scegli un messaggio per leggerlo qui.',
  keyboardHelp:
    'Tasti: j/k o frecce per spostarsi, Invio apre, r rispondi, a rispondi a tutti, f inoltra, c scrivi, / cerca, Canc elimina, Esc chiude.',
  mailboxInbox: 'Posta in arrivo',
  mailboxDrafts: 'Bozze',
  mailboxSent: 'Posta inviata',
  mailboxArchive: 'Archivio',
  mailboxSpam: 'Spam',
  mailboxTrash: 'Cestino',
  mailboxOutbox: 'In uscita',
  signedInAs: 'Accesso come {user}',
};

const catalogues: Record<Lang, Record<MessageKey, string>> = { en, it };

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

export function translator(lang: Lang): Translate {
  const catalogue = catalogues[lang] ?? en;
  return (key, params) => {
    const template = catalogue[key] ?? en[key] ?? key;
    if (!params) {
      return template;
    }
    return template.replace(/\{(\w+)\}/g, (match, name: string) => (name in params ? String(params[name]) : match));
  };
}

/** The stored choice if any, else the first of the browser's languages we have, else English. */
export function detectLanguage(browserLanguages: readonly string[], stored: string | null): Lang {
  if (stored && (LANGUAGES as string[]).includes(stored)) {
    return stored as Lang;
  }
  for (const tag of browserLanguages) {
    const primary = tag.toLowerCase().split('-')[0];
    if ((LANGUAGES as string[]).includes(primary)) {
      return primary as Lang;
    }
  }
  return 'en';
}

const ROLE_KEYS: Record<string, MessageKey> = {
  inbox: 'mailboxInbox',
  drafts: 'mailboxDrafts',
  sent: 'mailboxSent',
  archive: 'mailboxArchive',
  spam: 'mailboxSpam',
  junk: 'mailboxSpam',
  trash: 'mailboxTrash',
  outbox: 'mailboxOutbox',
};

/** Mailboxes with a role get their name in the UI language; the user's own keep theirs. */
export function mailboxLabel(t: Translate, mailbox: { name: string; role: string | null }): string {
  const key = mailbox.role ? ROLE_KEYS[mailbox.role] : undefined;
  return key ? t(key) : mailbox.name;
}

const LOCALES: Record<Lang, string> = { en: 'en-GB', it: 'it-IT' };

/** In the list: the time for today's mail, day and month this year, the full date before. */
export function formatListDate(iso: string, lang: Lang, now: Date = new Date(), timeZone?: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  const locale = LOCALES[lang];
  const dayKey = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
  if (dayKey(date) === dayKey(now)) {
    return new Intl.DateTimeFormat(locale, { timeZone, hour: '2-digit', minute: '2-digit' }).format(date);
  }
  const year = (d: Date) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric' }).format(d);
  if (year(date) === year(now)) {
    return new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short' }).format(date);
  }
  return new Intl.DateTimeFormat(locale, { timeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(date);
}

/** In the reading pane and the reply attribution: date and time in full. */
export function formatFullDate(iso: string | null | undefined, lang: Lang, timeZone?: string): string {
  if (!iso) {
    return '';
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return '';
  }
  return new Intl.DateTimeFormat(LOCALES[lang], {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  }).format(date);
}

export function formatSize(bytes: number, lang: Lang): string {
  const number = (value: number, digits: number) =>
    new Intl.NumberFormat(LOCALES[lang], { maximumFractionDigits: digits }).format(value);
  if (bytes < 1024) {
    return `${bytes} B`;
  }
  if (bytes < 1024 * 1024) {
    return `${number(bytes / 1024, 0)} KB`;
  }
  return `${number(bytes / (1024 * 1024), 1)} MB`;
}
