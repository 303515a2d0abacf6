import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { accountSettings } from '../../src/settings/account/tables.ts';
import { BrowserSession, signUp } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { shownText } from '../support/html-text.ts';

let t: TestApp;
let ada: BrowserSession;
beforeEach(async () => {
  t = await createTestApp();
  ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace', timezone: 'Europe/Berlin' });
});
afterEach(async () => {
  await t.close();
});

const savedZone = async () => {
  const id = (await t.db.select().from(users).where(eq(users.email, 'ada@example.com')).get())?.id ?? -1;
  return (await t.db.select().from(accountSettings).where(eq(accountSettings.userId, id)).get())?.timezone;
};
const preferences = { stackTraceOrder: 'default', language: 'en', dateFormat: 'us', theme: 'system' };

describe('the time-zone field of the account page', () => {
  it('carries only the chosen zone, by its current name with offset and cities, not the whole list', async () => {
    const page = await ada.get('/settings/account');
    // The offset is the one in force today: +01:00 in winter, +02:00 in summer.
    expect(page.body).toMatch(/value="Europe\/Berlin \(UTC\+0[12]:00\)"/);
    expect(page.body).toContain('Central European Time · Germany: Berlin, Hamburg, Munich, Köln');
    expect(page.body).toContain('role="combobox"');
    expect(page.body).toContain('<input type="hidden" name="timezone" value="Europe/Berlin"');
    expect(page.body).not.toContain('<option>Africa/Abidjan</option>');
    expect(page.body.match(/<option/g)?.length ?? 0).toBeLessThan(10);
    expect(Buffer.byteLength(page.body)).toBeLessThan(12_000);
  });

  it('shows a saved legacy alias by its current name and keeps it working', async () => {
    await ada.post('/settings/account/preferences', { ...preferences, timezone: 'Asia/Calcutta' }, { htmx: true });
    expect(await savedZone()).toBe('Asia/Calcutta');
    const page = await ada.get('/settings/account');
    expect(page.body).toContain('value="Asia/Kolkata (UTC+05:30)"');
    expect(page.body).not.toMatch(/value="Asia\/Calcutta \(/);
    expect(page.body).toMatch(/data-example-time>03\/10\/2026 7:35 PM GMT\+5:30</);
  });
});

describe('the list the picker searches', () => {
  it('names zones as they are called today, with cities, offsets and spaces for underscores', async () => {
    const response = await ada.get('/settings/account/time-zones.json?lang=en');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const zones = JSON.parse(response.body) as Array<{ name: string; label: string; offset: string; detail: string; search: string }>;
    const names = zones.map((zone) => zone.name);
    expect(names).toEqual(expect.arrayContaining(['Asia/Kolkata', 'Europe/Kyiv', 'Asia/Ho_Chi_Minh', 'Europe/Berlin', 'UTC']));
    expect(names).not.toContain('Asia/Calcutta');
    expect(names).not.toContain('Europe/Kiev');
    expect(zones.find((zone) => zone.name === 'Asia/Ho_Chi_Minh')?.label).toBe('Asia/Ho Chi Minh');
    expect(zones.find((zone) => zone.name === 'Asia/Kolkata')).toMatchObject({ offset: 'UTC+05:30', detail: expect.stringContaining('Mumbai') });
    // An old name still finds the zone.
    expect(zones.find((zone) => zone.name === 'Europe/Kyiv')?.search).toContain('kiev');
  });

  it('speaks the language asked for', async () => {
    const zones = JSON.parse((await ada.get('/settings/account/time-zones.json?lang=de')).body) as Array<{ name: string; detail: string }>;
    expect(zones.find((zone) => zone.name === 'Europe/Berlin')?.detail).toContain('Deutschland');
  });

  it('is only for people who are logged in', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/settings/account/time-zones.json' });
    expect(response.statusCode).toBe(303);
  });
});

describe('choosing a zone without JavaScript', () => {
  it('finds zones by city and saves the one chosen', async () => {
    const found = await ada.get('/settings/account/time-zone?q=kolkata');
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('value="Asia/Kolkata"');
    expect(found.body).not.toContain('value="Europe/Berlin"');
    const saved = await ada.post('/settings/account/time-zone', { timezone: 'Asia/Kolkata', q: 'kolkata' });
    expect(saved.statusCode).toBe(303);
    expect(saved.headers.location).toBe('/settings/account#pref-timezone-field');
    expect(await savedZone()).toBe('Asia/Kolkata');
    const page = await ada.get('/settings/account');
    expect(page.body).toContain('Saved.');
    expect(page.body).toContain('value="Asia/Kolkata (UTC+05:30)"');
  });

  it('finds zones by country, by an old name and by offset', async () => {
    expect((await ada.get('/settings/account/time-zone?q=Ukraine')).body).toContain('value="Europe/Kyiv"');
    expect((await ada.get('/settings/account/time-zone?q=Kiev')).body).toContain('value="Europe/Kyiv"');
    expect((await ada.get('/settings/account/time-zone?q=%2B5%3A30')).body).toContain('value="Asia/Kolkata"');
  });

  it('says so when nothing matches', async () => {
    const page = await ada.get('/settings/account/time-zone?q=Atlantis');
    expect(page.statusCode).toBe(200);
    expect(shownText(page.body)).toContain('No time zone matches “Atlantis”');
  });

  it('asks for a choice when none was made, and saves nothing', async () => {
    const response = await ada.post('/settings/account/time-zone', { q: 'Berlin' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Choose a time zone from the list.');
    expect(response.body).toContain('value="Europe/Berlin"');
    expect(await savedZone()).toBe('Europe/Berlin');
  });

  it('saves the zone chosen whatever the length of the search it came from', async () => {
    const saved = await ada.post('/settings/account/time-zone', { timezone: 'Asia/Tokyo', q: 'a'.repeat(500) });
    expect(saved.statusCode).toBe(303);
    expect(await savedZone()).toBe('Asia/Tokyo');
  });

  it('refuses a zone that does not exist and anything else posted along', async () => {
    expect((await ada.post('/settings/account/time-zone', { timezone: 'Mars/Olympus_Mons' })).statusCode).toBe(422);
    expect((await ada.post('/settings/account/time-zone', { timezone: 'Asia/Tokyo', language: 'de' })).statusCode).toBe(422);
    expect(await savedZone()).toBe('Europe/Berlin');
  });
});
