import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, setUpAdministrator } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let ada: BrowserSession;

beforeAll(async () => {
  t = await createTestApp();
  // The administrator, through the set-up link.
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
});
afterAll(async () => {
  await t.close();
});

const signedInPages = [
  '/settings/account',
  '/settings/security',
  '/settings/security/sessions',
  '/settings/security/log-out-everywhere',
  '/settings/security/two-factor/app',
  '/settings/emails',
  '/settings/notifications',
  '/settings/notifications/weekly-reports',
  '/admin/outbox',
];

describe('every page', () => {
  it.each(signedInPages)('%s starts with its h1: the settings navigation is a labelled landmark without a heading', async (path) => {
    const page = await ada.get(path);
    expect(page.statusCode).toBe(200);
    const headings = [...page.body.matchAll(/<h([1-6])\b/g)].map((match) => Number(match[1]));
    expect(headings[0]).toBe(1);
    expect(headings.filter((level) => level === 1)).toHaveLength(1);
    expect(page.body).toMatch(/<nav class="settings-nav" aria-labelledby="settings-nav-title">\s*<p class="settings-nav-title" id="settings-nav-title">Settings<\/p>/);
  });

  it.each(['/login', '/signup', '/forgot-password'])('%s starts with its h1', async (path) => {
    const page = await t.app.inject({ method: 'GET', url: path });
    const headings = [...page.body.matchAll(/<h([1-6])\b/g)].map((match) => Number(match[1]));
    expect(headings[0]).toBe(1);
  });
});

describe('the bytes of a page', () => {
  // A page held by V8 in one byte a character turns into UTF-8 twice as fast (src/web/templates.ts).
  it.each(['en', 'de', 'fr'])('in %s, holds no character beyond Latin-1: those are written as character references', async (language) => {
    await ada.get('/settings/account');
    const saved = await ada.post('/settings/account/preferences', { language, timezone: 'UTC', dateFormat: 'iso', theme: 'system', stackTraceOrder: 'default' });
    expect(saved.statusCode).toBe(303);
    for (const path of signedInPages) {
      const page = await ada.get(path);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain(`<html lang="${language}"`);
      expect([...page.body].filter((character) => character.codePointAt(0)! > 0xff), path).toEqual([]);
    }
  });
});
