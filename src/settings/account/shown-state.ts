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
 * none when it shows them already. null when `shown` does not have the five fields `shownStateOf`
 * writes (then the whole block is answered); a field that matches nothing saved is a part to swap in.
 */
export function partsToSwap(shown: string, saved: StoredPreferences): ShownPart[] | null {
  const values = [saved.language, saved.timeZone, saved.clock24h ? '24' : '12', saved.dateFormat, saved.stackTraceOrder];
  // Compared field by field where they stand in `shown`, without cutting it up: every save asks.
  const moved: boolean[] = [];
  let start = 0;
  for (const value of values) {
    const last = moved.length === values.length - 1;
    const end = last ? shown.length : shown.indexOf('|', start);
    if (end === -1 || (last && shown.includes('|', start))) return null;
    moved.push(end - start !== value.length || !shown.startsWith(value, start));
    start = end + 1;
  }
  const [languageMoved, zoneMoved, clockMoved, dateFormatMoved, stackMoved] = moved;
  const parts: ShownPart[] = [];
  if (languageMoved) parts.push('language');
  if (zoneMoved) parts.push('zone');
  // The example time is written in the saved zone, clock, date format and language.
  if (languageMoved || zoneMoved || clockMoved || dateFormatMoved) parts.push('example');
  if (stackMoved) parts.push('stack');
  return parts;
}
