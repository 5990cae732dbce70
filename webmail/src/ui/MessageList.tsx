import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';
import type { EmailSummary } from '../jmap/types';
import { displayNames } from '../mail/address';
import { formatListDate } from '../i18n';
import { useI18n } from './i18nContext';

function Paperclip() {
  return (
    <svg class="clip-icon" aria-hidden="true" viewBox="0 0 16 16" width="14" height="14" focusable="false">
      <path
        d="M10.5 4.5 5.6 9.4a1.3 1.3 0 0 0 1.8 1.8l5-5a2.6 2.6 0 0 0-3.7-3.7l-5 5a3.9 3.9 0 0 0 5.5 5.5l4.3-4.3"
        fill="none"
        stroke="currentColor"
        stroke-width="1.4"
        stroke-linecap="round"
      />
    </svg>
  );
}

interface Props {
  listRef: RefObject<HTMLUListElement | null>;
  label: string;
  emails: EmailSummary[];
  selected: number;
  openId: string | null;
  loading: boolean;
  /** a refresh of the list shown is under way */
  busy: boolean;
  showRecipients: boolean;
  onSelect: (index: number) => void;
  onOpen: (index: number) => void;
}

/**
 * The messages as a listbox: one tab stop, the cursor shown with aria-activedescendant, so screen readers follow
 * j/k and the arrow keys (handled for the whole page in Mail).
 */
export function MessageList({ listRef, label, emails, selected, openId, loading, busy, showRecipients, onSelect, onOpen }: Props) {
  const { t, lang } = useI18n();
  const now = new Date();
  const activeId = emails[selected] ? `message-${emails[selected].id}` : undefined;

  useEffect(() => {
    if (activeId) document.getElementById(activeId)?.scrollIntoView({ block: 'nearest' });
  }, [activeId]);

  if (loading) {
    return (
      <p class="list-empty" aria-busy="true">
        {t('loading')}
      </p>
    );
  }
  if (emails.length === 0) {
    return (
      <ul ref={listRef} id="message-list" class="message-list" role="listbox" aria-label={label} tabIndex={0}>
        <li class="list-empty" role="presentation">
          {t('noMessages')}
        </li>
      </ul>
    );
  }
  return (
    <ul
      ref={listRef}
      id="message-list"
      class="message-list"
      role="listbox"
      aria-label={label}
      tabIndex={0}
      aria-activedescendant={activeId}
      aria-busy={busy}
    >
      {emails.map((email, index) => {
        const unread = !email.keywords.$seen;
        const flagged = !!email.keywords.$flagged;
        const who = showRecipients ? displayNames(email.to) : displayNames(email.from);
        const classes = ['message'];
        if (unread) classes.push('unread');
        if (index === selected) classes.push('selected');
        if (email.id === openId) classes.push('open');
        return (
          <li
            key={email.id}
            id={`message-${email.id}`}
            role="option"
            aria-selected={index === selected}
            class={classes.join(' ')}
            onClick={() => {
              onSelect(index);
              onOpen(index);
            }}
          >
            <span class="marks">
              {unread && (
                <span class="dot" title={t('unread')}>
                  <span class="visually-hidden">{t('unread')}, </span>
                </span>
              )}
              {flagged && (
                <span class="flag" title={t('flagged')}>
                  <span aria-hidden="true">★</span>
                  <span class="visually-hidden">{t('flagged')}, </span>
                </span>
              )}
            </span>
            <span class="who">{who || '—'}</span>
            <time class="when" dateTime={email.receivedAt}>
              {formatListDate(email.receivedAt, lang, now)}
            </time>
            <span class="subject">
              {email.hasAttachment && (
                <span class="clip" title={t('hasAttachment')}>
                  <Paperclip />
                  <span class="visually-hidden">{t('hasAttachment')}, </span>
                </span>
              )}
              {email.subject || t('noSubject')}
            </span>
            <span class="preview">{email.preview ?? ''}</span>
          </li>
        );
      })}
    </ul>
  );
}
