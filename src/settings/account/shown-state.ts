import type { StoredPreferences } from './service.ts';

/** The parts of the preferences block that show what the preferences make of things (views/settings/account/preferences-shown.eta). */
export type ShownPart = 'language' | 'zone' | 'example' | 'stack';

/**
 * What a preferences block was rendered from, as one hidden field's value: the saved language,
 * zone, clock, date format and stack-trace order. The block sends it with each save, so the answer
 * can tell which of its parts already show the saved choice, whichever tab or save changed it since.
 */
export function shownStateOf(preferences: StoredPreferences): string {
  return [preferences.language, preferences.timeZone, preferences.clock24h ? '24' : '12', preferences.dateFormat, preferences.stackTraceOrder].join('|');
}

/**
 * The parts a block that shows `shown` must have swapped in to show `saved`, in the block's order;
 * none when it shows them already. null when `shown` is not what `shownStateOf` writes (every part is answered).
 */
export function partsToSwap(shown: string, saved: StoredPreferences): ShownPart[] | null {
  if (shown === shownStateOf(saved)) return [];
  const fields = shown.split('|');
  if (fields.length !== 5) return null;
  const [language, zone, clock, dateFormat, stackTraceOrder] = fields;
  const languageMoved = language !== saved.language;
  const zoneMoved = zone !== saved.timeZone;
  const parts: ShownPart[] = [];
  if (languageMoved) parts.push('language');
  if (zoneMoved) parts.push('zone');
  // The example time is written in the saved zone, clock, date format and language.
  if (languageMoved || zoneMoved || clock !== (saved.clock24h ? '24' : '12') || dateFormat !== saved.dateFormat) parts.push('example');
  if (stackTraceOrder !== saved.stackTraceOrder) parts.push('stack');
  return parts;
}
