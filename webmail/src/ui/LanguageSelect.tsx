import { LANGUAGES, type Lang } from '../i18n';
import { useI18n } from './i18nContext';

const NAMES: Record<Lang, string> = { en: 'English', it: 'Italiano' };

export function LanguageSelect({ id }: { id: string }) {
  const { lang, t, setLang } = useI18n();
  return (
    <span class="language">
      <label class="visually-hidden" for={id}>
        {t('language')}
      </label>
      <select id={id} value={lang} onChange={(event) => setLang((event.currentTarget as HTMLSelectElement).value as Lang)}>
        {LANGUAGES.map((code) => (
          <option key={code} value={code} lang={code}>
            {NAMES[code]}
          </option>
        ))}
      </select>
    </span>
  );
}
