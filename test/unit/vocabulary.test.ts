import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { languages, type Language } from '../../src/lib/languages.ts';
import { readCatalogue } from '../../src/web/i18n.ts';

function strings(node: unknown, at = ''): [string, string][] {
  if (typeof node === 'string') return [[at, node]];
  if (!node || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) => strings(value, at ? `${at}.${key}` : key));
}

/**
 * One vocabulary: Dials says "log in" and "log out" (its addresses are /login and /logout),
 * in every language: "anmelden/abmelden" in German, "se connecter/se déconnecter" in French.
 */
const otherWords: Record<Language, RegExp> = {
  en: /\bsign(s|ed|ing)?[ -]?(in|out)\b/i,
  de: /\b(einlogg|auslogg|login\b|logout\b|sign)/i,
  fr: /\b(log(in|out)\b|ouvrir une session|fermer la session)/i,
};

describe('the words for logging in and out', () => {
  it.each(languages)('%s uses one pair of words everywhere', (language) => {
    const offending = strings(readCatalogue(language)).filter(([, text]) => otherWords[language].test(text));
    expect(offending).toEqual([]);
  });

  it('templates spell nothing of the kind themselves', () => {
    const views = path.resolve(import.meta.dirname, '../../views');
    const files = fs.readdirSync(views, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.eta'));
    for (const file of files) {
      const text = fs.readFileSync(path.join(views, file), 'utf8').replace(/\/sign-out\b|signOut\w*|signedOut\w*/g, '');
      expect(text, file).not.toMatch(otherWords.en);
    }
  });
});
