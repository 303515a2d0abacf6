import { describe, expect, it } from 'vitest';
import type { StoredPreferences } from '../../src/settings/account/service.ts';
import { partsToSwap, shownStateOf } from '../../src/settings/account/shown-state.ts';

const saved: StoredPreferences = {
  language: 'en',
  timeZone: 'Europe/Berlin',
  clock24h: true,
  dateFormat: 'iso',
  theme: 'dark',
  stackTraceOrder: 'caller-last',
  avatarType: 'initials',
  avatarVersion: 0,
};

describe('what a preferences block shows', () => {
  it('is written as the language, zone, clock, date format and stack order, and leaves out what no part shows', () => {
    expect(shownStateOf(saved)).toBe('en|Europe/Berlin|24|iso|caller-last');
    expect(shownStateOf({ ...saved, theme: 'light', avatarVersion: 3 })).toBe(shownStateOf(saved));
    expect(shownStateOf({ ...saved, clock24h: false })).toBe('en|Europe/Berlin|12|iso|caller-last');
  });

  it('needs no part swapped when it shows what is saved', () => {
    expect(partsToSwap(shownStateOf(saved), saved)).toEqual([]);
  });

  it.each<[string, Partial<StoredPreferences>, string[]]>([
    ['language', { language: 'de' }, ['language', 'example']],
    ['zone', { timeZone: 'Asia/Tokyo' }, ['zone', 'example']],
    ['clock', { clock24h: false }, ['example']],
    ['date format', { dateFormat: 'us' }, ['example']],
    ['stack order', { stackTraceOrder: 'default' }, ['stack']],
    ['everything', { language: 'fr', timeZone: 'UTC', clock24h: false, dateFormat: 'us', stackTraceOrder: 'caller-first' }, ['language', 'zone', 'example', 'stack']],
  ])('swaps in the parts that show a changed %s', (_label, change, parts) => {
    expect(partsToSwap(shownStateOf(saved), { ...saved, ...change })).toEqual(parts);
  });

  it('tells a field from one that only starts or ends like it', () => {
    expect(partsToSwap('en|Europe/Berlin|24|iso|caller-lastx', saved)).toEqual(['stack']);
    expect(partsToSwap('en|Europe/Berlin|24|iso|caller', saved)).toEqual(['stack']);
    expect(partsToSwap('|Europe/Berlin|24|iso|caller-last', saved)).toEqual(['language', 'example']);
    expect(partsToSwap('en|Europe/Berlin2|24|iso|caller-last', saved)).toEqual(['zone', 'example']);
  });

  it.each(['', 'clean', 'en|Europe/Berlin|24|iso', 'en|Europe/Berlin|24|iso|caller-last|x'])('cannot tell from %j (every part is answered)', (shown) => {
    expect(partsToSwap(shown, saved)).toBeNull();
  });
});
