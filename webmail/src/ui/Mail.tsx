import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { JmapClient, SessionExpiredError, type JmapSession } from '../jmap/client';
import { MailApi, PAGE_SIZE, mailboxByRole, type ListPage, type SortKey } from '../jmap/mail';
import type { Email, EmailAddress, EmailSummary, Identity, Mailbox } from '../jmap/types';
import { formatFullDate, mailboxLabel, type MessageKey } from '../i18n';
import { signOut, type WebSession } from '../session';
import { buildForward, buildReply, fromDraft, type ComposeMode, type DraftFields } from '../mail/compose';
import { displayName } from '../mail/address';
import { useI18n } from './i18nContext';
import { LanguageSelect } from './LanguageSelect';
import { MessageList } from './MessageList';
import { Reader } from './Reader';
import { Compose, type ComposeResult } from './Compose';

export interface ComposeState {
  mode: ComposeMode;
  fields: DraftFields;
  draftId: string | null;
  /** the message replied to or forwarded: marked $answered or $forwarded once sent */
  originalId: string | null;
  serial: number;
}

interface View {
  mailboxId: string | null;
  search: string;
  sort: SortKey;
  ascending: boolean;
  position: number;
}

const EMPTY_FIELDS: DraftFields = {
  to: [],
  cc: [],
  bcc: [],
  subject: '',
  body: '',
  inReplyTo: null,
  references: null,
  attachments: [],
};

const REFRESH_MS = 60_000;

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName);
}

