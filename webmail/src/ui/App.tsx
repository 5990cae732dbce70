import { useCallback, useEffect, useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { detectLanguage, translator, type Lang, type MessageKey } from '../i18n';
import { currentSession, type WebSession } from '../session';
import { I18nContext } from './i18nContext';
import { SignIn } from './SignIn';
import { Mail } from './Mail';

const LANG_KEY = 'postino.lang';

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

type Auth = { state: 'loading' } | { state: 'out'; notice: MessageKey | null } | { state: 'in'; session: WebSession };

export function App() {
  const [lang, setLangState] = useState<Lang>(() => detectLanguage(navigator.languages ?? [navigator.language], storedLanguage()));
  const t = useMemo(() => translator(lang), [lang]);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(LANG_KEY, next); // the language only: no credential is ever stored in the browser
    } catch {
      // private mode
    }
  }, []);
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });

  // before the browser paints the new strings, so that a screen reader never reads Italian text as English
  useLayoutEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('appName');
  }, [lang, t]);

  useEffect(() => {
    currentSession()
      .then((session) => setAuth(session ? { state: 'in', session } : { state: 'out', notice: null }))
      .catch(() => setAuth({ state: 'out', notice: 'networkError' }));
  }, []);

  const signedOut = useCallback((notice: MessageKey | null) => setAuth({ state: 'out', notice }), []);

  return (
    <I18nContext.Provider value={{ lang, t, setLang }}>
      {auth.state === 'loading' && (
        <main class="splash" id="main" aria-busy="true">
          <p>{t('loading')}</p>
        </main>
      )}
      {auth.state === 'out' && <SignIn notice={auth.notice} onSignedIn={(session) => setAuth({ state: 'in', session })} />}
      {auth.state === 'in' && <Mail key={auth.session.csrfToken} session={auth.session} onSignedOut={signedOut} />}
    </I18nContext.Provider>
  );
}
