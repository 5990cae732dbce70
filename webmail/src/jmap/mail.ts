import { Batch, JmapClient, MAIL, CORE, SUBMISSION, JmapError } from './client';
import type { Email, EmailAddress, EmailSummary, Identity, Mailbox } from './types';

/** The mail operations the webmail performs, each one JMAP request. */

export const PAGE_SIZE = 50;

export type SortKey = 'date' | 'from' | 'subject';

const SORT_PROPERTY: Record<SortKey, string> = { date: 'receivedAt', from: 'from', subject: 'subject' };

export const SUMMARY_PROPERTIES = [
  'id',
  'threadId',
  'mailboxIds',
  'keywords',
  'from',
  'to',
  'subject',
  'receivedAt',
  'preview',
  'hasAttachment',
  'size',
];

export const FULL_PROPERTIES = [
  ...SUMMARY_PROPERTIES,
  'cc',
  'bcc',
  'replyTo',
  'sentAt',
  'messageId',
  'inReplyTo',
  'references',
  'attachments',
  'textBody',
  'htmlBody',
  'bodyValues',
];

const ROLE_ORDER = ['inbox', 'drafts', 'sent', 'archive', 'spam', 'trash'];

/** Inbox, drafts, sent, archive, spam, trash, then the user's own mailboxes by name. */
export function sortMailboxes(mailboxes: Mailbox[]): Mailbox[] {
  const rank = (mailbox: Mailbox) => {
    const index = mailbox.role ? ROLE_ORDER.indexOf(mailbox.role) : -1;
    return index < 0 ? ROLE_ORDER.length : index;
  };
  return [...mailboxes]
    .filter((mailbox) => mailbox.role !== 'outbox')
    .sort((a, b) => rank(a) - rank(b) || a.sortOrder - b.sortOrder || a.name.localeCompare(b.name));
}

export function mailboxByRole(mailboxes: Mailbox[], role: string): Mailbox | undefined {
  return mailboxes.find((mailbox) => mailbox.role === role);
}

export interface ListQuery {
  /** null: every mailbox except trash and spam (a search) */
  mailboxId: string | null;
  search: string;
  sort: SortKey;
  ascending: boolean;
  position: number;
  limit?: number;
}

export interface ListPage {
  emails: EmailSummary[];
  position: number;
  hasMore: boolean;
}

/** The Email/query filter: the mailbox, and a search in text (addresses, subject, body) or attachments. */
export function buildFilter(query: ListQuery, excludedMailboxIds: string[]): Record<string, unknown> | null {
  const words = query.search.trim();
  const conditions: Record<string, unknown>[] = [];
  if (query.mailboxId) {
    conditions.push({ inMailbox: query.mailboxId });
  } else if (excludedMailboxIds.length > 0) {
    conditions.push({ inMailboxOtherThan: excludedMailboxIds });
  }
  if (words) {
    conditions.push({ operator: 'OR', conditions: [{ text: words }, { body: words }] });
  }
  if (conditions.length === 0) {
    return null;
  }
  if (conditions.length === 1) {
    return conditions[0];
  }
  return { operator: 'AND', conditions };
}

export function buildSort(sort: SortKey, ascending: boolean): Record<string, unknown>[] {
  const primary = { property: SORT_PROPERTY[sort], isAscending: ascending };
  return sort === 'date' ? [primary] : [primary, { property: 'receivedAt', isAscending: false }];
}

export class MailApi {
  constructor(readonly client: JmapClient) {}

  private async accountId(): Promise<string> {
    return (await this.client.session()).accountId;
  }

  async mailboxes(): Promise<Mailbox[]> {
    const result = await this.client.call<{ list: Mailbox[] }>('Mailbox/get', {
      ids: null,
      properties: ['id', 'name', 'parentId', 'role', 'sortOrder', 'totalEmails', 'unreadEmails'],
    });
    return sortMailboxes(result.list);
  }

  async identities(): Promise<Identity[]> {
    const result = await this.client.call<{ list: Identity[] }>('Identity/get', { ids: null }, [CORE, MAIL, SUBMISSION]);
    return result.list;
  }

