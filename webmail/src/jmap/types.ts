/** The RFC 8621 objects the webmail reads, with the properties it asks for. */

export interface EmailAddress {
  name?: string | null;
  email: string;
}

export interface Mailbox {
  id: string;
  name: string;
  parentId: string | null;
  role: string | null;
  sortOrder: number;
  totalEmails: number;
  unreadEmails: number;
}

export interface EmailBodyPart {
  partId?: string | null;
  blobId?: string | null;
  size: number;
  name?: string | null;
  type: string;
  charset?: string | null;
  disposition?: string | null;
  cid?: string | null;
}

export interface EmailBodyValue {
  value: string;
  isEncodingProblem?: boolean;
  isTruncated?: boolean;
}

/** What the message list shows. */
export interface EmailSummary {
  id: string;
  threadId: string;
  mailboxIds: Record<string, boolean>;
  keywords: Record<string, boolean>;
  from: EmailAddress[] | null;
  to: EmailAddress[] | null;
  subject: string | null;
  receivedAt: string;
  preview?: string;
  hasAttachment: boolean;
  size: number;
}

/** What the reading pane, reply and forward need. */
export interface Email extends EmailSummary {
  cc: EmailAddress[] | null;
  bcc: EmailAddress[] | null;
  replyTo: EmailAddress[] | null;
  sentAt: string | null;
  messageId: string[] | null;
  inReplyTo: string[] | null;
  references: string[] | null;
  attachments: EmailBodyPart[];
  textBody: EmailBodyPart[];
  htmlBody: EmailBodyPart[];
  bodyValues: Record<string, EmailBodyValue>;
}

export interface Identity {
  id: string;
  name: string;
  email: string;
}

/** A JMAP result reference (RFC 8620 section 3.7). */
export interface ResultReference {
  resultOf: string;
  name: string;
  path: string;
}

export type Invocation = [string, Record<string, unknown>, string];
