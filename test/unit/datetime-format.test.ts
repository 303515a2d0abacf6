import { describe, expect, it } from 'vitest';
import { formatDate, formatTimestamp } from '../../src/lib/datetime-format.ts';

const evening = new Date('2026-11-25T20:05:00Z');

describe('formatTimestamp', () => {
  it.each([
    ['us', false, 'UTC', '11/25/2026 8:05 PM UTC'],
    ['international', false, 'UTC', '25/11/2026 8:05 PM UTC'],
    ['iso', true, 'UTC', '2026-11-25 20:05 UTC'],
    ['iso', true, 'Asia/Tokyo', '2026-11-26 05:05 GMT+9'],
    ['us', false, 'America/Los_Angeles', '11/25/2026 12:05 PM PST'],
  ] as const)('%s, 24 h %s, %s', (dateFormat, clock24h, timeZone, expected) => {
    expect(formatTimestamp(evening, { language: 'en', timeZone, clock24h, dateFormat })).toBe(expected);
  });

  it('shows midnight as 12 AM on the 12-hour clock and 00 on the 24-hour clock', () => {
    const midnight = new Date('2026-01-01T00:30:00Z');
    expect(formatTimestamp(midnight, { language: 'en', timeZone: 'UTC', clock24h: false, dateFormat: 'iso' })).toBe('2026-01-01 12:30 AM UTC');
    expect(formatTimestamp(midnight, { language: 'en', timeZone: 'UTC', clock24h: true, dateFormat: 'iso' })).toBe('2026-01-01 00:30 UTC');
  });

  it('follows daylight saving time in the chosen zone', () => {
    const summer = new Date('2026-07-01T12:00:00Z');
    expect(formatTimestamp(summer, { language: 'en', timeZone: 'Europe/Berlin', clock24h: true, dateFormat: 'iso' })).toBe('2026-07-01 14:00 GMT+2');
  });

  it('names the zone in the person\'s language', () => {
    expect(formatTimestamp(evening, { language: 'de', timeZone: 'Europe/Berlin', clock24h: true, dateFormat: 'international' })).toBe('25/11/2026 21:05 MEZ');
  });

  it('gives the date alone in the zone, which may be another day', () => {
    expect(formatDate(evening, { language: 'en', timeZone: 'Pacific/Auckland', clock24h: true, dateFormat: 'us' })).toBe('11/26/2026');
  });
});
