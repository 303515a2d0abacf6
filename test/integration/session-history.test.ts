import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionIdFromToken } from '../../src/auth/session-token.ts';
import { endedSessions, securityEvents, sessionEndReasons, sessions, userEmails, users } from '../../src/auth/tables.ts';
import { readCatalogue } from '../../src/web/i18n.ts';
import { languages } from '../../src/lib/languages.ts';
import { BrowserSession, logIn, signUp, strongPassword } from '../support/browser-session.ts';
import { linkIn } from '../support/mailbox.ts';
import { enrolTotp } from '../support/totp.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

const firefoxOnUbuntu = 'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const chromeOnWindows = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const pagePath = '/settings/security/sessions';
const hour = 60 * 60 * 1000;

/** A browser with its own user agent, reaching Dials from its own address (through the trusted proxy). */
class Device extends BrowserSession {
  readonly identity: Record<string, string>;

  constructor(app: FastifyInstance, userAgent: string, ipAddress: string) {
    super(app);
    this.identity = { 'user-agent': userAgent, 'x-forwarded-for': ipAddress };
  }

  override get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return super.get(url, { ...this.identity, ...headers });
  }

  override post(
    url: string,
    fields: Record<string, string | string[]>,
    options: { headers?: Record<string, string>; csrf?: boolean; htmx?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    return super.post(url, fields, { ...options, headers: { ...this.identity, ...options.headers } });
  }

  /** The id the database knows this browser's session by. */
  sessionId(): string {
    const token = this.cookies.get('dials_session');
    if (!token) throw new Error('this browser has no session');
    return sessionIdFromToken(token);
  }
}

let t: TestApp;
/** Ada's first browser: Firefox on Ubuntu at 203.0.113.9, signed up at 14:05 UTC. */
let laptop: Device;
/** Ada's second browser: Chrome on Windows at 198.51.100.7, logged in two hours later. */
let office: Device;

beforeEach(async () => {
  t = await createTestApp({ TRUST_PROXY: 'true' });
  laptop = new Device(t.app, firefoxOnUbuntu, '203.0.113.9');
  // Ada is the instance's administrator, made through its set-up link: logged in at once.
  const setupPath = new URL((await t.app.services.adminSetup.startLink()) ?? '').pathname;
  await laptop.get(setupPath);
  const signedUp = await laptop.post(setupPath, { name: 'Ada Lovelace', email: 'ada@example.com', password: strongPassword, timezone: 'UTC' });
  expect(signedUp.statusCode).toBe(303);
  t.clock.advance(2 * hour);
  office = new Device(t.app, chromeOnWindows, '198.51.100.7');
  await office.get('/login');
  const loggedIn = await office.post('/login', { email: 'ada@example.com', password: strongPassword });
  expect(loggedIn.statusCode).toBe(303);
  // Like a browser after the redirect: a page with the new session's CSRF token.
  await office.get(pagePath);
});
afterEach(async () => {
  await t.close();
});

const userId = async (email: string) => (await t.db.select().from(users).where(eq(users.email, email)).get())?.id ?? -1;
const sessionIdsOf = async (email: string) => (await t.db.select().from(sessions).where(eq(sessions.userId, await userId(email))).all()).map((row) => row.id).sort();
const revocations = () => t.db.select().from(securityEvents).where(eq(securityEvents.type, 'session.revoked')).all();
const signOutPath = (sessionId: string) => `${pagePath}/${sessionId}/log-out`;

/** The rows of one table of the page (0: live sessions, 1: ended ones), each as its HTML. */
function tableRows(html: string, table: number): string[] {
  const body = [...html.matchAll(/<tbody[^>]*>([\s\S]*?)<\/tbody>/g)][table]?.[1] ?? '';
  return body.split('<tr').slice(1);
}
const rowsOf = (html: string) => tableRows(html, 0);
const endedRowsOf = (html: string) => tableRows(html, 1);

/** Whether a browser is still signed in: the account page answers it rather than sending it to log in. */
async function stillSignedIn(browser: BrowserSession): Promise<boolean> {
  const response = await browser.get('/settings/account');
  if (response.statusCode === 200) return true;
  expect(response.statusCode).toBe(303);
  expect(response.headers.location).toMatch(/^\/login\?next=/);
  return false;
}

