import type { Invocation, ResultReference } from './types';

/**
 * A JMAP (RFC 8620) client for the same origin. The browser authenticates with the session cookie (set by
 * POST /webmail/api/session, HttpOnly, never visible here); every request that is not GET carries the CSRF token
 * in X-Postino-CSRF. Nothing is kept in localStorage.
 */

export const CORE = 'urn:ietf:params:jmap:core';
export const MAIL = 'urn:ietf:params:jmap:mail';
export const SUBMISSION = 'urn:ietf:params:jmap:submission';
export const CSRF_HEADER = 'X-Postino-CSRF';

/** The server no longer knows this session (expired, signed out elsewhere, restarted). */
export class SessionExpiredError extends Error {
  constructor() {
    super('session expired');
    this.name = 'SessionExpiredError';
  }
}

/** A method-level error (RFC 8620 section 3.6.2) or a request-level problem. */
export class JmapError extends Error {
  constructor(
    readonly type: string,
    readonly description?: string,
    readonly status?: number,
  ) {
    super(description ? `${type}: ${description}` : type);
    this.name = 'JmapError';
  }
}

export interface JmapSession {
  username: string;
  accountId: string;
  apiPath: string;
  uploadPath: string;
  downloadPath: string;
  capabilities: Record<string, unknown>;
}

export interface UploadResult {
  blobId: string;
  type: string;
  size: number;
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** The path (and query template) of a URL the session names; the browser stays on its own origin. */
export function pathOf(url: string | undefined, fallback: string): string {
  if (!url) {
    return fallback;
  }
  try {
    const parsed = new URL(url, 'https://same-origin.invalid');
    // templates keep their braces unescaped: {accountId} is percent-encoded by URL()
    return decodeURI(parsed.pathname) + decodeURI(parsed.search);
  } catch {
    return fallback;
  }
}

/** Fills a RFC 6570 level-1 template such as /download/{accountId}/{blobId}?type={type}&name={name}. */
export function expandTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{([a-zA-Z]+)\}/g, (_, name: string) =>
    name in values ? encodeURIComponent(values[name]) : '',
  );
}

/** Media types a browser may show from our origin without risk; everything else is downloaded as bytes. */
const SAFE_INLINE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
]);

/**
 * The type to ask the download endpoint for. An attachment served as text/html or image/svg+xml from the webmail's
 * origin would run its scripts there if someone opened the link in a tab, so those are fetched as
 * application/octet-stream.
 */
export function safeDownloadType(type: string | null | undefined): string {
  const bare = (type ?? '').split(';')[0].trim().toLowerCase();
  return SAFE_INLINE_TYPES.has(bare) ? bare : 'application/octet-stream';
}

/** Builds one request of several method calls, with back-references between them. */
export class Batch {
  readonly calls: Invocation[] = [];

  add(name: string, args: Record<string, unknown>): string {
    const id = String(this.calls.length);
    this.calls.push([name, args, id]);
    return id;
  }

  ref(callId: string, path: string): ResultReference {
    const call = this.calls[Number(callId)];
    if (!call) {
      throw new Error(`no call ${callId}`);
    }
    return { resultOf: callId, name: call[0], path };
  }
}

/** The responses of one request, by call id; throws a method's error when it is read. */
export class Responses {
  constructor(readonly invocations: Invocation[]) {}

  get<T = Record<string, unknown>>(callId: string, expectedName?: string): T {
    const found = this.invocations.filter((invocation) => invocation[2] === callId);
    if (found.length === 0) {
      throw new JmapError('serverFail', `no response to call ${callId}`);
    }
    const error = found.find((invocation) => invocation[0] === 'error');
    if (error) {
      const args = error[1] as { type?: string; description?: string };
      throw new JmapError(args.type ?? 'serverFail', args.description);
    }
    const answer = expectedName ? found.find((invocation) => invocation[0] === expectedName) : found[0];
    if (!answer) {
      throw new JmapError('serverFail', `no ${expectedName} response to call ${callId}`);
    }
    return answer[1] as T;
  }
}

