import type { FetchLike } from '../src/jmap/client';

export interface Recorded {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fetch that answers from a list of handlers and records what was asked. */
export function fakeFetch(handler: (request: Recorded) => { status?: number; body?: unknown; headers?: Record<string, string> }) {
  const requests: Recorded[] = [];
  const impl: FetchLike = async (url, init) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries((init?.headers as Record<string, string>) ?? {})) {
      headers[name.toLowerCase()] = value;
    }
    let body: unknown = init?.body;
    if (typeof body === 'string' && headers['content-type'] === 'application/json') {
      body = JSON.parse(body);
    }
    const request = { url, method: init?.method ?? 'GET', headers, body };
    requests.push(request);
    const answer = handler(request);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status ?? 200,
      headers: { 'Content-Type': 'application/json', ...(answer.headers ?? {}) },
    });
  };
  return { impl, requests };
}

export const SESSION = {
  username: 'alice@example.com',
  apiUrl: 'https://mail.example.com/jmap',
  uploadUrl: 'https://mail.example.com/upload/{accountId}',
  downloadUrl: 'https://mail.example.com/download/{accountId}/{blobId}?type={type}&name={name}',
  primaryAccounts: { 'urn:ietf:params:jmap:mail': 'acc1' },
  capabilities: {},
};
