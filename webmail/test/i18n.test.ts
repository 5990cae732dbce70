import { describe, expect, it } from 'vitest';
import { detectLanguage, formatFullDate, formatListDate, formatSize, mailboxLabel, translator } from '../src/i18n';

describe('language', () => {
  it('prefers the stored choice, then the browser languages, then English', () => {
    expect(detectLanguage(['it-IT', 'en'], null)).toBe('it');
    expect(detectLanguage(['de-DE', 'it'], null)).toBe('it');
    expect(detectLanguage(['de-DE'], null)).toBe('en');
    expect(detectLanguage(['it-IT'], 'en')).toBe('en');
    expect(detectLanguage(['en'], 'fr')).toBe('en');
  });

  it('translates with parameters and keeps unknown placeholders', () => {
    expect(translator('it')('unreadCount', { count: 3 })).toBe('3 da leggere');
    expect(translator('en')('rateLimited', { seconds: 30 })).toBe('Too many attempts. Try again in 30 seconds.');
    expect(translator('en')('rateLimited')).toBe('Too many attempts. Try again in {seconds} seconds.');
  });

  it('names role mailboxes in the UI language', () => {
    expect(mailboxLabel(translator('it'), { name: 'INBOX', role: 'inbox' })).toBe('Posta in arrivo');
    expect(mailboxLabel(translator('en'), { name: 'Trash', role: 'trash' })).toBe('Trash');
    expect(mailboxLabel(translator('it'), { name: 'Fatture', role: null })).toBe('Fatture');
  });
});

describe('dates and sizes', () => {
  const now = new Date('2026-11-28T15:00:00Z');
  it('shows the time today, day and month this year, the year before', () => {
    expect(formatListDate('2026-11-28T09:05:00Z', 'en', now, 'UTC')).toBe('09:05');
    expect(formatListDate('2026-03-02T09:05:00Z', 'en', now, 'UTC')).toBe('2 Mar');
    expect(formatListDate('2026-03-02T09:05:00Z', 'it', now, 'UTC')).toBe('2 mar');
    expect(formatListDate('2025-03-02T09:05:00Z', 'en', now, 'UTC')).toBe('2 Mar 2025');
    expect(formatListDate('garbage', 'en', now, 'UTC')).toBe('');
  });

  it('writes full dates in the language', () => {
    expect(formatFullDate('2026-11-28T09:05:00Z', 'it', 'UTC')).toContain('28 nov 2026');
    expect(formatFullDate(null, 'en')).toBe('');
  });

  it('writes sizes', () => {
    expect(formatSize(512, 'en')).toBe('512 B');
    expect(formatSize(2048, 'en')).toBe('2 KB');
    expect(formatSize(1572864, 'it')).toBe('1,5 MB');
  });
});
