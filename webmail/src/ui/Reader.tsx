import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { JmapSession } from '../jmap/client';
import type { MailApi } from '../jmap/mail';
import type { Email, EmailAddress, EmailSummary, Mailbox } from '../jmap/types';
import { formatAddressList } from '../mail/address';
import { formatFullDate, formatSize, mailboxLabel } from '../i18n';
import { useI18n } from './i18nContext';

/** Where the server renders a message as a sanitised, script-free document (see the webmail contract). */
export function renderUrl(id: string, images: boolean): string {
  return `/webmail/api/render/${encodeURIComponent(id)}?images=${images ? 1 : 0}`;
}

/** Whether the server withheld remote images: it says so in X-Postino-Remote-Images. */
async function remoteImages(id: string): Promise<string> {
  try {
    const response = await fetch(renderUrl(id, false), { credentials: 'same-origin', headers: { Accept: 'text/html' } });
    return response.headers.get('X-Postino-Remote-Images') ?? 'none';
  } catch {
    return 'none';
  }
}

interface Props {
  id: string;
  api: MailApi;
  jmapSession: JmapSession;
  summary: EmailSummary | null;
  mailboxes: Mailbox[];
  currentMailboxId: string | null;
  inTrash: boolean;
  takeFocus: RefObject<boolean>;
  onBack: () => void;
  onReply: () => void;
  onReplyAll: () => void;
  onForward: () => void;
  onDelete: () => void;
  onMove: (mailboxId: string) => void;
  onToggleFlag: () => void;
  onToggleRead: () => void;
  onError: (error: unknown) => void;
}

function AddressRow({ label, addresses }: { label: string; addresses: EmailAddress[] | null }) {
  if (!addresses || addresses.length === 0) return null;
  return (
    <>
      <dt>{label}</dt>
      <dd>{formatAddressList(addresses)}</dd>
    </>
  );
}

export function Reader(props: Props) {
  const { t, lang } = useI18n();
  const { id, api, jmapSession, summary, mailboxes } = props;
  const [email, setEmail] = useState<Email | null>(null);
  const [images, setImages] = useState<'blocked' | 'shown' | 'none'>('none');
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let cancelled = false;
    api
      .email(id)
      .then((loaded) => {
        if (!cancelled) setEmail(loaded);
      })
      .catch((error) => {
        if (!cancelled) props.onError(error);
      });
    remoteImages(id).then((state) => {
      if (!cancelled) setImages(state === 'blocked' ? 'blocked' : 'none');
    });
    return () => {
      cancelled = true;
    };
  }, [id, api]);

  useEffect(() => {
    if (email && props.takeFocus.current) {
      props.takeFocus.current = false;
      heading.current?.focus();
    }
  }, [email]);

  const flagged = !!summary?.keywords.$flagged || !!email?.keywords.$flagged;
  const seen = summary ? !!summary.keywords.$seen : true;
  const moveTargets = mailboxes.filter((m) => m.id !== props.currentMailboxId && m.role !== 'drafts');

  return (
    <article class="reader" aria-labelledby="reader-subject" aria-busy={!email}>
      <div class="reader-toolbar" role="toolbar" aria-label={t('message')}>
        <button type="button" class="back" onClick={props.onBack} aria-label={t('back')} title={t('back')}>
          <span aria-hidden="true">←</span> <span class="label" aria-hidden="true">{t('back')}</span>
        </button>
        <button type="button" onClick={props.onReply} aria-keyshortcuts="r">
          {t('reply')}
        </button>
        <button type="button" onClick={props.onReplyAll} aria-keyshortcuts="a">
          {t('replyAll')}
        </button>
        <button type="button" onClick={props.onForward} aria-keyshortcuts="f">
          {t('forward')}
        </button>
        <button type="button" onClick={props.onToggleFlag} aria-pressed={flagged}>
          {flagged ? t('unflag') : t('flag')}
        </button>
        <button type="button" onClick={props.onToggleRead}>
          {seen ? t('markUnread') : t('markRead')}
        </button>
        <label class="visually-hidden" for="move-select">
          {t('moveTo')}
        </label>
        <select
          id="move-select"
          value=""
          onChange={(event) => {
            const target = (event.currentTarget as HTMLSelectElement).value;
            if (target) props.onMove(target);
          }}
        >
          <option value="">{t('moveTo')}</option>
          {moveTargets.map((m) => (
            <option key={m.id} value={m.id}>
              {mailboxLabel(t, m)}
            </option>
          ))}
        </select>
        <button type="button" class="danger" onClick={props.onDelete} aria-keyshortcuts="Delete">
          {props.inTrash ? t('deleteForever') : t('delete')}
        </button>
      </div>
      <h2 id="reader-subject" ref={heading} tabIndex={-1}>
        {email?.subject || summary?.subject || (email ? t('noSubject') : t('loading'))}
      </h2>
      {email && (
        <dl class="headers">
          <AddressRow label={t('from')} addresses={email.from} />
          <AddressRow label={t('to')} addresses={email.to} />
          <AddressRow label={t('cc')} addresses={email.cc} />
          <dt>{t('date')}</dt>
          <dd>
            <time dateTime={email.sentAt ?? email.receivedAt}>{formatFullDate(email.sentAt ?? email.receivedAt, lang)}</time>
          </dd>
        </dl>
      )}
      {images === 'blocked' && (
        <div class="images-notice">
          <span>{t('imagesBlocked')}</span>
          <button type="button" onClick={() => setImages('shown')}>
            {t('showImages')}
          </button>
        </div>
      )}
      <iframe
        class="message-frame"
        title={t('messageBody')}
        sandbox="allow-popups allow-popups-to-escape-sandbox"
        referrerpolicy="no-referrer"
        src={renderUrl(id, images === 'shown')}
      />
      {email && email.attachments.length > 0 && (
        <section class="attachments" aria-labelledby="attachments-heading">
          <h3 id="attachments-heading">{t('attachments')}</h3>
          <ul>
            {email.attachments
              .filter((part) => part.blobId)
              .map((part) => {
                const name = part.name || 'attachment';
                return (
                  <li key={part.blobId}>
                    <a
                      href={props.api.client.downloadUrl(jmapSession, part.blobId!, name, part.type)}
                      download={name}
                      aria-label={t('download', { name })}
                    >
                      {name}
                    </a>{' '}
                    <span class="size">{formatSize(part.size, lang)}</span>
                  </li>
                );
              })}
          </ul>
        </section>
      )}
    </article>
  );
}
