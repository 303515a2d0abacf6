import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessions, users } from '../../src/auth/tables.ts';
import { accountSettings } from '../../src/settings/account/tables.ts';
import { BrowserSession, signUp } from '../support/browser-session.ts';
import { rowsOf } from '../support/platform.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
let ada: BrowserSession;
beforeEach(async () => {
  t = await createTestApp();
  ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  await ada.get('/settings/account');
});
afterEach(async () => {
  await t.close();
});

const adaRow = () => t.db.select().from(users).where(eq(users.email, 'ada@example.com')).get();
const adaSettings = async () => t.db.select().from(accountSettings).where(eq(accountSettings.userId, (await adaRow())?.id ?? -1)).get();
const endAdasSessions = async () => t.db.delete(sessions).where(eq(sessions.userId, (await adaRow())?.id ?? -1)).run();
const fromAccountPage = { 'hx-current-url': 'http://localhost/settings/account' };
const preferences = { stackTraceOrder: 'caller-first', language: 'en', timezone: 'Asia/Tokyo', dateFormat: 'iso', theme: 'dark' };

describe('an auto-save after the session has ended', () => {
  it('says the person was logged out, links to log in and come back, and saves nothing', async () => {
    const before = await adaSettings();
    await endAdasSessions();
    const response = await ada.post('/settings/account/preferences', preferences, { htmx: true, headers: fromAccountPage });
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('You were logged out, so this change was not saved.');
    expect(response.body).toContain('<a href="/login?next=%2Fsettings%2Faccount">Log in and come back to this page</a>');
    expect(response.body).not.toContain('expired');
    expect(await adaSettings()).toEqual(before);
  });

  it('answers the same when the browser no longer sends the session cookie at all', async () => {
    ada.cookies.delete('dials_session');
    const response = await ada.post('/settings/account/details', { name: 'Grace' }, { htmx: true, headers: fromAccountPage });
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('You were logged out');
    expect((await adaRow())?.name).toBe('Ada Lovelace');
  });

  it('answers the same after logging out in another tab of the same browser', async () => {
    const token = ada.csrfToken;
    await ada.post('/logout', {});
    ada.csrfToken = token;
    const response = await ada.post('/settings/account/details', { name: 'Grace' }, { htmx: true, headers: fromAccountPage });
    expect(response.statusCode).toBe(401);
    expect(response.body).toContain('You were logged out');
    expect((await adaRow())?.name).toBe('Ada Lovelace');
  });

  it('without JavaScript, sends the person to log in and back, with the reason', async () => {
    await endAdasSessions();
    const response = await ada.post('/settings/account/details', { name: 'Grace' }, { headers: { referer: 'http://localhost/settings/account' } });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2Fsettings%2Faccount');
    const login = await ada.get(String(response.headers.location));
    expect(login.body).toContain('You were logged out. Log in, then make your change again.');
    expect((await adaRow())?.name).toBe('Ada Lovelace');
  });

  it('still refuses a request from another site, logged out or not', async () => {
    await endAdasSessions();
    const response = await ada.post('/settings/account/details', { name: 'Grace' }, { htmx: true, headers: { 'sec-fetch-site': 'cross-site' } });
    expect(response.statusCode).toBe(403);
  });

  it('keeps answering a token of another live session as a forged form', async () => {
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace' });
    await grace.get('/settings/account');
    const response = await ada.post('/settings/account/details', { name: 'Mallory', _csrf: grace.csrfToken }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect((await adaRow())?.name).toBe('Ada Lovelace');
  });
});

describe('the notification blocks added with weekly reports and test messages, after the session has ended', () => {
  it('say the person was logged out and neither save a report time nor send a test', async () => {
    const fromNotifications = { 'hx-current-url': 'http://localhost/settings/notifications/weekly-reports' };
    await ada.get('/settings/notifications/weekly-reports');
    await endAdasSessions();
    for (const [path, fields] of [
      ['/settings/notifications/weekly-reports/time', { weekday: '3', hour: '7' }],
      ['/settings/notifications/build-emails/test', { from: 'type' }],
    ] as const) {
      const response = await ada.post(path, fields, { htmx: true, headers: fromNotifications });
      expect(response.statusCode, path).toBe(401);
      expect(response.body, path).toContain('You were logged out, so this change was not saved.');
    }
    expect(await rowsOf(t, 'weekly_report_times')).toEqual([]);
    expect((await rowsOf(t, 'mail_outbox')).filter((row) => String(row.subject).startsWith('[Test]'))).toEqual([]);
  });
});