  /** One page of the list: asks for one more than the page to know whether another page follows. */
  async list(query: ListQuery, excludedMailboxIds: string[]): Promise<ListPage> {
    const accountId = await this.accountId();
    const limit = query.limit ?? PAGE_SIZE;
    const batch = new Batch();
    const filter = buildFilter(query, excludedMailboxIds);
    const queryCall = batch.add('Email/query', {
      accountId,
      ...(filter ? { filter } : {}),
      sort: buildSort(query.sort, query.ascending),
      position: query.position,
      limit: limit + 1,
    });
    const getCall = batch.add('Email/get', {
      accountId,
      '#ids': batch.ref(queryCall, '/ids'),
      properties: SUMMARY_PROPERTIES,
    });
    const responses = await this.client.batch(batch);
    const ids = responses.get<{ ids: string[]; position: number }>(queryCall, 'Email/query');
    const got = responses.get<{ list: EmailSummary[] }>(getCall, 'Email/get');
    const byId = new Map(got.list.map((email) => [email.id, email]));
    // Email/query answers from the search index, which follows changes by about a second; Email/get reads the
    // store. A message just destroyed is not found, one just moved no longer has the mailbox: neither is shown.
    const belongs = (email: EmailSummary) =>
      query.mailboxId ? !!email.mailboxIds[query.mailboxId] : !excludedMailboxIds.some((id) => email.mailboxIds[id]);
    const ordered = ids.ids.map((id) => byId.get(id)).filter((email): email is EmailSummary => !!email && belongs(email));
    return {
      emails: ordered.slice(0, limit),
      position: ids.position ?? query.position,
      hasMore: ids.ids.length > limit,
    };
  }

  async email(id: string): Promise<Email | null> {
    const result = await this.client.call<{ list: Email[] }>('Email/get', {
      ids: [id],
      properties: FULL_PROPERTIES,
      fetchTextBodyValues: true,
      maxBodyValueBytes: 256 * 1024,
    });
    return result.list[0] ?? null;
  }

  private async update(patches: Record<string, Record<string, unknown>>): Promise<void> {
    const result = await this.client.call<{ notUpdated?: Record<string, { type: string; description?: string }> }>(
      'Email/set',
      { update: patches },
    );
    const failed = Object.values(result.notUpdated ?? {});
    if (failed.length > 0) {
      throw new JmapError(failed[0].type, failed[0].description);
    }
  }

  async setKeyword(ids: string[], keyword: string, on: boolean): Promise<void> {
    const patches: Record<string, Record<string, unknown>> = {};
    for (const id of ids) {
      patches[id] = { [`keywords/${keyword}`]: on ? true : null };
    }
    await this.update(patches);
  }

  /** Moves the messages to one mailbox (they leave every other). */
  async move(ids: string[], mailboxId: string): Promise<void> {
    const patches: Record<string, Record<string, unknown>> = {};
    for (const id of ids) {
      patches[id] = { mailboxIds: { [mailboxId]: true } };
    }
    await this.update(patches);
  }

  async destroy(ids: string[]): Promise<void> {
    const result = await this.client.call<{ notDestroyed?: Record<string, { type: string; description?: string }> }>(
      'Email/set',
      { destroy: ids },
    );
    const failed = Object.values(result.notDestroyed ?? {});
    if (failed.length > 0) {
      throw new JmapError(failed[0].type, failed[0].description);
    }
  }

  /**
   * Stores the draft in the Drafts mailbox (replacing the previous version: JMAP messages are immutable) and
   * returns its id.
   */
  async saveDraft(draft: OutgoingEmail, draftsId: string, previousId: string | null): Promise<string> {
    const accountId = await this.accountId();
    const batch = new Batch();
    const call = batch.add('Email/set', {
      accountId,
      create: { draft: toCreation(draft, { [draftsId]: true }, true) },
    });
    // a separate call after the creation: the new version may reuse the old one's attachments
    const cleanup = previousId ? batch.add('Email/set', { accountId, destroy: [previousId] }) : null;
    const responses = await this.client.batch(batch);
    const id = createdId(responses.get(call, 'Email/set'), 'draft');
    if (cleanup) responses.get(cleanup, 'Email/set');
    return id;
  }

