import { getTimeZones, rawTimeZones } from '@vvo/tzdb';
import type { Language } from './languages.ts';

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

// The list @vvo/tzdb keeps current, read once from its data (no formatter is made at start: that
// took 60 ms); "Etc/UTC" is offered (and saved) as plain "UTC", with every name UTC goes by.
const utc: Entry = {
  name: 'UTC',
  group: ['Etc/UTC', 'Etc/UCT', 'Etc/Universal', 'Etc/Zulu', 'UCT', 'UTC', 'Universal', 'Zulu', 'Etc/GMT', 'Etc/GMT+0', 'Etc/GMT-0', 'Etc/GMT0', 'Etc/Greenwich', 'GMT', 'GMT+0', 'GMT-0', 'GMT0', 'Greenwich'],
  countryCode: '',
  countryName: '',
  alternativeName: 'Coordinated Universal Time (UTC)',
  abbreviations: ['UTC'],
  cities: [],
};
const entries: Entry[] = [
  ...rawTimeZones.map((zone) => ({
    name: zone.name,
    group: zone.group,
    countryCode: zone.countryCode,
    countryName: zone.countryName,
    alternativeName: zone.alternativeName,
    abbreviations: [zone.abbreviation, zone.dstAbbreviation ?? ''].filter(Boolean),
    cities: zone.mainCities.filter(Boolean),
  })),
  utc,
];

/** Every name a zone was ever known by (its group), mapped to the current name it is shown and saved as. */
const currentNames = new Map<string, string>(entries.flatMap((entry) => [[entry.name, entry.name] as const, ...entry.group.map((name) => [name, entry.name] as const)]));

let listedNames: Set<string> | null = null;
/** The zone names the runtime lists, read once, when first needed (reading them took a few milliseconds of every start). */
const listed = (): Set<string> => (listedNames ??= new Set(['UTC', ...Intl.supportedValuesOf('timeZone')]));
/** Every zone name the runtime lists, sorted. */
export const timeZoneNames = (): readonly string[] => [...listed()].sort();
/** Other names (the list's aliases, a zone newer than the list) the runtime was asked about, with its answer. */
const askedNames = new Map<string, boolean>();

/**
 * Accepts current zones and their IANA aliases (e.g. "Europe/Kiev") that this runtime's time-zone
 * data knows, nothing else: a zone it did not know would fail every time it is shown.
 */
