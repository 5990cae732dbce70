import { describe, expect, it } from 'vitest';
import {
  bodyText, buildForward, buildReply, forwardSubject, fromDraft, htmlToText, quote, replyRecipients, replyReferences, replySubject,
} from '../src/mail/compose';
import type { Email } from '../src/jmap/types';

const me = [{ email: 'alice@example.com' }];

function email(overrides: Partial<Email>): Email {
  return {
    id: 'e1', threadId: 't1', mailboxIds: { '1': true }, keywords: {}, from: [{ name: 'Bob', email: 'bob@example.com' }],
    to: [{ email: 'alice@example.com' }], cc: null, bcc: null, replyTo: null, subject: 'Hello', receivedAt: '2026-03-01T10:00:00Z',
    sentAt: '2026-03-01T10:00:00Z', hasAttachment: false, size: 100, messageId: ['m1@example.com'], inReplyTo: null, references: null,
    attachments: [], textBody: [{ partId: '1', type: 'text/plain', size: 10 }], htmlBody: [],
    bodyValues: { '1': { value: 'Line one\r\nLine two\r\n\r\n' } },
    ...overrides,
  };
}

describe('subjects', () => {
  it('adds Re: once, whatever the reply prefixes', () => {
    expect(replySubject('Hello')).toBe('Re: Hello');
    expect(replySubject('Re: Hello')).toBe('Re: Hello');
    expect(replySubject('RE: R: Aw: Hello')).toBe('Re: Hello');
    expect(replySubject('Re[2]: Hello')).toBe('Re: Hello');
    expect(replySubject(null)).toBe('Re:');
    expect(replySubject('Reunion')).toBe('Re: Reunion');
  });

  it('adds Fwd: once', () => {
    expect(forwardSubject('Hello')).toBe('Fwd: Hello');
    expect(forwardSubject('Fw: Hello')).toBe('Fwd: Hello');
    expect(forwardSubject('I: Hello')).toBe('Fwd: Hello');
    expect(forwardSubject('Fwd: Re: Hello')).toBe('Fwd: Re: Hello');
  });
});

describe('quoting', () => {
  it('prefixes lines and nests earlier quotes', () => {
    expect(quote('a\n> b\n\nc\n\n')).toBe('> a\n>> b\n>\n> c');
    expect(quote('x\r\ny')).toBe('> x\n> y');
  });

  it('turns HTML into text without a document', () => {
    expect(htmlToText('<p>Hello&nbsp;<b>Bob</b></p><p>1 &lt; 2 &amp; &#x263A;</p><script>alert(1)</script><ul><li>one</li></ul>')).toBe(
      'Hello\u00a0Bob\n1 < 2 & \u263a\n• one',
    );
    expect(htmlToText('a<br>b<style>p{}</style>')).toBe('a\nb');
  });

  it('reads text parts, or HTML when there is no text', () => {
    expect(bodyText(email({}))).toBe('Line one\nLine two\n\n');
    expect(bodyText(email({ textBody: [{ partId: '2', type: 'text/html', size: 1 }], bodyValues: { '2': { value: '<div>Hi</div>' } } }))).toBe('Hi');
  });
});

describe('recipients', () => {
  it('replies to Reply-To, else From', () => {
    expect(replyRecipients(email({}), me, false)).toEqual({ to: [{ name: 'Bob', email: 'bob@example.com' }], cc: [] });
    expect(replyRecipients(email({ replyTo: [{ email: 'list@example.com' }] }), me, false).to).toEqual([{ email: 'list@example.com' }]);
  });

  it('replies to all without me and without duplicates', () => {
    const original = email({
      to: [{ email: 'ALICE@example.com' }, { email: 'carol@example.com' }],
      cc: [{ email: 'dave@example.com' }, { email: 'bob@example.com' }, { email: 'carol@example.com' }],
    });
    expect(replyRecipients(original, me, true)).toEqual({
      to: [{ name: 'Bob', email: 'bob@example.com' }],
      cc: [{ email: 'carol@example.com' }, { email: 'dave@example.com' }],
    });
  });

  it('replying to my own sent message goes to its recipients again', () => {
    const sent = email({ from: [{ email: 'alice@example.com' }], to: [{ email: 'bob@example.com' }], cc: [{ email: 'carol@example.com' }] });
    expect(replyRecipients(sent, me, false)).toEqual({ to: [{ email: 'bob@example.com' }], cc: [] });
    expect(replyRecipients(sent, me, true)).toEqual({ to: [{ email: 'bob@example.com' }], cc: [{ email: 'carol@example.com' }] });
  });
});

describe('threading', () => {
  it('references the earlier chain then the message', () => {
    expect(replyReferences(email({ references: ['m0@x'] }))).toEqual(['m0@x', 'm1@example.com']);
    expect(replyReferences(email({ inReplyTo: ['m0@x'] }))).toEqual(['m0@x', 'm1@example.com']);
    expect(replyReferences(email({ messageId: null }))).toBeNull();
  });
});

describe('reply and forward', () => {
  it('builds a reply with attribution and quote', () => {
    const reply = buildReply(email({}), me, false, { attribution: 'On 1 Mar, Bob wrote:' });
    expect(reply.subject).toBe('Re: Hello');
    expect(reply.body).toBe('\n\nOn 1 Mar, Bob wrote:\n> Line one\n> Line two\n');
    expect(reply.inReplyTo).toEqual(['m1@example.com']);
    expect(reply.references).toEqual(['m1@example.com']);
    expect(reply.attachments).toEqual([]);
  });

  it('builds a forward with the original header and attachments', () => {
    const original = email({
      cc: [{ email: 'carol@example.com' }],
      attachments: [
        { partId: '3', blobId: 'e1_3', name: 'plan.pdf', type: 'application/pdf', size: 1234 },
        { partId: '4', blobId: null, name: 'lost', type: 'text/plain', size: 1 },
      ],
    });
    const forward = buildForward(original, {
      attribution: '', forwardedHeader: '-- Forwarded --', from: 'From', date: 'Date', subject: 'Subject', to: 'To', cc: 'Cc',
      formattedDate: 'Sun 1 Mar 2026',
    });
    expect(forward.subject).toBe('Fwd: Hello');
    expect(forward.to).toEqual([]);
    expect(forward.inReplyTo).toBeNull();
    expect(forward.body).toBe(
      '\n\n-- Forwarded --\nFrom: Bob <bob@example.com>\nDate: Sun 1 Mar 2026\nSubject: Hello\nTo: alice@example.com\nCc: carol@example.com\n\nLine one\nLine two\n\n\n',
    );
    expect(forward.attachments).toEqual([{ blobId: 'e1_3', name: 'plan.pdf', type: 'application/pdf', size: 1234 }]);
  });

  it('reopens a draft as it was', () => {
    const fields = fromDraft(email({ keywords: { $draft: true }, to: [{ email: 'x@example.com' }], subject: null }));
    expect(fields.to).toEqual([{ email: 'x@example.com' }]);
    expect(fields.subject).toBe('');
    expect(fields.body).toBe('Line one\nLine two\n\n');
  });
});
