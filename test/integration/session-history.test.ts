import { eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessionIdFromToken } from '../../src/auth/session-token.ts';
import { securityEvents, sessions, users } from '../../src/db/schema.ts';
import { BrowserSession, signUp, strongPassword } from '../support/browser-session.ts';
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
  await laptop.get('/signup');
  const signedUp = await laptop.post('/signup', { name: 'Ada Lovelace', email: 'ada@example.com', password: strongPassword, timezone: 'UTC' });
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

const userId = (email: string) => t.db.select().from(users).where(eq(users.email, email)).get()?.id ?? -1;
const sessionIdsOf = (email: string) => t.db.select().from(sessions).where(eq(sessions.userId, userId(email))).all().map((row) => row.id).sort();
const revocations = () => t.db.select().from(securityEvents).where(eq(securityEvents.type, 'session.revoked')).all();
const signOutPath = (sessionId: string) => `${pagePath}/${sessionId}/sign-out`;

/** The table rows of the session list, each as its HTML. */
function rowsOf(html: string): string[] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? '';
  return body.split('<tr').slice(1);
}

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
    expect(other).toMatch(/<button type="submit" class="button">Sign out<span class="visually-hidden"> Firefox 128 on Ubuntu, 203\.0\.113\.9<\/span><\/button>/);

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
    expect(page.body).toContain('Beenden<span class="visually-hidden"> (Sitzung Firefox 128 unter Ubuntu, 203.0.113.9)</span>');
  });

  it('says so when this is the only session, with nothing to sign out', async () => {
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const page = await grace.get(pagePath);
    expect(page.statusCode).toBe(200);
    expect(rowsOf(page.body)).toHaveLength(1);
    expect(page.body).toContain('This is your only session.');
    expect(page.body).toContain('This device');
    expect(page.body).not.toMatch(/\/sign-out"/);
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
    expect(page.body).toContain('The session has been signed out.');
    expect(page.body).not.toContain('Firefox 128 on Ubuntu');
    expect(page.body).toContain('This is your only session.');
    expect(rowsOf(page.body)).toHaveLength(1);

    expect(sessionIdsOf('ada@example.com')).toEqual([office.sessionId()]);
    expect(await stillSignedIn(laptop)).toBe(false);
    expect(await stillSignedIn(office)).toBe(true);

    const events = revocations();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ userId: userId('ada@example.com'), ipAddress: '198.51.100.7', userAgent: chromeOnWindows });
  });

  it('with htmx, answers with the list alone, saying which session ended', async () => {
    const response = await office.post(signOutPath(laptop.sessionId()), {}, { htmx: true });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/^\s*<section id="session-list"/);
    expect(response.body).not.toContain('<html');
    expect(response.body).toContain('data-save-status>Signed out: Firefox 128 on Ubuntu, 203.0.113.9.</p>');
    expect(response.body).toContain('autofocus');
    expect(rowsOf(response.body)).toHaveLength(1);
    expect(await stillSignedIn(laptop)).toBe(false);
    expect(revocations()).toHaveLength(1);
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
    expect(sessionIdsOf('grace@example.com')).toEqual([graceSession]);
    expect(sessionIdsOf('ada@example.com')).toHaveLength(2);
    expect(revocations()).toHaveLength(0);
  });

  it.each([
    ['an id that was never issued', 'f'.repeat(64)],
    ['an id that is not a digest', 'not-a-session'],
    ['a token instead of its digest', 'abcdefghijklmnopqrstuvwxyz234567'],
  ])('answers 404 for %s', async (_label, id) => {
    const response = await office.post(signOutPath(id), {});
    expect(response.statusCode).toBe(404);
    expect(sessionIdsOf('ada@example.com')).toHaveLength(2);
    expect(revocations()).toHaveLength(0);
  });

  it('answers 404 for a session that has already ended (a second tab)', async () => {
    const laptopSession = laptop.sessionId();
    expect((await office.post(signOutPath(laptopSession), {})).statusCode).toBe(303);
    await office.get(pagePath);
    expect((await office.post(signOutPath(laptopSession), {})).statusCode).toBe(404);
    expect(revocations()).toHaveLength(1);
  });

  it('refuses to end the session in use, pointing to Log out', async () => {
    for (const htmx of [false, true]) {
      const response = await office.post(signOutPath(office.sessionId()), {}, { htmx });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain('This is the session you are using now. To end it, use Log out at the top of the page.');
    }
    expect(await stillSignedIn(office)).toBe(true);
    expect(sessionIdsOf('ada@example.com')).toHaveLength(2);
    expect(revocations()).toHaveLength(0);
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
    expect(revocations()).toHaveLength(0);
  });

  it('refuses fields the form does not have, ending nothing', async () => {
    const response = await office.post(signOutPath(laptop.sessionId()), { userId: String(userId('ada@example.com')) });
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