export function isTimeZone(value: string): boolean {
  if (listed().has(value)) return true;
  const asked = askedNames.get(value);
  if (asked !== undefined) return asked;
  if (value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return false;
  let accepted: boolean;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    accepted = true;
  } catch {
    accepted = false;
  }
  // Only names of the list are remembered: anything else a client sends is asked about again.
  if (currentNames.has(value)) askedNames.set(value, accepted);
  return accepted;
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

/** "UTC+05:30" for an offset in minutes. */
function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const absolute = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(absolute / 60)).padStart(2, '0')}:${String(absolute % 60).padStart(2, '0')}`;
}

/**
 * Each zone's offset from UTC at a moment, by its name. @vvo/tzdb keeps one formatter per zone for
 * this; a second set of our own cost about 13 MB of memory, so its figures are used.
 */
function offsetsAt(at: Date): Map<string, number> {
  return new Map(getTimeZones({ includeUtc: true, date: at }).map((zone) => [zone.name === 'Etc/UTC' ? 'UTC' : zone.name, zone.currentTimeOffsetInMinutes]));
}

/** "UTC+05:30" for a zone outside the list (an alias saved long ago), made when asked. */
function offsetOf(zone: string, at: Date): string {
  const gmt = new Intl.DateTimeFormat('en', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(at).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  return gmt === 'GMT' ? 'UTC+00:00' : gmt.replace('GMT', 'UTC');
}

function genericName(entry: Entry, language: Language): string {
  if (language === 'en' || entry.name === 'UTC') return entry.alternativeName;
  let part: string | undefined;
  try {
    part = new Intl.DateTimeFormat(language, { timeZone: entry.name, timeZoneName: 'longGeneric' })
      .formatToParts(new Date())
      .find((item) => item.type === 'timeZoneName')?.value;
  } catch {
    // A zone newer than this runtime's time-zone data: it is left out of the list (no offset) anyway.
  }
  return part && !part.startsWith('GMT') ? part : entry.alternativeName;
}

interface StaticPart {
  entry: Entry;
  label: string;
  detail: string;
  words: string;
}

const countryNames = new Map<Language, Intl.DisplayNames>();
/**
 * The parts of a choice that do not change with the clock, made the first time a zone is shown in a
 * language: the generic names of another language than English load that language's zone names into
 * ICU (about 10 MB each), which an instance whose people all read English never needs.
 */
const staticParts = new Map<string, StaticPart>();
function staticPartOf(entry: Entry, language: Language): StaticPart {
  const key = `${language}\0${entry.name}`;
  let part = staticParts.get(key);
  if (part) return part;
  let countries = countryNames.get(language);
  if (!countries) {
    countries = new Intl.DisplayNames([language], { type: 'region' });
    countryNames.set(language, countries);
  }
  const country = entry.countryCode ? (countries.of(entry.countryCode) ?? entry.countryName) : '';
  const generic = genericName(entry, language);
  const place = country ? `${country}: ${entry.cities.join(', ')}` : '';
  part = {
    entry,
    label: entry.name.replaceAll('_', ' '),
    detail: [generic, place].filter(Boolean).join(' · '),
    words: [entry.name, ...entry.group, ...entry.cities, country, entry.countryName, generic, entry.alternativeName, ...entry.abbreviations].join(' '),
  };
  staticParts.set(key, part);
  return part;
}

function choiceOf({ entry, label, detail, words }: StaticPart, offset: string): TimeZoneChoice {
  const [, sign = '+', hours = '00', minutes = '00'] = /([+-])(\d\d):(\d\d)/.exec(offset) ?? [];
  const short = `${sign}${Number(hours)}${minutes === '00' ? '' : `:${minutes}`}`;
  const search = [...new Set(searchable(`${words} ${offset} ${offset.slice(3)} utc${short} gmt${short}`).split(/\s+/).filter(Boolean))].join(' ');
  return { name: entry.name, label, offset, detail, search };
}

/** The offsets of the current hour, shared by every language's list. */
let hourlyOffsets: { hour: number; minutes: Map<string, number> } | null = null;

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
  if (hourlyOffsets?.hour !== hour) hourlyOffsets = { hour, minutes: offsetsAt(at) };
  const offsets = hourlyOffsets.minutes;
  // A zone this runtime's time-zone data does not know yet has no offset, and is not offered.
  const choices = entries.flatMap((entry) => {
    const known = offsets.get(entry.name);
    return known === undefined ? [] : [choiceOf(staticPartOf(entry, language), formatOffset(known))];
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

const entriesByName = new Map(entries.map((entry) => [entry.name, entry]));
const shownZones = new Map<string, { hour: number; choice: TimeZoneChoice }>();

/**
 * How a saved zone is shown: by its current name, with its offset and cities. Every account page
 * shows one, so it is made alone (not the whole list) and kept for the hour.
 */
export function describeTimeZone(zone: string, language: Language, now = Date.now()): TimeZoneChoice {
  const hour = Math.floor(now / 3_600_000);
  const name = currentTimeZoneName(zone);
  const listed = listings.get(language);
  const inList = listed?.hour === hour ? listed.byName.get(name) : undefined;
  if (inList) return inList;
  const key = `${language}\0${zone}`;
  const shown = shownZones.get(key);
  if (shown?.hour === hour) return shown.choice;
  const entry = entriesByName.get(name);
  const at = new Date(hour * 3_600_000);
  const offset = isTimeZone(name) ? offsetOf(name, at) : isTimeZone(zone) ? offsetOf(zone, at) : '';
  const choice = entry && offset
    ? choiceOf(staticPartOf(entry, language), offset)
    : { name: zone, label: zone.replaceAll('_', ' '), offset, detail: '', search: searchable(zone) };
  // Saved zones are few (each person has one), but a bound keeps a flood of odd values harmless.
  if (shownZones.size >= 10_000) shownZones.clear();
  shownZones.set(key, { hour, choice });
  return choice;
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