describe('the session history page', () => {
  it('sends a visitor without a session to log in, and back afterwards', async () => {
    const response = await t.app.inject({ method: 'GET', url: pagePath });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login?next=%2Fsettings%2Fsecurity%2Fsessions');
  });

  it('lists both sessions with their devices and addresses, and marks the one in use', async () => {
    const page = await office.get(pagePath);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<title>Sessions · Dials</title>');
    expect(page.body).toMatch(/<h1>Sessions<\/h1>/);
    expect(page.body).toMatch(/<caption[^>]*>Your sessions, most recently used first<\/caption>/);
    // Narrow screens: the table sits in a named region that the keyboard can reach and scroll.
    expect(page.body).toMatch(/<div class="table-scroll" role="region" aria-labelledby="sessions-caption" tabindex="0">/);

    const rows = rowsOf(page.body);
    expect(rows).toHaveLength(2);
    const [current, other] = rows as [string, string];
    // Most recently used first: the office browser, which is this one.
    expect(current).toContain('Chrome 126 on Windows');
    expect(current).toContain('198.51.100.7');
    expect(current).toContain('This device');
    expect(current).not.toContain('<form');
    expect(current).not.toContain('<button');

    expect(other).toContain('Firefox 128 on Ubuntu');
    expect(other).toContain('203.0.113.9');
    expect(other).not.toContain('This device');
    expect(other).toContain(`action="${signOutPath(laptop.sessionId())}"`);
    expect(other).toContain('name="_csrf"');
    // The button says which session it ends, to those who cannot see the row.
    expect(other).toMatch(/<button type="submit" class="button">Log out<span class="visually-hidden"> Firefox 128 on Ubuntu, 203\.0\.113\.9<\/span><\/button>/);

    // The current session's id is never put in the page.
    expect(page.body).not.toContain(office.sessionId());
    expect(page.body).not.toContain('This is your only session.');
  });

  it('shows first and last seen in the person\'s zone, clock and date format', async () => {
    const saved = await office.post(
      '/settings/account/preferences',
      { stackTraceOrder: 'default', language: 'en', timezone: 'Asia/Tokyo', clock24h: 'on', dateFormat: 'international', theme: 'system' },
      { htmx: true },
    );
    expect(saved.statusCode).toBe(200);
    t.clock.advance(30 * 60 * 1000);
    const [current, other] = rowsOf((await office.get(pagePath)).body) as [string, string];
    // Signed up at 14:05 UTC; the office logged in at 16:05 UTC and is seen again at 16:35 UTC.
    expect(other).toContain('<time datetime="2026-03-10T14:05:00.000Z">10/03/2026 23:05 GMT+9</time>');
    expect(current).toContain('<time datetime="2026-03-10T16:05:00.000Z">11/03/2026 01:05 GMT+9</time>');
    expect(current).toContain('<time datetime="2026-03-10T16:35:00.000Z">11/03/2026 01:35 GMT+9</time>');

    await office.post(
      '/settings/account/preferences',
      { stackTraceOrder: 'default', language: 'en', timezone: 'America/New_York', dateFormat: 'us', theme: 'system' },
      { htmx: true },
    );
    expect((await office.get(pagePath)).body).toContain('03/10/2026 10:05 AM EDT');
  });

  it('speaks the person\'s language', async () => {
    await office.post(
      '/settings/account/preferences',
      { stackTraceOrder: 'default', language: 'de', timezone: 'UTC', dateFormat: 'iso', theme: 'system' },
      { htmx: true },
    );
    const page = await office.get(pagePath);
    expect(page.body).toContain('<html lang="de"');
    expect(page.body).toContain('<h1>Sitzungen</h1>');
    expect(page.body).toContain('Chrome 126 unter Windows');
    expect(page.body).toContain('Dieses Gerät');
    expect(page.body).toContain('Abmelden<span class="visually-hidden"> (Sitzung Firefox 128 unter Ubuntu, 203.0.113.9)</span>');
  });

  it('says so when this is the only session, with nothing to sign out', async () => {
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const page = await grace.get(pagePath);
    expect(page.statusCode).toBe(200);
    expect(rowsOf(page.body)).toHaveLength(1);
    expect(page.body).toContain('This is your only session.');
    expect(page.body).toContain('This device');
    expect(page.body).not.toMatch(/\/log-out"/);
    // app.inject's own user agent names no browser.
    expect(page.body).toContain('Unknown device');
  });

  it('escapes what the browser sent', async () => {
    const mallory = new Device(t.app, 'Mozilla/5.0 (X11; Linux x86_64) Firefox/<img src=x onerror=alert(1)>', '<b>evil</b>');
    await mallory.get('/login');
    await mallory.post('/login', { email: 'ada@example.com', password: strongPassword });
    const page = await office.get(pagePath);
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).not.toContain('<b>evil</b>');
  });
});

