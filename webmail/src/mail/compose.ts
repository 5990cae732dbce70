import type { Email, EmailAddress, EmailBodyPart } from '../jmap/types';
import type { OutgoingAttachment } from '../jmap/mail';
import { formatAddressList, sameAddress } from './address';

/** Reply, reply-all and forward: recipients, subject, quoted text, threading headers. */

export type ComposeMode = 'new' | 'reply' | 'replyAll' | 'forward' | 'draft';

export interface DraftFields {
  to: EmailAddress[];
  cc: EmailAddress[];
  bcc: EmailAddress[];
  subject: string;
  body: string;
  inReplyTo: string[] | null;
  references: string[] | null;
  attachments: OutgoingAttachment[];
}

const REPLY_PREFIX = /^\s*((re|r|aw|sv|antw|ref)(\[\d+\])?\s*:\s*)+/i;
const FORWARD_PREFIX = /^\s*((fwd?|i|inoltro|wg|tr|rv)(\[\d+\])?\s*:\s*)+/i;

/** "Re: " once, whatever reply prefixes (Re:, R:, AW:…) the subject had. */
export function replySubject(subject: string | null | undefined): string {
  const bare = (subject ?? '').replace(REPLY_PREFIX, '').trim();
  return `Re: ${bare}`.trim();
}

/** "Fwd: " once. */
export function forwardSubject(subject: string | null | undefined): string {
  const bare = (subject ?? '').replace(FORWARD_PREFIX, '').trim();
  return `Fwd: ${bare}`.trim();
}

/** Prefixes every line with "> " (">" before a line already quoted), after dropping trailing blank lines. */
export function quote(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').replace(/\s+$/, '').split('\n');
  return lines.map((line) => (line.startsWith('>') ? `>${line}` : line.length === 0 ? '>' : `> ${line}`)).join('\n');
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/**
 * The text of an HTML body, for quoting a message that has no text/plain part. Only a string transformation: the
 * HTML is never put into a document.
 */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|h[1-6]|li|tr|blockquote|pre|table)\s*>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '• ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (match, entity: string) => {
      if (entity[0] === '#') {
        const code = entity[1] === 'x' || entity[1] === 'X' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
        return Number.isFinite(code) && code > 0 && code < 0x110000 ? String.fromCodePoint(code) : match;
      }
      return ENTITIES[entity.toLowerCase()] ?? match;
    })
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

/** The message's readable text: its text/plain parts, or its HTML made text. */
export function bodyText(email: Pick<Email, 'textBody' | 'bodyValues'>): string {
  const texts: string[] = [];
  for (const part of email.textBody ?? []) {
    const value = part.partId ? email.bodyValues?.[part.partId]?.value : undefined;
    if (value === undefined) {
      continue;
    }
    texts.push(part.type.toLowerCase() === 'text/html' ? htmlToText(value) : value);
  }
  return texts.join('\n\n').replace(/\r\n?/g, '\n');
}

/** Whom a reply goes to: Reply-To or From; for a message I sent, its recipients again. */
export function replyRecipients(
  original: Pick<Email, 'from' | 'to' | 'cc' | 'replyTo'>,
  me: EmailAddress[],
  all: boolean,
): { to: EmailAddress[]; cc: EmailAddress[] } {
  const isMe = (address: EmailAddress) => me.some((mine) => sameAddress(mine, address));
  const fromMe = (original.from ?? []).length > 0 && (original.from ?? []).every(isMe);
  let to: EmailAddress[];
  if (fromMe) {
    to = [...(original.to ?? [])];
  } else if ((original.replyTo ?? []).length > 0) {
    to = [...(original.replyTo ?? [])];
  } else {
    to = [...(original.from ?? [])];
  }
  to = unique(to);
  if (!all) {
    return { to, cc: [] };
  }
  const others = unique([...(fromMe ? [] : original.to ?? []), ...(original.cc ?? [])]).filter(
    (address) => !isMe(address) && !to.some((already) => sameAddress(already, address)),
  );
  if (to.length === 0) {
    return { to: others, cc: [] };
  }
  return { to, cc: others };
}

function unique(addresses: EmailAddress[]): EmailAddress[] {
  const result: EmailAddress[] = [];
  for (const address of addresses) {
    if (!result.some((kept) => sameAddress(kept, address))) {
      result.push(address);
    }
  }
  return result;
}

/** References of a reply: the original's References (or In-Reply-To), then its Message-ID. */
export function replyReferences(original: Pick<Email, 'messageId' | 'references' | 'inReplyTo'>): string[] | null {
  const own = original.messageId ?? [];
  if (own.length === 0) {
    return null;
  }
  const earlier = original.references ?? original.inReplyTo ?? [];
  const all = [...earlier, ...own];
  return all.filter((id, index) => all.indexOf(id) === index);
}

export interface QuoteLabels {
  /** "On {date}, {name} wrote:" filled in */
  attribution: string;
  forwardedHeader: string;
  from: string;
  date: string;
  subject: string;
  to: string;
  cc: string;
  formattedDate: string;
}

export function buildReply(
  original: Email,
  me: EmailAddress[],
  all: boolean,
  labels: Pick<QuoteLabels, 'attribution'>,
): DraftFields {
  const { to, cc } = replyRecipients(original, me, all);
  const quoted = quote(bodyText(original));
  return {
    to,
    cc,
    bcc: [],
    subject: replySubject(original.subject),
    body: `\n\n${labels.attribution}\n${quoted}\n`,
    inReplyTo: original.messageId && original.messageId.length > 0 ? [...original.messageId] : null,
    references: replyReferences(original),
    attachments: [],
  };
}

export function forwardAttachments(parts: EmailBodyPart[]): OutgoingAttachment[] {
  return parts
    .filter((part): part is EmailBodyPart & { blobId: string } => !!part.blobId)
    .map((part) => ({
      blobId: part.blobId,
      name: part.name || 'attachment',
      type: part.type || 'application/octet-stream',
      size: part.size,
    }));
}

export function buildForward(original: Email, labels: QuoteLabels): DraftFields {
  const header = [
    labels.forwardedHeader,
    `${labels.from}: ${formatAddressList(original.from)}`,
    `${labels.date}: ${labels.formattedDate}`,
    `${labels.subject}: ${original.subject ?? ''}`,
    `${labels.to}: ${formatAddressList(original.to)}`,
  ];
  if ((original.cc ?? []).length > 0) {
    header.push(`${labels.cc}: ${formatAddressList(original.cc)}`);
  }
  return {
    to: [],
    cc: [],
    bcc: [],
    subject: forwardSubject(original.subject),
    body: `\n\n${header.join('\n')}\n\n${bodyText(original)}\n`,
    inReplyTo: null,
    references: null,
    attachments: forwardAttachments(original.attachments ?? []),
  };
}

/** Reopening a saved draft: its fields as they were. */
export function fromDraft(draft: Email): DraftFields {
  return {
    to: draft.to ?? [],
    cc: draft.cc ?? [],
    bcc: draft.bcc ?? [],
    subject: draft.subject ?? '',
    body: bodyText(draft),
    inReplyTo: draft.inReplyTo,
    references: draft.references,
    attachments: forwardAttachments(draft.attachments ?? []),
  };
}
