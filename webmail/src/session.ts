import { CSRF_HEADER, type FetchLike } from './jmap/client';

/** The webmail session API (POST/GET/DELETE /webmail/api/session): an HttpOnly cookie plus a CSRF token. */

export const SESSION_PATH = '/webmail/api/session';

export interface WebSession {
  username: string;
  csrfToken: string;
}

export type SignInFailure =
  | { kind: 'invalid-credentials' }
  | { kind: 'rate-limited'; retryAfterSeconds: number }
  | { kind: 'network' };

export class SignInError extends Error {
  constructor(readonly failure: SignInFailure) {
    super(failure.kind);
    this.name = 'SignInError';
  }
}

const defaultFetch: FetchLike = (input, init) => fetch(input, init);

/** The current session, or null when the cookie is missing or no longer valid. */
export async function currentSession(fetchImpl: FetchLike = defaultFetch): Promise<WebSession | null> {
  const response = await fetchImpl(SESSION_PATH, {
    method: 'GET',
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  });
  if (response.status === 401) {
    return null;
  }
  if (!response.ok) {
    throw new Error(`session: HTTP ${response.status}`);
  }
  return (await response.json()) as WebSession;
}

export function retryAfterSeconds(header: string | null, now: number = Date.now()): number {
  if (!header) {
    return 60;
  }
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return Math.ceil(seconds);
  }
  const date = Date.parse(header);
  if (!Number.isNaN(date)) {
    return Math.max(0, Math.ceil((date - now) / 1000));
  }
  return 60;
}

export async function signIn(username: string, password: string, fetchImpl: FetchLike = defaultFetch): Promise<WebSession> {
  let response: Response;
  try {
    response = await fetchImpl(SESSION_PATH, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: username.trim(), password }),
    });
  } catch {
    throw new SignInError({ kind: 'network' });
  }
  if (response.status === 401) {
    throw new SignInError({ kind: 'invalid-credentials' });
  }
  if (response.status === 429) {
    throw new SignInError({ kind: 'rate-limited', retryAfterSeconds: retryAfterSeconds(response.headers.get('Retry-After')) });
  }
  if (!response.ok) {
    throw new SignInError({ kind: 'network' });
  }
  return (await response.json()) as WebSession;
}

export async function signOut(csrfToken: string, fetchImpl: FetchLike = defaultFetch): Promise<void> {
  await fetchImpl(SESSION_PATH, {
    method: 'DELETE',
    credentials: 'same-origin',
    headers: { [CSRF_HEADER]: csrfToken },
  });
}
