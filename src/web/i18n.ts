import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import { languages, type Language } from '../lib/languages.ts';

const localesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'locales');

type Catalogue = { [key: string]: string | Catalogue };

function mergeInto(target: Catalogue, source: Catalogue, file: string): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (typeof value === 'object' && typeof existing === 'object') mergeInto(existing, value, file);
    else if (existing !== undefined) throw new Error(`${file}: the key "${key}" is defined twice`);
    else target[key] = value;
  }
}

/** A language's strings: every JSON file in locales/<language>/, one file per area of Dials, merged. */
export function readCatalogue(language: Language): Record<string, unknown> {
  const folder = path.join(localesDir, language);
  const catalogue: Catalogue = {};
  for (const file of fs.readdirSync(folder).filter((name) => name.endsWith('.json')).sort()) {
    mergeInto(catalogue, JSON.parse(fs.readFileSync(path.join(folder, file), 'utf8')) as Catalogue, path.join(language, file));
  }
  return catalogue;
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

/** A key looked up without options always gives the same text, so each is looked up once per language (i18next's t() costs microseconds). */
function remembering(t: TFunction): TFunction {
  const known = new Map<string, string>();
  const translate = t as unknown as (...args: unknown[]) => string;
  // Named parameters rather than ...rest: a page makes dozens of lookups, and each rest array is garbage.
  return ((key: unknown, options?: unknown, more?: unknown) => {
    if (more !== undefined) return translate(key, options, more);
    if (options !== undefined || typeof key !== 'string') return translate(key, options);
    let text = known.get(key);
    if (text === undefined) {
      text = t(key);
      known.set(key, text);
    }
    return text;
  }) as unknown as TFunction;
}

const translators = new Map<Language, TFunction>(languages.map((language) => [language, remembering(instance.getFixedT(language))]));

export function translatorFor(language: Language): TFunction {
  return translators.get(language) ?? (translators.get('en') as TFunction);
}

export function hasTranslation(key: string): boolean {
  return instance.exists(key, { lng: 'en' });
}
