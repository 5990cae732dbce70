import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { MailApi, OutgoingAttachment, OutgoingEmail } from '../jmap/mail';
import type { Identity } from '../jmap/types';
import { formatAddressList, parseAddressList } from '../mail/address';
import { formatSize } from '../i18n';
import { useI18n } from './i18nContext';
import type { ComposeState } from './Mail';

export type ComposeResult = 'sent' | 'saved' | 'discarded' | 'closed';

interface Props {
  state: ComposeState;
  api: MailApi;
  identity: Identity;
  draftsId: string;
  sentId: string;
  onClose: (result: ComposeResult) => void;
  /** a draft was saved and the dialog stays open */
  onSaved: () => void;
  onError: (error: unknown) => void;
}

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]), textarea, select, a[href], [tabindex]:not([tabindex="-1"])';

/** A modal dialog for a new message, a reply, a forward or a saved draft; plain text. */
export function Compose({ state, api, identity, draftsId, sentId, onClose, onSaved, onError }: Props) {
  const { t, lang } = useI18n();
  const initial = state.fields;
  const [to, setTo] = useState(formatAddressList(initial.to));
  const [cc, setCc] = useState(formatAddressList(initial.cc));
  const [bcc, setBcc] = useState(formatAddressList(initial.bcc));
  const [showCc, setShowCc] = useState(initial.cc.length > 0 || initial.bcc.length > 0);
  const [subject, setSubject] = useState(initial.subject);
  const [body, setBody] = useState(initial.body);
  const [attachments, setAttachments] = useState<OutgoingAttachment[]>(initial.attachments);
  const [uploading, setUploading] = useState<string[]>([]);
  const [busy, setBusy] = useState<'sending' | 'saving' | null>(null);
  const [error, setError] = useState<string | null>(null);
  // edits counts changes; saved is the count the stored draft has (a forward starts unsaved: it carries attachments)
  const edits = useRef(state.mode === 'forward' ? 1 : 0);
  const saved = useRef(0);
  const [, setEditCount] = useState(0);
  const markEdited = () => {
    edits.current += 1;
    setEditCount(edits.current);
  };
  const dirty = () => edits.current !== saved.current;
  const draftId = useRef<string | null>(state.draftId);
  const dialog = useRef<HTMLDivElement>(null);
  const toField = useRef<HTMLInputElement>(null);
  const bodyField = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const returnFocus = useRef<Element | null>(document.activeElement);

  // before the first paint, so that keys typed right after opening land in the form
  useLayoutEffect(() => {
    // a reply starts above the quote; otherwise the first empty field
    if ((state.mode === 'reply' || state.mode === 'replyAll') && bodyField.current) {
      bodyField.current.focus();
      bodyField.current.setSelectionRange(0, 0);
      bodyField.current.scrollTop = 0;
    } else {
      toField.current?.focus();
    }
    return () => {
      const previous = returnFocus.current;
      if (previous instanceof HTMLElement && previous.isConnected) previous.focus();
    };
  }, []);

  const edited = <T,>(setter: (value: T) => void) => (value: T) => {
    setter(value);
    markEdited();
  };

  const collect = (requireRecipients: boolean): OutgoingEmail | null => {
    const parsed = [parseAddressList(to), parseAddressList(cc), parseAddressList(bcc)];
    const invalid = parsed.flatMap((p) => p.invalid);
    if (invalid.length > 0) {
      setError(t('invalidAddresses', { list: invalid.join(', ') }));
      return null;
    }
    if (requireRecipients && parsed.every((p) => p.addresses.length === 0)) {
      setError(t('noRecipients'));
      toField.current?.focus();
      return null;
    }
    const name = identity.name && identity.name !== identity.email ? identity.name : null;
    return {
      from: name ? { name, email: identity.email } : { email: identity.email },
      to: parsed[0].addresses,
      cc: parsed[1].addresses,
      bcc: parsed[2].addresses,
      subject: subject.trim(),
      body,
      inReplyTo: initial.inReplyTo,
      references: initial.references,
      attachments,
    };
  };

  const send = async () => {
    if (busy || uploading.length > 0) return;
    const outgoing = collect(true);
    if (!outgoing) return;
    setBusy('sending');
    setError(null);
    try {
      const original = state.originalId
        ? { id: state.originalId, keyword: state.mode === 'forward' ? ('$forwarded' as const) : ('$answered' as const) }
        : null;
      await api.send(outgoing, identity, draftsId, sentId, draftId.current, original);
      onClose('sent');
    } catch (e) {
      setBusy(null);
      setError(t('error', { message: e instanceof Error ? e.message : String(e) }));
      onError(e);
    }
  };

  const save = async (then: ComposeResult | null) => {
    if (busy || uploading.length > 0) return;
    const outgoing = collect(false);
    if (!outgoing) return;
    const version = edits.current;
    setBusy('saving');
    setError(null);
    try {
      draftId.current = await api.saveDraft(outgoing, draftsId, draftId.current);
      saved.current = version;
      setBusy(null);
      if (then) onClose(then);
      else onSaved();
    } catch (e) {
      setBusy(null);
      setError(t('error', { message: e instanceof Error ? e.message : String(e) }));
      onError(e);
    }
  };

  const close = () => {
    if (uploading.length > 0) return;
    if (dirty()) save('saved');
    else onClose('closed');
  };

  const discard = async () => {
    if (busy) return;
    try {
      if (draftId.current) await api.destroy([draftId.current]);
      onClose(draftId.current ? 'discarded' : 'closed');
    } catch (e) {
      onError(e);
    }
  };

  const attach = async (files: FileList | null) => {
    if (!files) return;
    for (const file of Array.from(files)) {
      setUploading((u) => [...u, file.name]);
      try {
        const result = await api.client.upload(file, file.type || 'application/octet-stream');
        setAttachments((list) => [...list, { blobId: result.blobId, name: file.name, type: file.type || result.type, size: file.size }]);
        markEdited();
      } catch (e) {
        setError(t('error', { message: e instanceof Error ? e.message : String(e) }));
        onError(e);
      } finally {
        setUploading((u) => u.filter((name) => name !== file.name));
      }
    }
    if (fileInput.current) fileInput.current.value = '';
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      close();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      send();
    } else if (event.key === 'Tab' && dialog.current) {
      // keep the focus inside the dialog
      const focusable = Array.from(dialog.current.querySelectorAll<HTMLElement>(FOCUSABLE)).filter((el) => el.offsetParent !== null);
      if (focusable.length === 0) return;
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  };

  const title = subject.trim() || t('newMessage');

  return (
    <div class="compose-backdrop">
      <div
        ref={dialog}
        class="compose"
        role="dialog"
        aria-modal="true"
        aria-labelledby="compose-title"
        onKeyDown={onKeyDown}
      >
        <div class="compose-header">
          <h2 id="compose-title">{title}</h2>
          <button type="button" class="icon" aria-label={t('close')} title={t('close')} onClick={close}>
            <span aria-hidden="true">×</span>
          </button>
        </div>
        <form
          class="compose-form"
          onSubmit={(event) => {
            event.preventDefault();
            send();
          }}
        >
          <div class="field">
            <label for="compose-to">{t('to')}</label>
            <input
              ref={toField}
              id="compose-to"
              type="text"
              autocomplete="off"
              value={to}
              onInput={(event) => edited(setTo)((event.currentTarget as HTMLInputElement).value)}
            />
            {!showCc && (
              <button type="button" class="link" onClick={() => setShowCc(true)}>
                {t('showCcBcc')}
              </button>
            )}
          </div>
          {showCc && (
            <>
              <div class="field">
                <label for="compose-cc">{t('cc')}</label>
                <input
                  id="compose-cc"
                  type="text"
                  autocomplete="off"
                  value={cc}
                  onInput={(event) => edited(setCc)((event.currentTarget as HTMLInputElement).value)}
                />
              </div>
              <div class="field">
                <label for="compose-bcc">{t('bcc')}</label>
                <input
                  id="compose-bcc"
                  type="text"
                  autocomplete="off"
                  value={bcc}
                  onInput={(event) => edited(setBcc)((event.currentTarget as HTMLInputElement).value)}
                />
              </div>
            </>
          )}
          <div class="field">
            <label for="compose-subject">{t('subject')}</label>
            <input
              id="compose-subject"
              type="text"
              value={subject}
              onInput={(event) => edited(setSubject)((event.currentTarget as HTMLInputElement).value)}
            />
          </div>
          <label class="visually-hidden" for="compose-body">
            {t('body')}
          </label>
          <textarea
            ref={bodyField}
            id="compose-body"
            value={body}
            onInput={(event) => edited(setBody)((event.currentTarget as HTMLTextAreaElement).value)}
          />
          {(attachments.length > 0 || uploading.length > 0) && (
            <ul class="compose-attachments" aria-label={t('attachments')}>
              {attachments.map((attachment, index) => (
                <li key={attachment.blobId + index}>
                  <span>{attachment.name}</span> <span class="size">{formatSize(attachment.size, lang)}</span>
                  <button
                    type="button"
                    class="icon"
                    aria-label={t('removeAttachment', { name: attachment.name })}
                    onClick={() => {
                      setAttachments((list) => list.filter((_, i) => i !== index));
                      markEdited();
                    }}
                  >
                    <span aria-hidden="true">×</span>
                  </button>
                </li>
              ))}
              {uploading.map((name) => (
                <li key={`up-${name}`} aria-busy="true">
                  {t('uploading', { name })}
                </li>
              ))}
            </ul>
          )}
          <p class="form-error" role="alert">
            {error ?? ''}
          </p>
          <div class="compose-actions">
            <button type="submit" class="primary" disabled={!!busy || uploading.length > 0}>
              {busy === 'sending' ? t('sending') : t('send')}
            </button>
            <button type="button" onClick={() => save(null)} disabled={!!busy || uploading.length > 0}>
              {t('saveDraft')}
            </button>
            <input
              ref={fileInput}
              id="compose-files"
              class="visually-hidden"
              type="file"
              multiple
              onChange={(event) => attach((event.currentTarget as HTMLInputElement).files)}
            />
            <label class="button" for="compose-files">
              {t('attach')}
            </label>
            <button type="button" class="danger" onClick={discard} disabled={!!busy}>
              {t('discard')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