export function Mail({ session, onSignedOut }: { session: WebSession; onSignedOut: (notice: MessageKey | null) => void }) {
  const { t, lang } = useI18n();
  const client = useMemo(() => new JmapClient(() => session.csrfToken), [session]);
  const api = useMemo(() => new MailApi(client), [client]);
  const [jmapSession, setJmapSession] = useState<JmapSession | null>(null);
  const [mailboxes, setMailboxes] = useState<Mailbox[]>([]);
  const [identities, setIdentities] = useState<Identity[]>([]);
  const [view, setView] = useState<View>({ mailboxId: null, search: '', sort: 'date', ascending: false, position: 0 });
  const [ready, setReady] = useState(false);
  const [page, setPage] = useState<ListPage | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [compose, setCompose] = useState<ComposeState | null>(null);
  const [status, setStatus] = useState('');
  const [navOpen, setNavOpen] = useState(false);
  const [searchText, setSearchText] = useState('');
  const listSeq = useRef(0);
  const searchField = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLUListElement>(null);
  const focusReader = useRef(false);
  const composeSerial = useRef(0);
  const menuButton = useRef<HTMLButtonElement>(null);

  // stable across language changes, so that switching language reloads nothing
  const latest = useRef({ t, onSignedOut });
  latest.current = { t, onSignedOut };
  const fail = useCallback((error: unknown) => {
    if (error instanceof SessionExpiredError) {
      latest.current.onSignedOut('sessionExpired');
      return;
    }
    const message = error instanceof Error ? error.message : String(error);
    setStatus(latest.current.t('error', { message }));
  }, []);

  const loadMailboxes = useCallback(async () => {
    const list = await api.mailboxes();
    setMailboxes(list);
    return list;
  }, [api]);

  // start-up: the JMAP session, mailboxes and identities; the inbox is shown first
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const [js, list, ids] = await Promise.all([client.session(), api.mailboxes(), api.identities()]);
        if (cancelled) return;
        setJmapSession(js);
        setMailboxes(list);
        setIdentities(ids);
        const inbox = mailboxByRole(list, 'inbox') ?? list[0];
        setView((v) => ({ ...v, mailboxId: inbox ? inbox.id : null }));
        setReady(true);
      } catch (error) {
        if (!cancelled) fail(error);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, client, fail]);

  const excluded = useMemo(
    () => mailboxes.filter((m) => m.role === 'trash' || m.role === 'spam' || m.role === 'junk').map((m) => m.id),
    [mailboxes],
  );
  const excludedKey = excluded.join(',');

  // the list always loads what is shown now (a refresh started before a folder change must not show the old folder)
  const viewNow = useRef(view);
  viewNow.current = view;
  const excludedNow = useRef(excludedKey);
  excludedNow.current = excludedKey;

  const loadList = useCallback(
    async (keepSelection: boolean) => {
      if (!ready) return;
      const seq = ++listSeq.current;
      setLoading(true);
      try {
        const result = await api.list(viewNow.current, excludedNow.current ? excludedNow.current.split(',') : []);
        if (seq !== listSeq.current) return;
        setPage(result);
        if (!keepSelection) setSelected(0);
        else setSelected((s) => Math.min(s, Math.max(0, result.emails.length - 1)));
      } catch (error) {
        if (seq === listSeq.current) {
          fail(error);
          setPage((p) => p ?? { emails: [], position: viewNow.current.position, hasMore: false });
        }
      } finally {
        if (seq === listSeq.current) setLoading(false);
      }
    },
    [api, ready, fail],
  );

  useEffect(() => {
    // another folder, search, order or page: nothing of the previous list stays under the new heading
    setPage(null);
    loadList(false);
  }, [loadList, view, excludedKey]);

  const refresh = useCallback(async () => {
    try {
      await loadMailboxes();
    } catch (error) {
      fail(error);
    }
    await loadList(true);
  }, [loadMailboxes, loadList, fail]);

  // Email/query reads the search index, which follows writes by about a second: after a change of ours the list is
  // asked again a little later, so a sent message, a saved draft or a move shows up without waiting for the timer
  const settleTimers = useRef<number[]>([]);
  const refreshAfterChange = useCallback(() => {
    refresh();
    settleTimers.current.forEach((timer) => window.clearTimeout(timer));
    settleTimers.current = [1500, 5000].map((delay) => window.setTimeout(() => refresh(), delay));
  }, [refresh]);
  useEffect(() => () => settleTimers.current.forEach((timer) => window.clearTimeout(timer)), []);

  // new mail: refresh every minute while the page is visible and nothing is being written
  useEffect(() => {
    const timer = window.setInterval(() => {
      if (!document.hidden && !compose) refresh();
    }, REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [refresh, compose]);

  const emails = page?.emails ?? [];
  const currentMailbox = mailboxes.find((m) => m.id === view.mailboxId) ?? null;
  const drafts = mailboxByRole(mailboxes, 'drafts');
  const sent = mailboxByRole(mailboxes, 'sent');
  const trash = mailboxByRole(mailboxes, 'trash');
  const identity = identities.find((i) => i.email.toLowerCase() === session.username.toLowerCase()) ?? identities[0] ?? null;
  const me: EmailAddress[] = useMemo(
    () => [{ email: session.username }, ...identities.map((i) => ({ email: i.email }))],
    [identities, session.username],
  );

  const focusList = () => window.setTimeout(() => listRef.current?.focus(), 0);

  // the folders drawer (narrow screens): focus goes into it when it opens, back to its button when Esc closes it
  const toggleNav = () => {
    const opening = !navOpen;
    setNavOpen(opening);
    if (opening) {
      window.setTimeout(() => {
        const current =
          document.querySelector<HTMLElement>('#folders .folder[aria-current="page"]') ??
          document.querySelector<HTMLElement>('#folders .folder');
        current?.focus();
      }, 0);
    }
  };

  const chooseMailbox = (mailboxId: string) => {
    setView((v) => ({ ...v, mailboxId, search: '', position: 0 }));
    setSearchText('');
    setOpenId(null);
    setNavOpen(false);
    focusList();
  };

  const runSearch = (event: Event) => {
    event.preventDefault();
    const query = searchText.trim();
    if (!query) {
      clearSearch();
      return;
    }
    setView((v) => ({ ...v, mailboxId: null, search: query, position: 0 }));
    setOpenId(null);
  };

  const clearSearch = () => {
    const inbox = view.mailboxId ?? mailboxByRole(mailboxes, 'inbox')?.id ?? null;
    setSearchText('');
    setView((v) => ({ ...v, mailboxId: inbox, search: '', position: 0 }));
  };

  const updateLocal = (id: string, change: (email: EmailSummary) => EmailSummary) => {
    setPage((p) => (p ? { ...p, emails: p.emails.map((e) => (e.id === id ? change(e) : e)) } : p));
  };

  const removeLocal = (ids: string[]) => {
    setPage((p) => (p ? { ...p, emails: p.emails.filter((e) => !ids.includes(e.id)) } : p));
    setSelected((s) => Math.max(0, Math.min(s, emails.length - 1 - ids.length)));
  };

  const target = (): EmailSummary | null => (openId ? emails.find((e) => e.id === openId) ?? null : emails[selected] ?? null);
  const targetId = (): string | null => openId ?? emails[selected]?.id ?? null;

  const openCompose = (mode: ComposeMode, fields: DraftFields, draftId: string | null = null, originalId: string | null = null) => {
    composeSerial.current += 1;
    setCompose({ mode, fields, draftId, originalId, serial: composeSerial.current });
  };

  const open = async (index: number) => {
    const email = emails[index];
    if (!email) return;
    setSelected(index);
    if (email.keywords.$draft && drafts && email.mailboxIds[drafts.id]) {
      try {
        const full = await api.email(email.id);
        if (full) openCompose('draft', fromDraft(full), full.id);
      } catch (error) {
        fail(error);
      }
      return;
    }
    focusReader.current = true;
    setOpenId(email.id);
    if (!email.keywords.$seen) {
      updateLocal(email.id, (e) => ({ ...e, keywords: { ...e.keywords, $seen: true } }));
      api
        .setKeyword([email.id], '$seen', true)
        .then(() => loadMailboxes())
        .catch(fail);
    }
  };

  const closeReader = () => {
    setOpenId(null);
    focusList();
  };

  const respond = async (mode: 'reply' | 'replyAll' | 'forward') => {
    const id = targetId();
    if (!id) return;
    try {
      const original: Email | null = await api.email(id);
      if (!original) return;
      const sender = displayName(original.from?.[0]);
      const formattedDate = formatFullDate(original.sentAt ?? original.receivedAt, lang);
      const fields =
        mode === 'forward'
          ? buildForward(original, {
              attribution: '',
              forwardedHeader: t('forwardedHeader'),
              from: t('from'),
              date: t('date'),
              subject: t('subject'),
              to: t('to'),
              cc: t('cc'),
              formattedDate,
            })
          : buildReply(original, me, mode === 'replyAll', { attribution: t('wrote', { date: formattedDate, name: sender }) });
      openCompose(mode, fields, null, original.id);
    } catch (error) {
      fail(error);
    }
  };

  const afterRemoval = (ids: string[], message: string) => {
    removeLocal(ids);
    if (openId && ids.includes(openId)) {
      setOpenId(null);
      focusList();
    }
    setStatus(message);
    refreshAfterChange();
  };

  const remove = async () => {
    const id = targetId();
    if (!id || !trash) return;
    try {
      if (view.mailboxId === trash.id) {
        await api.destroy([id]);
        afterRemoval([id], t('destroyed'));
      } else {
        await api.move([id], trash.id);
        afterRemoval([id], t('deleted'));
      }
    } catch (error) {
      fail(error);
    }
  };

  const moveTo = async (mailboxId: string) => {
    const id = targetId();
    const destination = mailboxes.find((m) => m.id === mailboxId);
    if (!id || !destination) return;
    try {
      await api.move([id], mailboxId);
      afterRemoval([id], t('moved', { mailbox: mailboxLabel(t, destination) }));
    } catch (error) {
      fail(error);
    }
  };

  const toggleKeyword = async (keyword: '$seen' | '$flagged') => {
    const email = target();
    if (!email) return;
    const on = !email.keywords[keyword];
    updateLocal(email.id, (e) => ({ ...e, keywords: { ...e.keywords, [keyword]: on } }));
    try {
      await api.setKeyword([email.id], keyword, on);
      if (keyword === '$seen') await loadMailboxes();
    } catch (error) {
      updateLocal(email.id, (e) => ({ ...e, keywords: { ...e.keywords, [keyword]: !on } }));
      fail(error);
    }
  };

  const composeClosed = (result: ComposeResult) => {
    setCompose(null);
    if (result === 'sent') setStatus(t('sent'));
    else if (result === 'saved') setStatus(t('draftSaved'));
    else if (result === 'discarded') setStatus(t('draftDiscarded'));
    if (result !== 'closed') refreshAfterChange();
  };

  const doSignOut = async () => {
    try {
      await signOut(session.csrfToken);
    } catch {
      // the cookie expires on its own
    }
    onSignedOut(null);
  };

  // keyboard: j/k or arrows, Enter, r, a, f, c, /, Delete, Esc (not while typing, not while composing)
  const keyHandler = useRef<(event: KeyboardEvent) => void>(() => {});
  keyHandler.current = (event: KeyboardEvent) => {
    if (compose || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Escape') {
      if (navOpen) {
        setNavOpen(false);
        menuButton.current?.focus();
      } else if (openId) closeReader();
      else if (view.search) clearSearch();
      else return;
      event.preventDefault();
      return;
    }
    if (isTyping(event.target)) return;
    const onControl = event.target instanceof HTMLElement && ['BUTTON', 'A'].includes(event.target.tagName);
    switch (event.key) {
      case 'j':
      case 'ArrowDown':
      case 'k':
      case 'ArrowUp': {
        // in the list the cursor moves; with a message open, the next or previous one opens
        const step = event.key === 'j' || event.key === 'ArrowDown' ? 1 : -1;
        const current = openId ? Math.max(0, emails.findIndex((e) => e.id === openId)) : selected;
        const next = Math.min(Math.max(current + step, 0), Math.max(0, emails.length - 1));
        if (openId) {
          if (next !== current) open(next);
        } else {
          setSelected(next);
        }
        break;
      }
      case 'Enter':
        if (onControl) return;
        open(selected);
        break;
      case 'r':
        respond('reply');
        break;
      case 'a':
        respond('replyAll');
        break;
      case 'f':
        respond('forward');
        break;
      case 'c':
        openCompose('new', EMPTY_FIELDS);
        break;
      case '/':
        searchField.current?.focus();
        searchField.current?.select();
        break;
      case 'Delete':
      case '#':
        remove();
        break;
      case 'u':
        toggleKeyword('$seen');
        break;
      case 's':
        toggleKeyword('$flagged');
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  useEffect(() => {
    const listener = (event: KeyboardEvent) => keyHandler.current(event);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  const listLabel = view.search
    ? t('searchResults', { query: view.search })
    : currentMailbox
      ? mailboxLabel(t, currentMailbox)
      : t('messages');

  const firstShown = emails.length === 0 ? 0 : view.position + 1;
  const lastShown = view.position + emails.length;
  const total = !view.search && currentMailbox ? currentMailbox.totalEmails : null;
  const openEmail = openId ? emails.find((e) => e.id === openId) ?? null : null;

  return (
    <div class={`shell${navOpen ? ' nav-open' : ''}`}>
      <a class="skip-link" href="#message-list">
        {t('messages')}
      </a>
      <header class="topbar">
        <button
          ref={menuButton}
          type="button"
          class="menu-button"
          aria-label={t('menu')}
          aria-expanded={navOpen}
          aria-controls="folders"
          onClick={toggleNav}
        >
          <span aria-hidden="true">☰</span>
        </button>
        <span class="brand">{t('appName')}</span>
        <form class="search" role="search" onSubmit={runSearch}>
          <label class="visually-hidden" for="search-input">
            {t('search')}
          </label>
          <input
            ref={searchField}
            id="search-input"
            type="search"
            placeholder={t('search')}
            value={searchText}
            onInput={(event) => setSearchText((event.currentTarget as HTMLInputElement).value)}
            onKeyDown={(event) => {
              if (event.key === 'Escape') {
                event.preventDefault();
                clearSearch();
                focusList();
              }
            }}
          />
          <button type="submit">{t('searchButton')}</button>
        </form>
        <div class="account">
          <LanguageSelect id="top-language" />
          <span class="user" title={t('signedInAs', { user: session.username })}>
            {session.username}
          </span>
          <button type="button" onClick={doSignOut}>
            {t('signOut')}
          </button>
        </div>
      </header>

      <nav id="folders" class="folders" aria-label={t('folders')}>
        <button type="button" class="primary compose-button" onClick={() => openCompose('new', EMPTY_FIELDS)}>
          {t('compose')}
        </button>
        <ul>
          {mailboxes.map((mailbox) => (
            <li key={mailbox.id}>
              <button
                type="button"
                class="folder"
                aria-current={!view.search && mailbox.id === view.mailboxId ? 'page' : undefined}
                onClick={() => chooseMailbox(mailbox.id)}
              >
                <span class="folder-name">{mailboxLabel(t, mailbox)}</span>
                {mailbox.unreadEmails > 0 && (
                  <span class="count">
                    <span aria-hidden="true">{mailbox.unreadEmails}</span>
                    <span class="visually-hidden">{t('unreadCount', { count: mailbox.unreadEmails })}</span>
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
        <p class="help">{t('keyboardHelp')}</p>
        <div class="nav-account">
          <span class="user">{session.username}</span>
          <LanguageSelect id="nav-language" />
          <button type="button" onClick={doSignOut}>
            {t('signOut')}
          </button>
        </div>
      </nav>
      {navOpen && <div class="scrim" aria-hidden="true" onClick={() => setNavOpen(false)} />}

      <main id="main" class={`content${openId ? ' reading' : ''}`}>
        <section class="list-pane" aria-labelledby="list-heading">
          <div class="list-toolbar">
            <h1 id="list-heading">{listLabel}</h1>
            {view.search && (
              <button type="button" class="link" onClick={clearSearch}>
                {t('clearSearch')}
              </button>
            )}
            <div class="list-controls">
              <label class="visually-hidden" for="sort-select">
                {t('sortBy')}
              </label>
              <select
                id="sort-select"
                value={view.sort}
                onChange={(event) =>
                  setView((v) => ({ ...v, sort: (event.currentTarget as HTMLSelectElement).value as SortKey, position: 0 }))
                }
              >
                <option value="date">{t('sortDate')}</option>
                <option value="from">{t('sortFrom')}</option>
                <option value="subject">{t('sortSubject')}</option>
              </select>
              <button
                type="button"
                class="icon"
                aria-label={view.ascending ? t('ascending') : t('descending')}
                title={view.ascending ? t('ascending') : t('descending')}
                onClick={() => setView((v) => ({ ...v, ascending: !v.ascending, position: 0 }))}
              >
                <span aria-hidden="true">{view.ascending ? '↑' : '↓'}</span>
              </button>
              <span class="range" aria-live="polite">
                {emails.length > 0 &&
                  (total !== null
                    ? t('range', { from: firstShown, to: lastShown, total })
                    : t('rangeOpen', { from: firstShown, to: lastShown }))}
              </span>
              <button
                type="button"
                class="icon"
                aria-label={t('previousPage')}
                title={t('previousPage')}
                disabled={view.position === 0}
                onClick={() => setView((v) => ({ ...v, position: Math.max(0, v.position - PAGE_SIZE) }))}
              >
                <span aria-hidden="true">‹</span>
              </button>
              <button
                type="button"
                class="icon"
                aria-label={t('nextPage')}
                title={t('nextPage')}
                disabled={!page?.hasMore}
                onClick={() => setView((v) => ({ ...v, position: v.position + PAGE_SIZE }))}
              >
                <span aria-hidden="true">›</span>
              </button>
            </div>
          </div>
          <MessageList
            listRef={listRef}
            label={listLabel}
            emails={emails}
            selected={selected}
            openId={openId}
            loading={!page}
            busy={loading}
            showRecipients={!!currentMailbox && (currentMailbox.role === 'sent' || currentMailbox.role === 'drafts')}
            onSelect={setSelected}
            onOpen={open}
          />
        </section>
        <section class="reader-pane" aria-label={t('message')}>
          {openId && jmapSession ? (
            <Reader
              key={openId}
              id={openId}
              api={api}
              jmapSession={jmapSession}
              summary={openEmail}
              mailboxes={mailboxes}
              currentMailboxId={view.mailboxId}
              inTrash={!!trash && view.mailboxId === trash.id}
              takeFocus={focusReader}
              onBack={closeReader}
              onReply={() => respond('reply')}
              onReplyAll={() => respond('replyAll')}
              onForward={() => respond('forward')}
              onDelete={remove}
              onMove={moveTo}
              onToggleFlag={() => toggleKeyword('$flagged')}
              onToggleRead={() => toggleKeyword('$seen')}
              onError={fail}
            />
          ) : (
            <p class="empty-reader">{emails.length > 0 ? t('selectMessage') : ''}</p>
          )}
        </section>
      </main>

      {compose && identity && drafts && sent && (
        <Compose
          key={compose.serial}
          state={compose}
          api={api}
          identity={identity}
          draftsId={drafts.id}
          sentId={sent.id}
          onClose={composeClosed}
          onSaved={() => {
            setStatus(t('draftSaved'));
            refreshAfterChange();
          }}
          onError={fail}
        />
      )}
      <div class="status" role="status" aria-live="polite">
        {status}
      </div>
    </div>
  );
}