describe('signing out another session', () => {
  it('ends it, logs it, and brings the person back to the list with a message', async () => {
    const laptopSession = laptop.sessionId();
    const response = await office.post(signOutPath(laptopSession), {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(pagePath);

    const page = await office.get(pagePath);
    expect(page.body).toContain('That session has been logged out.');
    expect(rowsOf(page.body).join('')).not.toContain('Firefox 128 on Ubuntu');
    expect(page.body).toContain('This is your only session.');
    expect(rowsOf(page.body)).toHaveLength(1);

    expect(await sessionIdsOf('ada@example.com')).toEqual([office.sessionId()]);
    expect(await stillSignedIn(laptop)).toBe(false);
    expect(await stillSignedIn(office)).toBe(true);

    const events = await revocations();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ userId: await userId('ada@example.com'), ipAddress: '198.51.100.7', userAgent: chromeOnWindows });
  });

  it('with htmx, answers with the list alone, saying which session ended', async () => {
    const response = await office.post(signOutPath(laptop.sessionId()), {}, { htmx: true });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^\s*<div id="session-list">/);
    expect(response.body).not.toContain('<html');
    expect(response.body).toContain('data-save-status>Logged out: Firefox 128 on Ubuntu, 203.0.113.9.</p>');
    expect(response.body).toContain('autofocus');
    expect(rowsOf(response.body)).toHaveLength(1);
    expect(await stillSignedIn(laptop)).toBe(false);
    expect(await revocations()).toHaveLength(1);
  });

  it('answers 404 for another person\'s session, and theirs goes on working', async () => {
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const graceSession = sessionIdFromToken(grace.cookies.get('dials_session') ?? '');
    for (const htmx of [false, true]) {
      const response = await office.post(signOutPath(graceSession), {}, { htmx });
      expect(response.statusCode).toBe(404);
      expect(response.body).toContain('This session does not exist or has already ended.');
      expect(response.body).not.toContain('Grace');
    }
    expect(await stillSignedIn(grace)).toBe(true);
    expect(await sessionIdsOf('grace@example.com')).toEqual([graceSession]);
    expect(await sessionIdsOf('ada@example.com')).toHaveLength(2);
    expect(await revocations()).toHaveLength(0);
  });

  it.each([
    ['an id that was never issued', 'f'.repeat(64)],
    ['an id that is not a digest', 'not-a-session'],
    ['a token instead of its digest', 'abcdefghijklmnopqrstuvwxyz234567'],
  ])('answers 404 for %s', async (_label, id) => {
    const response = await office.post(signOutPath(id), {});
    expect(response.statusCode).toBe(404);
    expect(await sessionIdsOf('ada@example.com')).toHaveLength(2);
    expect(await revocations()).toHaveLength(0);
  });

  it('answers 404 for a session that has already ended (a second tab)', async () => {
    const laptopSession = laptop.sessionId();
    expect((await office.post(signOutPath(laptopSession), {})).statusCode).toBe(303);
    await office.get(pagePath);
    expect((await office.post(signOutPath(laptopSession), {})).statusCode).toBe(404);
    expect(await revocations()).toHaveLength(1);
  });

  it('refuses to end the session in use, pointing to Log out', async () => {
    for (const htmx of [false, true]) {
      const response = await office.post(signOutPath(office.sessionId()), {}, { htmx });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain('This is the session you are using now. To end it, use Log out at the top of the page.');
    }
    expect(await stillSignedIn(office)).toBe(true);
    expect(await sessionIdsOf('ada@example.com')).toHaveLength(2);
    expect(await revocations()).toHaveLength(0);
  });

  it('refuses without the CSRF token, with another session\'s token, or from another site', async () => {
    const laptopToken = (await laptop.get(pagePath), laptop.csrfToken);
    const target = signOutPath(laptop.sessionId());
    const attempts = [
      () => office.post(target, {}, { csrf: false }),
      () => office.post(target, {}, { csrf: false, htmx: true }),
      () => office.post(target, { _csrf: laptopToken }, { csrf: false }),
      () => office.post(target, {}, { headers: { 'sec-fetch-site': 'cross-site' } }),
      () => office.post(target, {}, { headers: { origin: 'https://evil.example' } }),
    ];
    for (const attempt of attempts) expect((await attempt()).statusCode).toBe(403);
    expect(await stillSignedIn(laptop)).toBe(true);
    expect(await revocations()).toHaveLength(0);
  });

  it('refuses fields the form does not have, ending nothing', async () => {
    const response = await office.post(signOutPath(laptop.sessionId()), { userId: String(await userId('ada@example.com')) });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('does not have');
    expect(await stillSignedIn(laptop)).toBe(true);
  });

  it('does not end sessions by GET', async () => {
    const response = await office.get(signOutPath(laptop.sessionId()));
    expect(response.statusCode).toBe(404);
    expect(await stillSignedIn(laptop)).toBe(true);
  });

  it('sends a visitor without a session to log in, ending nothing', async () => {
    const visitor = new BrowserSession(t.app);
    await visitor.get('/login');
    const response = await visitor.post(signOutPath(laptop.sessionId()), {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toMatch(/^\/login\?next=/);
    expect(await stillSignedIn(laptop)).toBe(true);
  });
});

describe('ended sessions', () => {
  const day = 24 * hour;

  it('are listed for 90 days with how each ended: logged out, or logged out from another device', async () => {
    const laptopSession = laptop.sessionId();
    const phone = new Device(t.app, 'Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36', '192.0.2.44');
    await phone.get('/login');
    await phone.post('/login', { email: 'ada@example.com', password: strongPassword });
    await phone.get('/settings/account');
    t.clock.advance(hour);
    expect((await phone.post('/logout', {})).statusCode).toBe(303);
    t.clock.advance(hour);
    expect((await office.post(signOutPath(laptopSession), {})).statusCode).toBe(303);

    const page = await office.get(pagePath);
    expect(page.body).toContain('<h2 id="ended-sessions-title">Ended sessions</h2>');
    expect(rowsOf(page.body)).toHaveLength(1);
    const ended = endedRowsOf(page.body);
    expect(ended).toHaveLength(2);
    const [laptopRow, phoneRow] = ended as [string, string];
    // Most recently ended first, with when and how.
    expect(laptopRow).toContain('Firefox 128 on Ubuntu');
    expect(laptopRow).toContain('203.0.113.9');
    expect(laptopRow).toContain('<time datetime="2026-03-10T18:05:00.000Z">');
    expect(laptopRow).toContain('Logged out from another device');
    expect(phoneRow).toContain('Android');
    expect(phoneRow).toContain('<time datetime="2026-03-10T17:05:00.000Z">');
    expect(phoneRow).toMatch(/>Logged out<\/td>/);
    // An ended session has nothing to press.
    expect(endedRowsOf(page.body).join('')).not.toContain('<form');
  });

  it('never come back: the old cookie opens nothing, and no digest of its token is kept to revive it', async () => {
    const laptopSession = laptop.sessionId();
    expect((await office.post(signOutPath(laptopSession), {})).statusCode).toBe(303);

    expect(await stillSignedIn(laptop)).toBe(false);
    expect(await t.db.select().from(sessions).where(eq(sessions.id, laptopSession)).all()).toEqual([]);
    const history = await t.db.select().from(endedSessions).all();
    expect(history).toHaveLength(1);
    expect(JSON.stringify(history)).not.toContain(laptopSession);
    const page = await office.get(pagePath);
    expect(page.body).not.toContain(laptopSession);
    // Ending it again, or by the id of its history entry, finds nothing.
    expect((await office.post(signOutPath(laptopSession), {})).statusCode).toBe(404);
    expect((await office.post(signOutPath(String(history[0]?.id)), {})).statusCode).toBe(404);
    expect(await stillSignedIn(laptop)).toBe(false);
  });

  it('say which were ended by a password change or by logging out of all devices', async () => {
    const changed = await office.post('/settings/security/password', {
      username: 'ada@example.com',
      currentPassword: strongPassword,
      newPassword: 'an entirely new and long passphrase',
      confirmPassword: 'an entirely new and long passphrase',
    });
    expect(changed.statusCode).toBe(303);
    expect(endedRowsOf((await office.get(pagePath)).body).join('')).toContain('Ended when the password was changed');

    await office.get('/settings/security/log-out-everywhere');
    expect((await office.post('/settings/security/log-out-everywhere', {})).statusCode).toBe(303);
    expect(await stillSignedIn(office)).toBe(false);
    const { browser: again } = await logIn(t.app, 'ada@example.com', 'an entirely new and long passphrase');
    const rows = endedRowsOf((await again.get(pagePath)).body);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Logged out of all devices');
    expect(rows[0]).toContain('Chrome 126 on Windows');
    expect(rows[1]).toContain('Ended when the password was changed');
    expect(rows[1]).toContain('Firefox 128 on Ubuntu');
  });

  const endedHow = async (browser: BrowserSession) => endedRowsOf((await browser.get(pagePath)).body).map((row) => /data-label="How it ended">([^<]*)</.exec(row)?.[1]);

  it('say which were ended by turning on two-factor authentication', async () => {
    await enrolTotp(office, () => t.clock.now);
    expect(await endedHow(office)).toEqual(['Ended when two-factor authentication was turned on']);
  });

  it('say which were replaced when the person confirmed access (a new session on the same device)', async () => {
    t.clock.advance(61 * 60 * 1000);
    await office.get('/sudo');
    expect((await office.post('/sudo', { password: strongPassword, next: pagePath })).statusCode).toBe(303);
    const how = await endedHow(office);
    expect(how).toEqual(['Replaced by a new session after logging in again or confirming access']);
  });

  it('say which were ended by a new primary address', async () => {
    expect((await office.post('/settings/emails', { address: 'ada.work@example.com' })).statusCode).toBe(303);
    const link = linkIn(await t.mail.waitFor('ada.work@example.com', 'Confirm your e-mail address'), '/verify-email/');
    await office.get(link);
    await office.post(link, {});
    const id = (await t.db.select().from(userEmails).where(eq(userEmails.address, 'ada.work@example.com')).get())?.id;
    await office.get('/settings/emails');
    expect((await office.post(`/settings/emails/${id}/primary`, {})).statusCode).toBe(303);
    expect(await endedHow(office)).toEqual(['Ended when the primary e-mail address changed']);
  });

  it('say which were ended by a password reset', async () => {
    const stranger = new BrowserSession(t.app);
    await stranger.get('/forgot-password');
    await stranger.post('/forgot-password', { email: 'ada@example.com' });
    const link = linkIn(await t.mail.waitFor('ada@example.com', 'Reset your Dials password'), '/reset-password/');
    await stranger.get(link);
    const newPassword = 'a fresh passphrase after the reset';
    expect((await stranger.post(link, { newPassword, confirmPassword: newPassword })).statusCode).toBe(303);
    const { browser } = await logIn(t.app, 'ada@example.com', newPassword);
    expect(await endedHow(browser)).toEqual(['Ended when the password was reset', 'Ended when the password was reset']);
  });

  it('show sessions that ran out as expired, at the moment they did', async () => {
    // Seven days without a request end both sessions (the idle limit).
    t.clock.advance(8 * day);
    const { browser: fresh } = await logIn(t.app, 'ada@example.com');
    const rows = endedRowsOf((await fresh.get(pagePath)).body);
    expect(rows).toHaveLength(2);
    // The office was last seen at 16:05 on the 10th, so it expired at 16:05 on the 17th.
    expect(rows[0]).toContain('Chrome 126 on Windows');
    expect(rows[0]).toContain('<time datetime="2026-03-17T16:05:00.000Z">');
    expect(rows[0]).toContain('Expired: it was not used for too long');
    expect(rows[1]).toContain('<time datetime="2026-03-17T14:05:00.000Z">');
    expect(await stillSignedIn(office)).toBe(false);
    // The hourly sweep moves what ran out into the history; the page shows the same.
    await t.app.services.sessions.sweep();
    expect(await sessionIdsOf('ada@example.com')).toHaveLength(1);
    expect((await t.db.select().from(endedSessions).all()).map((row) => row.reason).sort()).toEqual(['idle', 'idle']);
    const swept = endedRowsOf((await fresh.get(pagePath)).body);
    expect(swept).toHaveLength(2);
    expect(swept[1]).toContain('<time datetime="2026-03-17T14:05:00.000Z">');
  });

  it('say which reached the longest time a session may last', async () => {
    const short = await createTestApp({ SESSION_LIFETIME_HOURS: '1' });
    try {
      await signUp(short.app, { email: 'lin@example.com', name: 'Lin' });
      short.clock.advance(2 * hour);
      const { browser } = await logIn(short.app, 'lin@example.com');
      const rows = endedRowsOf((await browser.get(pagePath)).body);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toContain('Expired: it reached the longest time a session may last');
      expect(rows[0]).toContain('<time datetime="2026-03-10T15:05:00.000Z">');
    } finally {
      await short.close();
    }
  });

  it('are cleaned up once they are older than 90 days', async () => {
    expect((await office.post(signOutPath(laptop.sessionId()), {})).statusCode).toBe(303);
    t.clock.advance(89 * day);
    const { browser: later } = await logIn(t.app, 'ada@example.com');
    await t.app.services.sessions.sweep();
    let rows = endedRowsOf((await later.get(pagePath)).body);
    expect(rows.some((row) => row.includes('Logged out from another device'))).toBe(true);

    t.clock.advance(2 * day);
    await t.app.services.sessions.sweep();
    rows = endedRowsOf((await later.get(pagePath)).body);
    expect(rows.some((row) => row.includes('Logged out from another device'))).toBe(false);
    const remaining = await t.db.select().from(endedSessions).all();
    expect(remaining.every((row) => row.endedAt.getTime() >= t.clock.now - 90 * day)).toBe(true);
    expect(remaining.some((row) => row.reason === 'ended-elsewhere')).toBe(false);
  });

  it('are only the caller\'s own', async () => {
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const graceLaptop = new Device(t.app, firefoxOnUbuntu, '192.0.2.200');
    await graceLaptop.get('/login');
    await graceLaptop.post('/login', { email: 'grace@example.com', password: strongPassword });
    await graceLaptop.get('/settings/account');
    await graceLaptop.post('/logout', {});
    expect(endedRowsOf((await grace.get(pagePath)).body).join('')).toContain('192.0.2.200');
    const adaPage = await office.get(pagePath);
    expect(adaPage.body).not.toContain('192.0.2.200');
    expect(adaPage.body).toContain('No session has ended in the last 90 days.');
  });

  it('come 20 to a page, newest first', async () => {
    const id = await userId('ada@example.com');
    for (let index = 0; index < 25; index += 1) {
      await t.db.insert(endedSessions).values({
        userId: id,
        createdAt: new Date(t.clock.now - 10 * hour),
        lastSeenAt: new Date(t.clock.now - 9 * hour),
        endedAt: new Date(t.clock.now - (index + 1) * 60_000),
        reason: 'replaced',
        ipAddress: `192.0.2.${index + 1}`,
        userAgent: firefoxOnUbuntu,
      }).run();
    }
    const first = (await office.get(pagePath)).body;
    expect(endedRowsOf(first)).toHaveLength(20);
    expect(endedRowsOf(first)[0]).toContain('192.0.2.1<');
    expect(first).toContain('Page 1 of 2');
    expect(first).toContain(`<a href="${pagePath}?page=2#ended-sessions-title" rel="next">Older</a>`);
    const second = (await office.get(`${pagePath}?page=2`)).body;
    expect(endedRowsOf(second)).toHaveLength(5);
    expect(endedRowsOf(second).at(-1)).toContain('192.0.2.25<');
    // The live sessions show on every page.
    expect(rowsOf(second)).toHaveLength(2);
    for (const bad of ['abc', '0', '-3']) expect(endedRowsOf((await office.get(`${pagePath}?page=${bad}`)).body)[0]).toContain('192.0.2.1<');
    expect((await office.get(`${pagePath}?page=99`)).body).toContain('Page 2 of 2');
  });

  it('have a description of every way a session ends, in every language', () => {
    for (const language of languages) {
      const catalogue = readCatalogue(language) as { sessions: { endReasons: Record<string, string> } };
      for (const reason of sessionEndReasons) expect(catalogue.sessions.endReasons[reason], `${language}: ${reason}`).toMatch(/\S/);
    }
  });
});
