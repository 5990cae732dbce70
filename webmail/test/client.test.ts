import { describe, expect, it } from 'vitest';
import { Batch, JmapClient, JmapError, SessionExpiredError, expandTemplate, pathOf, safeDownloadType } from '../src/jmap/client';
import { SESSION, fakeFetch } from './fakeFetch';

describe('JmapClient', () => {
  it('reads the session and sends method calls to the same origin with the CSRF header and no Authorization', async () => {
    const fetch = fakeFetch((request) => {
      if (request.url === '/jmap/session') return { body: SESSION };
      return { body: { methodResponses: [['Mailbox/get', { list: [] }, 'c']] } };
    });
    const client = new JmapClient(() => 'token-1', fetch.impl);
    const result = await client.call('Mailbox/get', { ids: null });
    expect(result).toEqual({ list: [] });
    const [session, api] = fetch.requests;
    expect(session.method).toBe('GET');
    expect(session.headers['x-postino-csrf']).toBeUndefined();
    expect(api.url).toBe('/jmap');
    expect(api.method).toBe('POST');
    expect(api.headers['x-postino-csrf']).toBe('token-1');
    expect(api.headers['authorization']).toBeUndefined();
    expect(api.headers['accept']).toBe('application/json');
    expect(api.body).toEqual({
      using: ['urn:ietf:params:jmap:core', 'urn:ietf:params:jmap:mail'],
      methodCalls: [['Mailbox/get', { accountId: 'acc1', ids: null }, 'c']],
    });
  });

  it('asks for the session once', async () => {
    const fetch = fakeFetch((request) =>
      request.url === '/jmap/session' ? { body: SESSION } : { body: { methodResponses: [['Email/get', { list: [] }, 'c']] } },
    );
    const client = new JmapClient(() => 't', fetch.impl);
    await client.call('Email/get', { ids: [] });
    await client.call('Email/get', { ids: [] });
    expect(fetch.requests.filter((request) => request.url === '/jmap/session')).toHaveLength(1);
  });

  it('turns a 401 into SessionExpiredError', async () => {
    const fetch = fakeFetch(() => ({ status: 401, body: { error: 'no session' } }));
    const client = new JmapClient(() => 't', fetch.impl);
    await expect(client.call('Mailbox/get', {})).rejects.toBeInstanceOf(SessionExpiredError);
  });

  it('throws the method error of a call', async () => {
    const fetch = fakeFetch((request) =>
      request.url === '/jmap/session'
        ? { body: SESSION }
        : { body: { methodResponses: [['error', { type: 'invalidArguments', description: 'bad filter' }, 'c']] } },
    );
    const client = new JmapClient(() => 't', fetch.impl);
    const error = await client.call('Email/query', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JmapError);
    expect((error as JmapError).type).toBe('invalidArguments');
    expect((error as JmapError).description).toBe('bad filter');
  });

  it('reports a request-level problem document', async () => {
    const fetch = fakeFetch((request) =>
      request.url === '/jmap/session' ? { body: SESSION } : { status: 400, body: { type: 'urn:ietf:params:jmap:error:notRequest', detail: 'nope' } },
    );
    const client = new JmapClient(() => 't', fetch.impl);
    const error = (await client.call('Email/query', {}).catch((e: unknown) => e)) as JmapError;
    expect(error.type).toBe('urn:ietf:params:jmap:error:notRequest');
    expect(error.status).toBe(400);
  });

  it('uploads with the CSRF header to the upload path of the account', async () => {
    const fetch = fakeFetch((request) =>
      request.url === '/jmap/session' ? { body: SESSION } : { body: { blobId: 'b1', type: 'text/plain', size: 5 } },
    );
    const client = new JmapClient(() => 'tok', fetch.impl);
    const result = await client.upload(new Blob(['hello']), 'text/plain');
    expect(result.blobId).toBe('b1');
    const upload = fetch.requests[1];
    expect(upload.url).toBe('/upload/acc1');
    expect(upload.method).toBe('POST');
    expect(upload.headers['x-postino-csrf']).toBe('tok');
    expect(upload.headers['content-type']).toBe('text/plain');
  });

  it('builds download links on the same origin, never as an active type', async () => {
    const fetch = fakeFetch(() => ({ body: SESSION }));
    const client = new JmapClient(() => 't', fetch.impl);
    const session = await client.session();
    expect(client.downloadUrl(session, 'm1_2', 'report q1.pdf', 'application/pdf')).toBe(
      '/download/acc1/m1_2?type=application%2Fpdf&name=report%20q1.pdf',
    );
    expect(client.downloadUrl(session, 'm1_3', 'page.html', 'text/html; charset=utf-8')).toBe(
      '/download/acc1/m1_3?type=application%2Foctet-stream&name=page.html',
    );
  });
});

describe('helpers', () => {
  it('pathOf keeps the path and query template of a session URL', () => {
    expect(pathOf('https://localhost:32443/download/{accountId}/{blobId}?type={type}&name={name}', '/x')).toBe(
      '/download/{accountId}/{blobId}?type={type}&name={name}',
    );
    expect(pathOf(undefined, '/jmap')).toBe('/jmap');
    expect(pathOf('https://proxy.example/mail/jmap', '/jmap')).toBe('/mail/jmap');
  });

  it('expandTemplate percent-encodes values', () => {
    expect(expandTemplate('/upload/{accountId}', { accountId: 'a/b' })).toBe('/upload/a%2Fb');
  });

  it('safeDownloadType lets only inert types through', () => {
    expect(safeDownloadType('image/PNG')).toBe('image/png');
    expect(safeDownloadType('image/svg+xml')).toBe('application/octet-stream');
    expect(safeDownloadType('text/html')).toBe('application/octet-stream');
    expect(safeDownloadType('application/xhtml+xml')).toBe('application/octet-stream');
    expect(safeDownloadType(null)).toBe('application/octet-stream');
  });

  it('Batch numbers calls and references earlier results', () => {
    const batch = new Batch();
    const query = batch.add('Email/query', {});
    const get = batch.add('Email/get', { '#ids': batch.ref(query, '/ids') });
    expect(get).toBe('1');
    expect(batch.calls[1][1]).toEqual({ '#ids': { resultOf: '0', name: 'Email/query', path: '/ids' } });
  });
});