  /**
   * Sends: the message is created in Drafts, submitted, and on success moved to Sent without its $draft keyword
   * (onSuccessUpdateEmail). The draft it was written from, if any, is destroyed afterwards, in a call of its own:
   * James resolves the new message's attachments only while the old draft still exists.
   */
  async send(
    draft: OutgoingEmail,
    identity: Identity,
    draftsId: string,
    sentId: string,
    previousId: string | null,
    original: { id: string; keyword: '$answered' | '$forwarded' } | null = null,
  ): Promise<string> {
    const accountId = await this.accountId();
    const batch = new Batch();
    const create = batch.add('Email/set', {
      accountId,
      create: { outgoing: toCreation(draft, { [draftsId]: true }, true) },
    });
    const submit = batch.add('EmailSubmission/set', {
      accountId,
      create: {
        submission: {
          identityId: identity.id,
          emailId: '#outgoing',
          envelope: envelopeOf(draft, identity),
        },
      },
      onSuccessUpdateEmail: {
        '#submission': {
          [`mailboxIds/${draftsId}`]: null,
          [`mailboxIds/${sentId}`]: true,
          'keywords/$draft': null,
          'keywords/$seen': true,
        },
      },
    });
    // the draft this message was written from goes once the message exists (it may share its attachments)
    const cleanup = previousId ? batch.add('Email/set', { accountId, destroy: [previousId] }) : null;
    const responses = await this.client.batch(batch, [CORE, MAIL, SUBMISSION]);
    const emailId = createdId(responses.get(create, 'Email/set'), 'outgoing');
    createdId(responses.get(submit, 'EmailSubmission/set'), 'submission');
    if (cleanup) responses.get(cleanup, 'Email/set');
    if (original) {
      // only once the submission succeeded; the message is sent even if this mark fails
      await this.setKeyword([original.id], original.keyword, true).catch(() => {});
    }
    return emailId;
  }
}

function createdId(
  result: { created?: Record<string, { id: string }> | null; notCreated?: Record<string, { type: string; description?: string }> | null },
  key: string,
): string {
  const created = result.created?.[key];
  if (created) {
    return created.id;
  }
  const failure = result.notCreated?.[key];
  throw new JmapError(failure?.type ?? 'serverFail', failure?.description ?? `${key} was not created`);
}

export interface OutgoingAttachment {
  blobId: string;
  name: string;
  type: string;
  size: number;
}

export interface OutgoingEmail {
  from: EmailAddress;
  to: EmailAddress[];
  cc: EmailAddress[];
  bcc: EmailAddress[];
  subject: string;
  body: string;
  inReplyTo: string[] | null;
  references: string[] | null;
  attachments: OutgoingAttachment[];
}

/** The Email/set creation object of a plain-text message. */
export function toCreation(draft: OutgoingEmail, mailboxIds: Record<string, boolean>, isDraft: boolean): Record<string, unknown> {
  const creation: Record<string, unknown> = {
    mailboxIds,
    keywords: isDraft ? { $draft: true, $seen: true } : { $seen: true },
    from: [draft.from],
    subject: draft.subject,
    textBody: [{ partId: 'text', type: 'text/plain' }],
    bodyValues: { text: { value: draft.body } },
  };
  if (draft.to.length > 0) creation.to = draft.to;
  if (draft.cc.length > 0) creation.cc = draft.cc;
  if (draft.bcc.length > 0) creation.bcc = draft.bcc;
  if (draft.inReplyTo && draft.inReplyTo.length > 0) creation.inReplyTo = draft.inReplyTo;
  if (draft.references && draft.references.length > 0) creation.references = draft.references;
  if (draft.attachments.length > 0) {
    creation.attachments = draft.attachments.map((attachment) => ({
      blobId: attachment.blobId,
      type: attachment.type || 'application/octet-stream',
      name: attachment.name,
      disposition: 'attachment',
    }));
  }
  return creation;
}

/** The SMTP envelope: the identity's address, every To, Cc and Bcc recipient once. */
export function envelopeOf(draft: OutgoingEmail, identity: Identity): Record<string, unknown> {
  const seen = new Set<string>();
  const rcptTo: { email: string }[] = [];
  for (const address of [...draft.to, ...draft.cc, ...draft.bcc]) {
    const key = address.email.toLowerCase();
    if (!seen.has(key)) {
      seen.add(key);
      rcptTo.push({ email: address.email });
    }
  }
  return { mailFrom: { email: identity.email }, rcptTo };
}
