import { getTimeZones } from '@vvo/tzdb';
import { languages, type Language } from './languages.ts';

/** One entry of the time-zone picker: zones that show the same time in the same country, under their current name. */
export interface TimeZoneChoice {
  /** The current IANA name, the value saved ("Asia/Kolkata", never "Asia/Calcutta"). */
  name: string;
  /** The name as people read it: "America/New York". */
  label: string;
  /** The offset from UTC right now: "UTC+05:30". */
  offset: string;
  /** Generic name, country and main cities: "India Time · India: Mumbai, Delhi, …". */
  detail: string;
  /** Lower-case text without accents that a search is matched against. */
  search: string;
}

interface Entry {
  name: string;
  group: string[];
  countryCode: string;
  countryName: string;
  alternativeName: string;
  abbreviations: string[];
  cities: string[];
}

// The list @vvo/tzdb keeps current, read once; "Etc/UTC" is offered (and saved) as plain "UTC".
const entries: Entry[] = getTimeZones({ includeUtc: true }).map((zone) => ({
  name: zone.name === 'Etc/UTC' ? 'UTC' : zone.name,
  group: zone.group,
  countryCode: zone.countryCode,
  countryName: zone.countryName,
  alternativeName: zone.alternativeName,
  abbreviations: [zone.abbreviation, zone.dstAbbreviation ?? ''].filter(Boolean),
  cities: zone.mainCities.filter(Boolean),
}));

/** Every name a zone was ever known by (its group), mapped to the current name it is shown and saved as. */
const currentNames = new Map<string, string>(entries.flatMap((entry) => [[entry.name, entry.name] as const, ...entry.group.map((name) => [name, entry.name] as const)]));

/** Every zone name the runtime accepts, computed once at start. */
export const timeZones: readonly string[] = Object.freeze(Array.from(new Set(['UTC', ...Intl.supportedValuesOf('timeZone'), ...currentNames.keys()])).sort());
const known = new Set(timeZones);

/** Accepts current zones and their IANA aliases (e.g. "Europe/Kiev"), nothing else. */
export function isTimeZone(value: string): boolean {
  if (known.has(value)) return true;
  if (value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** The name a zone goes by today: "Asia/Calcutta" → "Asia/Kolkata", "Europe/Kiev" → "Europe/Kyiv". */
export function currentTimeZoneName(zone: string): string {
  return currentNames.get(zone) ?? zone;
}

export const searchable = (text: string): string =>
  text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[_/]/g, ' ');

const offsetFormats = new Map<string, Intl.DateTimeFormat>();
/** "UTC+05:30" for the zone at this moment. */
function offsetAt(zone: string, at: Date): string {
  let format = offsetFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'longOffset' });
    offsetFormats.set(zone, format);
  }
  const gmt = format.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  return gmt === 'GMT' ? 'UTC+00:00' : gmt.replace('GMT', 'UTC');
}

function genericName(entry: Entry, language: Language): string {
  if (language === 'en' || entry.name === 'UTC') return entry.alternativeName;
  const part = new Intl.DateTimeFormat(language, { timeZone: entry.name, timeZoneName: 'longGeneric' })
    .formatToParts(new Date())
    .find((item) => item.type === 'timeZoneName')?.value;
  return part && !part.startsWith('GMT') ? part : entry.alternativeName;
}

/** The parts of a choice that do not change with the clock, per language. */
function staticPartsFor(language: Language) {
  const countries = new Intl.DisplayNames([language], { type: 'region' });
  return entries.map((entry) => {
    const country = entry.countryCode ? (countries.of(entry.countryCode) ?? entry.countryName) : '';
    const generic = genericName(entry, language);
    const place = country ? `${country}: ${entry.cities.join(', ')}` : '';
    return {
      entry,
      label: entry.name.replaceAll('_', ' '),
      detail: [generic, place].filter(Boolean).join(' · '),
      words: [entry.name, ...entry.group, ...entry.cities, country, entry.countryName, generic, entry.alternativeName, ...entry.abbreviations].join(' '),
    };
  });
}

const staticParts = new Map(languages.map((language) => [language, staticPartsFor(language)]));

interface Listing {
  hour: number;
  choices: TimeZoneChoice[];
  byName: Map<string, TimeZoneChoice>;
  json: Buffer;
}
const listings = new Map<Language, Listing>();

/**
 * The picker's list in a language, sorted by the offset from UTC right now. Offsets change with
 * daylight saving time, so the list is made again when the hour changes, not on every request.
 */
export function timeZoneChoices(language: Language, now = Date.now()): Listing {
  const hour = Math.floor(now / 3_600_000);
  const cached = listings.get(language);
  if (cached?.hour === hour) return cached;
  const at = new Date(hour * 3_600_000);
  const choices = (staticParts.get(language) ?? []).map(({ entry, label, detail, words }) => {
    const offset = offsetAt(entry.name, at);
    const [, sign = '+', hours = '00', minutes = '00'] = /([+-])(\d\d):(\d\d)/.exec(offset) ?? [];
    const short = `${sign}${Number(hours)}${minutes === '00' ? '' : `:${minutes}`}`;
    const search = [...new Set(searchable(`${words} ${offset} ${offset.slice(3)} utc${short} gmt${short}`).split(/\s+/).filter(Boolean))].join(' ');
    return { name: entry.name, label, offset, detail, search };
  });
  choices.sort((a, b) => minutesOf(a.offset) - minutesOf(b.offset) || a.label.localeCompare(b.label));
  const listing = {
    hour,
    choices,
    byName: new Map(choices.map((choice) => [choice.name, choice])),
    json: Buffer.from(JSON.stringify(choices)),
  };
  listings.set(language, listing);
  return listing;
}

function minutesOf(offset: string): number {
  const match = /([+-])(\d\d):(\d\d)/.exec(offset);
  if (!match) return 0;
  return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3]));
}

/** How a saved zone is shown: by its current name, with its offset and cities. */
export function describeTimeZone(zone: string, language: Language): TimeZoneChoice {
  const listing = timeZoneChoices(language);
  const found = listing.byName.get(currentTimeZoneName(zone));
  if (found) return found;
  const offset = isTimeZone(zone) ? offsetAt(zone, new Date()) : '';
  return { name: zone, label: zone.replaceAll('_', ' '), offset, detail: '', search: searchable(zone) };
}

/**
 * Zones matching what a person typed, every word somewhere in the zone's names, cities, country
 * or offset. First come zones whose own name starts with the words as typed, then those where a
 * city, the country or the zone's generic name does, then any name or alias, then the rest.
 * public/app.js ranks the same way in the browser.
 */
export function searchTimeZones(query: string, language: Language): TimeZoneChoice[] {
  const { choices } = timeZoneChoices(language);
  const words = searchable(query).split(/\s+/).filter(Boolean);
  if (words.length === 0) return choices;
  const phrase = ` ${words.join(' ')}`;
  const ranked: Array<{ choice: TimeZoneChoice; rank: number }> = [];
  for (const choice of choices) {
    const text = ` ${choice.search}`;
    if (!words.every((word) => text.includes(word))) continue;
    const rank = ` ${searchable(choice.label)}`.includes(phrase)
      ? 0
      : ` ${searchable(choice.detail)}`.replace(/[·:,]/g, ' ').includes(phrase)
        ? 1
        : text.includes(phrase)
          ? 2
          : 3;
    ranked.push({ choice, rank });
  }
  return ranked.sort((a, b) => a.rank - b.rank).map(({ choice }) => choice);
}
