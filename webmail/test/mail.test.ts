import { describe, expect, it } from 'vitest';
import { JmapClient } from '../src/jmap/client';
import { MailApi, buildFilter, buildSort, envelopeOf, sortMailboxes, toCreation, type OutgoingEmail } from '../src/jmap/mail';
import type { Mailbox } from '../src/jmap/types';
import { SESSION, fakeFetch, type Recorded } from './fakeFetch';

const mailbox = (id: string, name: string, role: string | null, sortOrder = 0): Mailbox => ({
  id, name, role, sortOrder, parentId: null, totalEmails: 0, unreadEmails: 0,
});

const draft: OutgoingEmail = {
  from: { name: 'Alice', email: 'alice@example.com' },
  to: [{ email: 'bob@example.com' }],
  cc: [{ email: 'carol@example.com' }, { email: 'BOB@example.com' }],
  bcc: [{ email: 'dave@example.com' }],
  subject: 'Re: Hello',
  body: 'Hi\n> quoted',
  inReplyTo: ['m1@x'],
  references: ['m0@x', 'm1@x'],
  attachments: [{ blobId: 'b1', name: 'a.pdf', type: 'application/pdf', size: 10 }],
};

function api(answer: (request: Recorded) => unknown[]) {
  const fetch = fakeFetch((request) =>
    request.url === '/jmap/session' ? { body: SESSION } : { body: { methodResponses: answer(request) } },
  );
  return { mail: new MailApi(new JmapClient(() => 'csrf', fetch.impl)), requests: fetch.requests };
}

describe('mailboxes', () => {
  it('lists role mailboxes first in a fixed order, hides the outbox, then the rest by name', () => {
    const sorted = sortMailboxes([
      mailbox('9', 'Zeta', null), mailbox('1', 'Trash', 'trash'), mailbox('2', 'INBOX', 'inbox'),
      mailbox('3', 'Alpha', null), mailbox('4', 'Outbox', 'outbox'), mailbox('5', 'Sent', 'sent'),
    ]);
    expect(sorted.map((m) => m.name)).toEqual(['INBOX', 'Sent', 'Trash', 'Alpha', 'Zeta']);
  });
});

describe('query building', () => {
  it('filters one mailbox', () => {
    expect(buildFilter({ mailboxId: '1', search: ' ', sort: 'date', ascending: false, position: 0 }, [])).toEqual({ inMailbox: '1' });
  });

  it('searches text and attachments across mailboxes except trash and spam', () => {
    expect(buildFilter({ mailboxId: null, search: 'lighthouse', sort: 'date', ascending: false, position: 0 }, ['4', '7'])).toEqual({
      operator: 'AND',
      conditions: [
        { inMailboxOtherThan: ['4', '7'] },
        { operator: 'OR', conditions: [{ text: 'lighthouse' }, { body: 'lighthouse' }] },
      ],
    });
  });

  it('sorts by date, or by sender/subject then newest', () => {
    expect(buildSort('date', false)).toEqual([{ property: 'receivedAt', isAscending: false }]);
    expect(buildSort('from', true)).toEqual([
      { property: 'from', isAscending: true },
      { property: 'receivedAt', isAscending: false },
    ]);
    expect(buildSort('subject', false)[0]).toEqual({ property: 'subject', isAscending: false });
  });

  it('asks for one page plus one, in one request with a back-reference, and keeps the query order', async () => {
    const { mail, requests } = api(() => [
      ['Email/query', { ids: ['c', 'a', 'b'], position: 50 }, '0'],
      ['Email/get', { list: [{ id: 'a', mailboxIds: { '1': true } }, { id: 'b', mailboxIds: { '1': true } }, { id: 'c', mailboxIds: { '1': true } }] }, '1'],
    ]);
    const page = await mail.list({ mailboxId: '1', search: '', sort: 'date', ascending: false, position: 50, limit: 2 }, []);
    expect(page.emails.map((e) => e.id)).toEqual(['c', 'a']);
    expect(page.hasMore).toBe(true);
    expect(page.position).toBe(50);
    const calls = (requests[1].body as { methodCalls: [string, Record<string, unknown>, string][] }).methodCalls;
    expect(calls[0][0]).toBe('Email/query');
    expect(calls[0][1]).toMatchObject({ accountId: 'acc1', position: 50, limit: 3, filter: { inMailbox: '1' } });
    expect(calls[1][1]['#ids']).toEqual({ resultOf: '0', name: 'Email/query', path: '/ids' });
  });
});

