import { describe, expect, it } from 'vitest';
import { languageFromAcceptHeader } from '../../src/lib/languages.ts';
import { isTimeZone, timeZoneNames } from '../../src/lib/timezones.ts';

describe('languageFromAcceptHeader', () => {
  it.each([
    [undefined, 'en'],
    ['de-DE,de;q=0.9,en;q=0.8', 'de'],
    ['es-ES,fr;q=0.7,en;q=0.5', 'fr'],
    ['en;q=0.2,fr;q=0.9', 'fr'],
    ['zh-CN', 'en'],
    ['de;q=0', 'en'],
  ])('%s -> %s', (header, expected) => {
    expect(languageFromAcceptHeader(header)).toBe(expected);
  });
});

describe('time zones', () => {
  it('lists every IANA zone the runtime knows, UTC included', () => {
    const timeZones = timeZoneNames();
    expect(timeZones.length).toBeGreaterThan(300);
    expect(timeZones).toContain('UTC');
    expect(timeZones).toContain('Europe/Berlin');
    expect(timeZones).toContain('Asia/Tokyo');
    expect(timeZones).toContain('Pacific/Chatham');
  });

  it.each([
    ['Europe/Berlin', true],
    ['Europe/Kiev', true],
    ['Etc/GMT+5', true],
    ['Mars/Olympus_Mons', false],
    ['', false],
    ['../../etc/passwd', false],
  ])('%s -> %s', (zone, valid) => {
    expect(isTimeZone(zone)).toBe(valid);
  });
});
