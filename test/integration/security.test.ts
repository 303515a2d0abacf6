import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { loggerOptions } from '../../src/logging.ts';
import { BrowserSession, logIn, signUp, strongPassword } from '../support/browser-session.ts';
import { linkIn } from '../support/mailbox.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
afterEach(async () => {
  await t.close();
});

const nameOf = async (email: string) => (await t.db.select().from(users).where(eq(users.email, email)).get())?.name;

describe('CSRF', () => {
  it('refuses a state change without the token, with another session\'s token, or from another site', async () => {
    t = await createTestApp();
    const ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada' });
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace' });

    const attempts = [
      () => ada.post('/settings/account/details', { name: 'No token' }, { csrf: false, htmx: true }),
      () => ada.post('/settings/account/details', { name: 'Wrong token', _csrf: grace.csrfToken }, { csrf: false }),
      () => ada.post('/settings/account/details', { name: 'Header only' }, { csrf: false, htmx: true, headers: { 'x-csrf-token': grace.csrfToken } }),
      () => ada.post('/settings/account/details', { name: 'Cross site' }, { htmx: true, headers: { 'sec-fetch-site': 'cross-site' } }),
      () => ada.post('/settings/account/details', { name: 'Same site' }, { headers: { 'sec-fetch-site': 'same-site' } }),
      () => ada.post('/settings/account/details', { name: 'Evil origin' }, { headers: { origin: 'https://evil.example' } }),
      () => ada.post('/logout', {}, { csrf: false }),
    ];
    for (const attempt of attempts) {
      const response = await attempt();
      expect(response.statusCode).toBe(403);
    }
    expect(await nameOf('ada@example.com')).toBe('Ada');
    expect((await ada.get('/settings/account')).statusCode).toBe(200);
  });

  it('accepts the token in the X-CSRF-Token header that htmx sends, and HX-Request alone proves nothing', async () => {
    t = await createTestApp();
    const ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada' });
    const headerToken = /hx-headers="\{&quot;X-CSRF-Token&quot;:&quot;([^&]+)&quot;\}"/.exec((await ada.get('/settings/account')).body)?.[1];
    expect(headerToken).toBe(ada.csrfToken);
    const withHeader = await ada.post('/settings/account/details', { name: 'Via header' }, { csrf: false, htmx: true, headers: { 'x-csrf-token': headerToken ?? '' } });
    expect(withHeader.statusCode).toBe(200);
    expect(await nameOf('ada@example.com')).toBe('Via header');
  });

  it('protects the log-in form too (no log-in CSRF)', async () => {
    t = await createTestApp();
    await signUp(t.app, { email: 'ada@example.com' });
    const browser = new BrowserSession(t.app);
    const response = await browser.post('/login', { email: 'ada@example.com', password: strongPassword }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(response.cookies.find((cookie) => cookie.name === 'dials_session')).toBeUndefined();
  });

  it('a token from before log-in does not work after it', async () => {
    t = await createTestApp();
    await signUp(t.app, { email: 'ada@example.com', name: 'Ada' });
    const browser = new BrowserSession(t.app);
    await browser.get('/login');
    const anonymousToken = browser.csrfToken;
    await browser.post('/login', { email: 'ada@example.com', password: strongPassword });
    const response = await browser.post('/settings/account/details', { name: 'Old token', _csrf: anonymousToken }, { csrf: false });
    expect(response.statusCode).toBe(403);
  });
});

describe('security headers', () => {
  it('sends a strict CSP and the other headers on every page', async () => {
    t = await createTestApp();
    for (const url of ['/login', '/signup', '/no-such-page']) {
      const response = await t.app.inject({ method: 'GET', url });
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['referrer-policy']).toBe('same-origin');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('pages that show personal data are not cached', async () => {
    t = await createTestApp();
    const ada = await signUp(t.app, { email: 'ada@example.com' });
    expect((await ada.get('/settings/account')).headers['cache-control']).toBe('no-store');
  });
});

describe('answers to bad requests', () => {
  it('never gives a 500 for what a client can send', async () => {
    t = await createTestApp();
    const ada = await signUp(t.app, { email: 'ada@example.com' });
    const cases = [
      { method: 'POST', url: '/login', headers: { 'content-type': 'application/json' }, payload: '{"email":' },
      { method: 'POST', url: '/login', headers: { 'content-type': 'text/xml' }, payload: '<a/>' },
      { method: 'POST', url: '/login', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'x'.repeat(200_000) },
      { method: 'POST', url: '/signup', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: '%%%' },
      { method: 'GET', url: '/login?next=%E0%A4%A' },
      { method: 'GET', url: '/avatars/..%2F..%2Fetc%2Fpasswd' },
      { method: 'GET', url: '/assets/../package.json' },
      { method: 'POST', url: '/settings/account/avatar', headers: { 'content-type': 'multipart/form-data' }, payload: 'garbage' },
      { method: 'POST', url: '/settings/account/details', headers: { 'content-type': 'application/x-www-form-urlencoded', 'hx-request': 'true', 'hx-current-url': 'not a url' }, payload: 'name=x' },
    ] as const;
    for (const request of cases) {
      const response = await t.app.inject({ ...request, headers: { ...('headers' in request ? request.headers : {}), cookie: ada.cookieHeader() } });
      expect(response.statusCode, `${request.method} ${request.url}`).toBeLessThan(500);
    }
  });

  it('answers a broken upload from a visitor without a session with a 4xx', async () => {
    t = await createTestApp();
    const response = await t.app.inject({ method: 'POST', url: '/settings/account/avatar', headers: { 'content-type': 'multipart/form-data' }, payload: 'garbage' });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    const browser = new BrowserSession(t.app);
    await browser.get('/login');
    const badCurrentUrl = await browser.post('/settings/account/details', { name: 'x' }, { htmx: true, headers: { 'hx-current-url': 'not a url' } });
    expect(badCurrentUrl.statusCode).toBe(401);
    // An auto-save stays on its page and offers to log in.
    expect(badCurrentUrl.body).toContain('href="/login?next=%2F"');
  });

  it('shows a friendly 404 page', async () => {
    t = await createTestApp();
    const response = await t.app.inject({ method: 'GET', url: '/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('Page not found');
  });
});

describe('logs', () => {
  it('never contain a password, a session token or a CSRF token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = { ...(loggerOptions('trace') as object), stream: sink };
    t = await createTestApp({}, { logger });
    const ada = await signUp(t.app, { email: 'ada@example.com' });
    await logIn(t.app, 'ada@example.com', 'a wrong password that is long');
    await logIn(t.app, 'ada@example.com');
    await ada.get('/login?next=/settings/account&token=secret-query-token');
    const forgot = new BrowserSession(t.app);
    await forgot.get('/forgot-password');
    await forgot.post('/forgot-password', { email: 'ada@example.com' });
    const resetPath = linkIn(await t.mail.waitFor('ada@example.com', 'Reset your Dials password'), '/reset-password/');
    await forgot.get(resetPath);
    await forgot.post(resetPath, { newPassword: 'the new long passphrase', confirmPassword: 'the new long passphrase' });
    const log = lines.join('\n');
    expect(log).toContain('/reset-password/[redacted]');
    for (const secret of [
      strongPassword,
      'a wrong password that is long',
      'the new long passphrase',
      ada.cookies.get('dials_session') ?? 'x',
      ada.csrfToken,
      'secret-query-token',
      resetPath.split('/').pop() ?? 'x',
    ]) {
      expect(log).not.toContain(secret);
    }
  });
});
