import { describe, expect, it } from 'vitest';
import { languages, type Language } from '../../src/lib/languages.ts';
import { readCatalogue, translatorFor } from '../../src/web/i18n.ts';

/** Flattens a nested i18next catalogue into dotted keys; non-object leaves are kept as they are. */
function flatten(catalogue: Record<string, unknown>, prefix = ''): Map<string, unknown> {
  const entries = new Map<string, unknown>();
  for (const [key, value] of Object.entries(catalogue)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [innerKey, innerValue] of flatten(value as Record<string, unknown>, path)) entries.set(innerKey, innerValue);
    } else {
      entries.set(path, value);
    }
  }
  return entries;
}

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((match) => match[1] ?? '');
}

const english = flatten(readCatalogue('en'));
const translations = languages.filter((language): language is Exclude<Language, 'en'> => language !== 'en');

/** Share of values that may be the same as English (names such as "Dials", "Avatar", format labels). */
const maxUnchangedShare = 0.15;

describe('locale catalogues', () => {
  it('English has keys to compare against', () => {
    expect(english.size).toBeGreaterThan(0);
  });

  describe.each(languages)('%s', (language) => {
    const catalogue = flatten(readCatalogue(language));

    it('has exactly the English keys', () => {
      const missing = [...english.keys()].filter((key) => !catalogue.has(key));
      const extra = [...catalogue.keys()].filter((key) => !english.has(key));
      expect({ missing, extra }, `${language}.json: missing ${missing.join(', ') || 'none'}; extra ${extra.join(', ') || 'none'}`).toEqual({
        missing: [],
        extra: [],
      });
    });

    it('has a non-empty string for every key', () => {
      const bad = [...catalogue].filter(([, value]) => typeof value !== 'string' || value.trim() === '').map(([key]) => key);
      expect(bad, `${language}.json: empty or non-string values at ${bad.join(', ')}`).toEqual([]);
    });

    it('keeps every English placeholder', () => {
      const lost: string[] = [];
      for (const [key, source] of english) {
        const value = catalogue.get(key);
        if (typeof source !== 'string' || typeof value !== 'string') continue;
        const present = new Set(placeholders(value));
        for (const name of placeholders(source)) if (!present.has(name)) lost.push(`${key} ({{${name}}})`);
      }
      expect(lost, `${language}.json: placeholders missing at ${lost.join(', ')}`).toEqual([]);
    });
  });

  describe.each(translations)('%s', (language) => {
    it('is actually translated, not a copy of English', () => {
      const catalogue = flatten(readCatalogue(language));
      const unchanged = [...english].filter(([key, source]) => catalogue.get(key) === source).map(([key]) => key);
      expect(
        unchanged.length / english.size,
        `${language}.json: ${unchanged.length} of ${english.size} values equal English: ${unchanged.join(', ')}`,
      ).toBeLessThan(maxUnchangedShare);
    });
  });

  it('serves German through i18next', () => {
    const t = translatorFor('de');
    expect(t('login.submit')).toBe('Anmelden');
    expect(t('login.submit')).not.toBe(translatorFor('en')('login.submit'));
  });

  it('serves French through i18next', () => {
    expect(translatorFor('fr')('login.submit')).toBe('Se connecter');
  });

  it('interpolates placeholders in translations', () => {
    expect(translatorFor('de')('errors.login.tooManyAttempts', { count: 5 })).toContain('5 Minuten');
    expect(translatorFor('en')('errors.login.tooManyAttempts', { count: 1 })).toContain('1 minute.');
    expect(translatorFor('fr')('errors.form.unexpectedField', { field: 'x' })).toContain('«\u00a0x\u00a0»');
  });
});
