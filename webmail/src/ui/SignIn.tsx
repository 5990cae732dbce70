import { useEffect, useRef, useState } from 'preact/hooks';
import { SignInError, signIn, type WebSession } from '../session';
import { useI18n } from './i18nContext';
import { LanguageSelect } from './LanguageSelect';
import type { MessageKey } from '../i18n';

export function SignIn({ notice, onSignedIn }: { notice: MessageKey | null; onSignedIn: (session: WebSession) => void }) {
  const { t } = useI18n();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(notice ? t(notice) : null);
  const userField = useRef<HTMLInputElement>(null);

  useEffect(() => {
    userField.current?.focus();
  }, []);

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(username, password));
    } catch (e) {
      const failure = e instanceof SignInError ? e.failure : ({ kind: 'network' } as const);
      if (failure.kind === 'invalid-credentials') setError(t('invalidCredentials'));
      else if (failure.kind === 'rate-limited') setError(t('rateLimited', { seconds: failure.retryAfterSeconds }));
      else setError(t('networkError'));
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="signin" id="main">
      <form class="signin-form" onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <h1 id="signin-title">{t('signInTitle')}</h1>
        <label for="signin-username">{t('username')}</label>
        <input
          ref={userField}
          id="signin-username"
          name="username"
          type="email"
          autocomplete="username"
          required
          value={username}
          onInput={(event) => setUsername((event.currentTarget as HTMLInputElement).value)}
        />
        <label for="signin-password">{t('password')}</label>
        <input
          id="signin-password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          value={password}
          onInput={(event) => setPassword((event.currentTarget as HTMLInputElement).value)}
        />
        <p class="form-error" role="alert" id="signin-error">
          {error ?? ''}
        </p>
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
        <LanguageSelect id="signin-language" />
      </form>
    </main>
  );
}