describe('index lag', () => {
  it('leaves out what the index still lists but the store has destroyed or moved elsewhere', async () => {
    const { mail } = api(() => [
      ['Email/query', { ids: ['kept', 'moved', 'destroyed'], position: 0 }, '0'],
      ['Email/get', { list: [{ id: 'kept', mailboxIds: { '1': true } }, { id: 'moved', mailboxIds: { '6': true } }], notFound: ['destroyed'] }, '1'],
    ]);
    const page = await mail.list({ mailboxId: '1', search: '', sort: 'date', ascending: false, position: 0 }, []);
    expect(page.emails.map((e) => e.id)).toEqual(['kept']);
  });

  it('leaves trash and spam out of search results even when the index is behind', async () => {
    const { mail } = api(() => [
      ['Email/query', { ids: ['a', 'b'], position: 0 }, '0'],
      ['Email/get', { list: [{ id: 'a', mailboxIds: { '1': true } }, { id: 'b', mailboxIds: { '4': true } }] }, '1'],
    ]);
    const page = await mail.list({ mailboxId: null, search: 'x', sort: 'date', ascending: false, position: 0 }, ['4', '7']);
    expect(page.emails.map((e) => e.id)).toEqual(['a']);
  });
});

describe('changes', () => {
  it('marks read with a keyword patch', async () => {
    const { mail, requests } = api(() => [['Email/set', { updated: { e1: null } }, 'c']]);
    await mail.setKeyword(['e1'], '$seen', true);
    await mail.setKeyword(['e1'], '$seen', false);
    const first = (requests[1].body as { methodCalls: [string, Record<string, unknown>][] }).methodCalls[0][1];
    const second = (requests[2].body as { methodCalls: [string, Record<string, unknown>][] }).methodCalls[0][1];
    expect(first.update).toEqual({ e1: { 'keywords/$seen': true } });
    expect(second.update).toEqual({ e1: { 'keywords/$seen': null } });
  });

  it('moves by replacing mailboxIds and reports a refusal', async () => {
    const { mail, requests } = api(() => [['Email/set', { notUpdated: { e1: { type: 'notFound' } } }, 'c']]);
    await expect(mail.move(['e1'], '6')).rejects.toThrow('notFound');
    expect((requests[1].body as { methodCalls: [string, Record<string, unknown>][] }).methodCalls[0][1].update).toEqual({
      e1: { mailboxIds: { '6': true } },
    });
  });

  it('sends: creates in Drafts, submits, moves to Sent on success, destroys the previous draft', async () => {
    const { mail, requests } = api(() => [
      ['Email/set', { created: { outgoing: { id: 'new1' } } }, '0'],
      ['EmailSubmission/set', { created: { submission: { id: 's1' } } }, '1'],
      ['Email/set', { updated: { new1: null } }, '1'],
      ['Email/set', { destroyed: ['old1'] }, '2'],
    ]);
    const id = await mail.send(draft, { id: 'i1', name: 'Alice', email: 'alice@example.com' }, 'drafts', 'sent', 'old1');
    expect(id).toBe('new1');
    const body = requests[1].body as { using: string[]; methodCalls: [string, Record<string, unknown>, string][] };
    expect(body.using).toContain('urn:ietf:params:jmap:submission');
    // the old draft goes after the new message exists (they may share attachments)
    expect(body.methodCalls[0][1].destroy).toBeUndefined();
    expect(body.methodCalls[2]).toEqual(['Email/set', { accountId: 'acc1', destroy: ['old1'] }, '2']);
    const submission = body.methodCalls[1][1] as Record<string, Record<string, Record<string, unknown>>>;
    expect(submission.create.submission).toMatchObject({ identityId: 'i1', emailId: '#outgoing' });
    expect(submission.onSuccessUpdateEmail['#submission']).toEqual({
      'mailboxIds/drafts': null, 'mailboxIds/sent': true, 'keywords/$draft': null, 'keywords/$seen': true,
    });
  });

  it('marks the original answered once the message is sent', async () => {
    const { mail, requests } = api((request) => {
      const calls = (request.body as { methodCalls: [string][] }).methodCalls;
      return calls.length > 1
        ? [
            ['Email/set', { created: { outgoing: { id: 'new1' } } }, '0'],
            ['EmailSubmission/set', { created: { submission: { id: 's1' } } }, '1'],
          ]
        : [['Email/set', { updated: { orig: null } }, 'c']];
    });
    await mail.send(draft, { id: 'i1', name: '', email: 'alice@example.com' }, 'd', 's', null, { id: 'orig', keyword: '$answered' });
    expect(requests).toHaveLength(3);
    expect((requests[2].body as { methodCalls: [string, Record<string, unknown>][] }).methodCalls[0][1].update).toEqual({
      orig: { 'keywords/$answered': true },
    });
  });

  it('reports a refused submission', async () => {
    const { mail } = api(() => [
      ['Email/set', { created: { outgoing: { id: 'new1' } } }, '0'],
      ['EmailSubmission/set', { notCreated: { submission: { type: 'forbiddenFrom', description: 'not yours' } } }, '1'],
    ]);
    await expect(mail.send(draft, { id: 'i1', name: '', email: 'alice@example.com' }, 'd', 's', null)).rejects.toThrow('forbiddenFrom');
  });
});

