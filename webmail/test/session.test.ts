import { describe, expect, it } from 'vitest';
import { SignInError, currentSession, retryAfterSeconds, signIn, signOut } from '../src/session';
import { fakeFetch } from './fakeFetch';

describe('session API', () => {
  it('signs in with JSON and returns the CSRF token', async () => {
    const fetch = fakeFetch(() => ({ body: { username: 'alice@example.com', csrfToken: 'tok' } }));
    const session = await signIn(' alice@example.com ', 'pw', fetch.impl);
    expect(session.csrfToken).toBe('tok');
    expect(fetch.requests[0]).toMatchObject({
      url: '/webmail/api/session',
      method: 'POST',
      body: { username: 'alice@example.com', password: 'pw' },
    });
  });

  it('tells bad credentials from rate limiting', async () => {
    const bad = fakeFetch(() => ({ status: 401, body: { error: 'invalid-credentials' } }));
    await expect(signIn('a@x.it', 'no', bad.impl)).rejects.toMatchObject({ failure: { kind: 'invalid-credentials' } });
    const limited = fakeFetch(() => ({ status: 429, body: { error: 'rate-limited' }, headers: { 'Retry-After': '42' } }));
    const error = (await signIn('a@x.it', 'no', limited.impl).catch((e: unknown) => e)) as SignInError;
    expect(error.failure).toEqual({ kind: 'rate-limited', retryAfterSeconds: 42 });
  });

  it('reports an unreachable server', async () => {
    const error = (await signIn('a@x.it', 'pw', () => Promise.reject(new TypeError('offline'))).catch((e: unknown) => e)) as SignInError;
    expect(error.failure.kind).toBe('network');
  });

  it('reads the current session or null', async () => {
    expect(await currentSession(fakeFetch(() => ({ status: 401 })).impl)).toBeNull();
    expect(await currentSession(fakeFetch(() => ({ body: { username: 'a', csrfToken: 't' } })).impl)).toEqual({ username: 'a', csrfToken: 't' });
  });

  it('signs out with the CSRF header', async () => {
    const fetch = fakeFetch(() => ({ status: 204 }));
    await signOut('tok', fetch.impl);
    expect(fetch.requests[0]).toMatchObject({ method: 'DELETE', headers: { 'x-postino-csrf': 'tok' } });
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(retryAfterSeconds('10')).toBe(10);
    expect(retryAfterSeconds(new Date(61_000).toUTCString(), 0)).toBe(61);
    expect(retryAfterSeconds(null)).toBe(60);
  });
});