export class JmapClient {
  private sessionPromise: Promise<JmapSession> | null = null;

  constructor(
    private readonly csrfToken: () => string,
    private readonly fetchImpl: FetchLike = (input, init) => fetch(input, init),
  ) {}

  session(): Promise<JmapSession> {
    if (!this.sessionPromise) {
      this.sessionPromise = this.loadSession().catch((error) => {
        this.sessionPromise = null;
        throw error;
      });
    }
    return this.sessionPromise;
  }

  private async loadSession(): Promise<JmapSession> {
    const response = await this.fetchImpl('/jmap/session', {
      method: 'GET',
      credentials: 'same-origin',
      headers: { Accept: 'application/json' },
    });
    await this.checkStatus(response);
    const body = (await response.json()) as {
      username: string;
      apiUrl?: string;
      uploadUrl?: string;
      downloadUrl?: string;
      primaryAccounts?: Record<string, string>;
      capabilities?: Record<string, unknown>;
    };
    const accountId = body.primaryAccounts?.[MAIL];
    if (!accountId) {
      throw new JmapError('serverFail', 'the session names no mail account');
    }
    return {
      username: body.username,
      accountId,
      apiPath: pathOf(body.apiUrl, '/jmap'),
      uploadPath: pathOf(body.uploadUrl, '/upload/{accountId}'),
      downloadPath: pathOf(body.downloadUrl, '/download/{accountId}/{blobId}?type={type}&name={name}'),
      capabilities: body.capabilities ?? {},
    };
  }

  private async checkStatus(response: Response): Promise<void> {
    if (response.status === 401) {
      throw new SessionExpiredError();
    }
    if (!response.ok) {
      let type = 'serverFail';
      let detail = `HTTP ${response.status}`;
      try {
        const problem = (await response.json()) as { type?: string; detail?: string };
        type = problem.type ?? type;
        detail = problem.detail ?? detail;
      } catch {
        // not a problem document
      }
      throw new JmapError(type, detail, response.status);
    }
  }

  /** Sends the calls as one request; method errors are thrown when their response is read. */
  async request(calls: Invocation[], using: string[] = [CORE, MAIL]): Promise<Responses> {
    const session = await this.session();
    const response = await this.fetchImpl(session.apiPath, {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'Content-Type': 'application/json',
        [CSRF_HEADER]: this.csrfToken(),
      },
      body: JSON.stringify({ using, methodCalls: calls }),
    });
    await this.checkStatus(response);
    const body = (await response.json()) as { methodResponses?: Invocation[] };
    if (!Array.isArray(body.methodResponses)) {
      throw new JmapError('serverFail', 'no methodResponses in the answer');
    }
    return new Responses(body.methodResponses);
  }

  async batch(batch: Batch, using?: string[]): Promise<Responses> {
    return this.request(batch.calls, using);
  }

  /** One method call with the account filled in; its response arguments. */
  async call<T = Record<string, unknown>>(name: string, args: Record<string, unknown>, using?: string[]): Promise<T> {
    const session = await this.session();
    const responses = await this.request([[name, { accountId: session.accountId, ...args }, 'c']], using);
    return responses.get<T>('c', name);
  }

  async upload(data: Blob, type: string): Promise<UploadResult> {
    const session = await this.session();
    const response = await this.fetchImpl(expandTemplate(session.uploadPath, { accountId: session.accountId }), {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        Accept: 'application/json',
        'Content-Type': type || 'application/octet-stream',
        [CSRF_HEADER]: this.csrfToken(),
      },
      body: data,
    });
    await this.checkStatus(response);
    return (await response.json()) as UploadResult;
  }

  /** A same-origin link to a blob (cookie-authenticated GET). */
  downloadUrl(session: JmapSession, blobId: string, name: string, type: string | null | undefined): string {
    return expandTemplate(session.downloadPath, {
      accountId: session.accountId,
      blobId,
      name: name || 'attachment',
      type: safeDownloadType(type),
    });
  }
}
