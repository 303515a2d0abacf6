import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import { languages, type Language } from '../lib/languages.ts';

const localesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'locales');

export function readCatalogue(language: Language): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(localesDir, `${language}.json`), 'utf8')) as Record<string, unknown>;
}

const instance = i18next.createInstance();
void instance.init({
  initAsync: false,
  resources: Object.fromEntries(languages.map((language) => [language, { translation: readCatalogue(language) }])),
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...languages],
  // Templates escape every value they print, so escaping here too would show "&amp;" to people.
  interpolation: { escapeValue: false },
  returnNull: false,
});

const translators = new Map<Language, TFunction>(languages.map((language) => [language, instance.getFixedT(language)]));

export function translatorFor(language: Language): TFunction {
  return translators.get(language) ?? (translators.get('en') as TFunction);
}

export function hasTranslation(key: string): boolean {
  return instance.exists(key, { lng: 'en' });
}
