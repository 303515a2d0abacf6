import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { languages } from '../../src/lib/languages.ts';
import { i18nextSettings, readCatalogue, translatorFor } from '../../src/web/i18n.ts';

/** Every text with values, filled in by Dials' translator and by a plain i18next set up the same way, must read the same. */

function leaves(catalogue: Record<string, unknown>, prefix = ''): Array<[string, string]> {
  return Object.entries(catalogue).flatMap(([key, value]): Array<[string, string]> => {
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof value === 'string' ? [[path, value]] : leaves(value as Record<string, unknown>, path);
  });
}

const reference = i18next.createInstance();
await reference.init(i18nextSettings);

describe('texts with values', () => {
  for (const language of languages) {
    it(`read the same as i18next's in ${language}`, () => {
      const t = translatorFor(language);
      const expected = reference.getFixedT(language);
      const withValues = leaves(readCatalogue(language)).filter(([, text]) => text.includes('{{'));
      expect(withValues.length).toBeGreaterThan(10);
      for (const [path, text] of withValues) {
        const key = path.replace(/_(one|other|zero|two|few|many)$/, '');
        const names = [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((match) => match[1]!);
        const values = Object.fromEntries(names.map((name) => [name, name === 'count' ? 3 : `<${name} & "x">`]));
        expect(t(key, values), path).toBe(expected(key, values));
        // Asked twice: the second answer comes from what was split and remembered.
        expect(t(key, values), path).toBe(expected(key, values));
      }
    });
  }

  it('leave what they cannot fill in plainly to i18next', () => {
    const t = translatorFor('en');
    const expected = reference.getFixedT('en');
    const key = 'emails.unconfirmedPrimary.message';
    expect(t(key, { address: 'a@example.test' })).toContain('a@example.test');
    for (const values of [{}, { address: undefined }, { address: null }, { address: { toString: () => 'x' } }, { address: 'a@b', count: 1 }, { address: 'a@b', lng: 'de' }]) {
      expect(t(key, values as Record<string, unknown>)).toBe(expected(key, values as Record<string, unknown>));
    }
    expect(t('no.such.key', { address: 'a' })).toBe(expected('no.such.key', { address: 'a' }));
    expect(t(key, { address: 12 })).toBe(expected(key, { address: 12 }));
  });
});