describe('drafts', () => {
  it('saves a new version, then destroys the previous one in a later call', async () => {
    const { mail, requests } = api(() => [
      ['Email/set', { created: { draft: { id: 'd2' } } }, '0'],
      ['Email/set', { destroyed: ['d1'] }, '1'],
    ]);
    expect(await mail.saveDraft(draft, 'drafts', 'd1')).toBe('d2');
    const calls = (requests[1].body as { methodCalls: [string, Record<string, unknown>, string][] }).methodCalls;
    expect(calls[0][1]).toMatchObject({ create: { draft: { mailboxIds: { drafts: true }, keywords: { $draft: true, $seen: true } } } });
    expect(calls[1]).toEqual(['Email/set', { accountId: 'acc1', destroy: ['d1'] }, '1']);
  });
});

describe('outgoing messages', () => {
  it('are plain text with threading headers and attachments', () => {
    expect(toCreation(draft, { drafts: true }, true)).toEqual({
      mailboxIds: { drafts: true },
      keywords: { $draft: true, $seen: true },
      from: [{ name: 'Alice', email: 'alice@example.com' }],
      to: [{ email: 'bob@example.com' }],
      cc: [{ email: 'carol@example.com' }, { email: 'BOB@example.com' }],
      bcc: [{ email: 'dave@example.com' }],
      subject: 'Re: Hello',
      textBody: [{ partId: 'text', type: 'text/plain' }],
      bodyValues: { text: { value: 'Hi\n> quoted' } },
      inReplyTo: ['m1@x'],
      references: ['m0@x', 'm1@x'],
      attachments: [{ blobId: 'b1', type: 'application/pdf', name: 'a.pdf', disposition: 'attachment' }],
    });
  });

  it('have an envelope with every recipient once, Bcc included', () => {
    expect(envelopeOf(draft, { id: 'i', name: '', email: 'alice@example.com' })).toEqual({
      mailFrom: { email: 'alice@example.com' },
      rcptTo: [{ email: 'bob@example.com' }, { email: 'carol@example.com' }, { email: 'dave@example.com' }],
    });
  });
});
