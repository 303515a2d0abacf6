import i18next, { type TFunction } from 'i18next';
import { languages, type Language } from '../lib/languages.ts';
import { listProjectFiles, readProjectText } from '../runtime/project-files.ts';

const localesFolder = 'src/web/locales';

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
  const folder = `${localesFolder}/${language}`;
  const catalogue: Catalogue = {};
  for (const file of listProjectFiles(folder).filter((name) => name.endsWith('.json') && !name.includes('/'))) {
    mergeInto(catalogue, JSON.parse(readProjectText(`${folder}/${file}`)) as Catalogue, `${language}/${file}`);
  }
  return catalogue;
}

/**
 * How Dials sets up i18next: English, the fallback, read at start; each other language's catalogue
 * is read when a translator for it is first asked for (translatorFor), not at every start.
 */
export const i18nextSettings = {
  initAsync: false,
  resources: { en: { translation: readCatalogue('en') } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...languages],
  // Templates escape every value they print, so escaping here too would show "&amp;" to people.
  interpolation: { escapeValue: false },
  returnNull: false,
} as const;

const instance = i18next.createInstance();
void instance.init(i18nextSettings);

/** Option names that change which text i18next picks (plurals, context, language) or how: those calls go to i18next. */
const selectingOptions = new Set(['count', 'context', 'lng', 'lngs', 'ns', 'defaultValue', 'returnObjects', 'joinArrays', 'ordinal', 'interpolation', 'keySeparator', 'nsSeparator', 'postProcess', 'replace']);

/**
 * A text with `{{name}}` markers, split once into literal parts and names (odd indexes), or null when
 * it uses more than plain substitution (nesting, formats, paths): such texts are left to i18next.
 */
function splitMarkers(text: string): string[] | null {
  const parts = text.split(/\{\{([^{}]*)\}\}/);
  for (let index = 1; index < parts.length; index += 2) {
    const name = parts[index] ?? '';
    if (!/^\s*[A-Za-z_][A-Za-z0-9_]*\s*$/.test(name)) return null;
    parts[index] = name.trim();
  }
  return text.includes('$t(') ? null : parts;
}

/**
 * A key looked up without options always gives the same text, so each is looked up once per language;
 * a key with plain values is split once and filled in here. i18next's t() costs microseconds, and with
 * values many more (it builds its interpolation regular expressions on every call).
 */
function remembering(t: TFunction): TFunction {
  const known = new Map<string, string>();
  const splitTexts = new Map<string, string[] | null>();
  const translate = t as unknown as (...args: unknown[]) => string;
  const textOf = (key: string): string => {
    let text = known.get(key);
    if (text === undefined) {
      text = t(key);
      known.set(key, text);
    }
    return text;
  };
  const filledIn = (key: string, values: Record<string, unknown>): string | null => {
    for (const name in values) if (selectingOptions.has(name)) return null;
    let parts = splitTexts.get(key);
    if (parts === undefined) {
      parts = splitMarkers(textOf(key));
      splitTexts.set(key, parts);
    }
    if (parts === null) return null;
    let text = parts[0] ?? '';
    for (let index = 1; index < parts.length; index += 2) {
      const value = values[parts[index] ?? ''];
      if (value === undefined || value === null || typeof value === 'object') return null;
      text += String(value) + (parts[index + 1] ?? '');
    }
    return text;
  };
  // Named parameters rather than ...rest: a page makes dozens of lookups, and each rest array is garbage.
  return ((key: unknown, options?: unknown, more?: unknown) => {
    if (more !== undefined || typeof key !== 'string') return translate(key, options, more);
    if (options === undefined) return textOf(key);
    if (typeof options === 'object' && options !== null) {
      const text = filledIn(key, options as Record<string, unknown>);
      if (text !== null) return text;
    }
    return translate(key, options);
  }) as unknown as TFunction;
}

const translators = new Map<Language, TFunction>();

/** The translator of a language (English for one Dials does not have), its catalogue read on first use. */
export function translatorFor(language: Language): TFunction {
  let translator = translators.get(language);
  if (translator === undefined) {
    if (!languages.includes(language)) return translatorFor('en');
    if (!instance.hasResourceBundle(language, 'translation')) instance.addResourceBundle(language, 'translation', readCatalogue(language));
    translator = remembering(instance.getFixedT(language));
    translators.set(language, translator);
  }
  return translator;
}

export function hasTranslation(key: string, count?: number): boolean {
  return instance.exists(key, count === undefined ? { lng: 'en' } : { lng: 'en', count });
}
