import { describe, expect, it } from 'vitest';
import { currentTimeZoneName, describeTimeZone, isTimeZone, searchTimeZones, timeZoneChoices } from '../../src/lib/timezones.ts';

describe('time zones', () => {
  it('accepts current names and their old aliases, and nothing else', () => {
    for (const zone of ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'Asia/Calcutta', 'Europe/Kyiv', 'Europe/Kiev', 'Asia/Saigon']) expect(isTimeZone(zone), zone).toBe(true);
    for (const zone of ['', 'Mars/Olympus_Mons', 'Europe/Berlin; drop table', 'x'.repeat(65)]) expect(isTimeZone(zone), zone).toBe(false);
  });

  it('names an alias by its current name', () => {
    expect(currentTimeZoneName('Asia/Calcutta')).toBe('Asia/Kolkata');
    expect(currentTimeZoneName('Europe/Kiev')).toBe('Europe/Kyiv');
    expect(currentTimeZoneName('Asia/Saigon')).toBe('Asia/Ho_Chi_Minh');
    expect(describeTimeZone('Europe/Kiev', 'en')).toMatchObject({ name: 'Europe/Kyiv', label: 'Europe/Kyiv' });
  });

  it('offers each zone once, by its current name, with spaces for underscores and the offset now', () => {
    const { choices } = timeZoneChoices('en');
    const names = choices.map((choice) => choice.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain('Asia/Calcutta');
    expect(choices.find((choice) => choice.name === 'America/New_York')?.label).toBe('America/New York');
    expect(choices.find((choice) => choice.name === 'Asia/Kathmandu')?.offset).toBe('UTC+05:45');
  });

  it('gives each zone its offset of the hour asked for, daylight saving time included, in every language', () => {
    const winter = Date.UTC(2026, 0, 15, 12);
    const summer = Date.UTC(2026, 6, 15, 12);
    const offsetIn = (language: 'en' | 'de' | 'fr', now: number, zone: string) => timeZoneChoices(language, now).byName.get(zone)?.offset;
    for (const language of ['en', 'de', 'fr'] as const) {
      expect(offsetIn(language, winter, 'Europe/Berlin')).toBe('UTC+01:00');
      expect(offsetIn(language, summer, 'Europe/Berlin')).toBe('UTC+02:00');
      expect(offsetIn(language, winter, 'America/St_Johns')).toBe('UTC-03:30');
      expect(offsetIn(language, summer, 'America/St_Johns')).toBe('UTC-02:30');
      expect(offsetIn(language, summer, 'Asia/Kolkata')).toBe('UTC+05:30');
      expect(offsetIn(language, summer, 'UTC')).toBe('UTC+00:00');
    }
    expect(timeZoneChoices('de', winter).byName.get('Europe/Berlin')?.detail).toMatch(/Mitteleuropäische/);
  });

  it('describes a saved zone as the list would, for the hour asked, without the list being made first', () => {
    const summer = Date.UTC(2027, 6, 1, 9);
    const winter = Date.UTC(2027, 0, 1, 9);
    expect(describeTimeZone('Europe/Kiev', 'fr', summer)).toMatchObject({ name: 'Europe/Kyiv', offset: 'UTC+03:00' });
    expect(describeTimeZone('Europe/Kiev', 'fr', winter)).toMatchObject({ name: 'Europe/Kyiv', offset: 'UTC+02:00' });
    for (const [zone, now] of [['America/New_York', summer], ['Asia/Calcutta', winter], ['UTC', summer]] as const) {
      const alone = describeTimeZone(zone, 'de', now);
      expect(alone).toEqual(timeZoneChoices('de', now).byName.get(currentTimeZoneName(zone)));
      expect(describeTimeZone(zone, 'de', now)).toEqual(alone);
    }
    expect(describeTimeZone('Etc/GMT+5', 'en', summer)).toMatchObject({ name: 'Etc/GMT+5', offset: 'UTC-05:00' });
  });

  it('finds what people type first: a city, an old name, a country, an offset', () => {
    expect(searchTimeZones('Berlin', 'en')[0]?.name).toBe('Europe/Berlin');
    expect(searchTimeZones('ho chi', 'en')[0]?.name).toBe('Asia/Ho_Chi_Minh');
    expect(searchTimeZones('calcutta', 'en')[0]?.name).toBe('Asia/Kolkata');
    expect(searchTimeZones('Köln', 'en')[0]?.name).toBe('Europe/Berlin');
    expect(searchTimeZones('koln', 'en')[0]?.name).toBe('Europe/Berlin');
    expect(searchTimeZones('Allemagne', 'fr')[0]?.name).toBe('Europe/Berlin');
    expect(searchTimeZones('+5:45', 'en').map((choice) => choice.name)).toContain('Asia/Kathmandu');
    expect(searchTimeZones('Atlantis', 'en')).toEqual([]);
    expect(searchTimeZones('', 'en')).toHaveLength(timeZoneChoices('en').choices.length);
  });
});

describe('time-zone search ranking', () => {
  it('puts zones named after what was typed before zones that only mention it', () => {
    expect(searchTimeZones('new', 'en')[0]?.name).toBe('America/New_York');
    expect(searchTimeZones('america', 'en')[0]?.name.startsWith('America/')).toBe(true);
  });
});
