import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessions, users } from '../../src/auth/tables.ts';
import { BrowserSession, logIn, setUpAdministrator, signUp, strongPassword } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const day = 24 * 60 * 60 * 1000;

/** The path of the administrator set-up link an app prints at start. */
async function setupPath(app: TestApp['app']): Promise<string> {
  return new URL((await app.services.adminSetup.startLink()) ?? '').pathname;
}

describe('sign-up', () => {
  it('creates the account with an argon2id hash; the set-up link makes the administrator, and signs in', async () => {
    const first = await setUpAdministrator(t.app, { email: 'Ada@Example.com', name: 'Ada Lovelace', timezone: 'Europe/Berlin' });
    await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });

    const rows = await t.db.select().from(users).all();
    expect(rows.map((row) => [row.email, row.isAdmin])).toEqual([
      ['ada@example.com', true],
      ['grace@example.com', false],
    ]);
    expect(rows[0]?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=3,p=1\$/);
    expect(rows[0]?.passwordHash).not.toContain(strongPassword);

    const page = await first.get('/settings/account');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Ada Lovelace');
    expect(page.body).toContain('<input type="hidden" name="timezone" value="Europe/Berlin"');
  });

  it('makes no one administrator by being first: the first sign-up waits for its link like any other', async () => {
    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    const response = await browser.post('/signup', { name: 'Ada', email: 'ada@example.com', password: strongPassword, timezone: '' });
    expect(response.headers.location).toBe('/signup/check-inbox');
    expect(response.cookies.find((c) => c.name === 'dials_session')).toBeUndefined();
    await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const rows = await t.db.select().from(users).all();
    expect(rows.map((row) => [row.email, row.isAdmin, row.activatedAt === null])).toEqual([
      ['ada@example.com', false, true],
      ['grace@example.com', false, false],
    ]);
    // The set-up link still works, and is still the one printed at start, while there is no administrator.
    expect(await setupPath(t.app)).toMatch(/^\/setup\/[a-z2-7]{32}$/);
  });

  it('greets the new administrator on the page it lands on', async () => {
    const path = await setupPath(t.app);
    const browser = new BrowserSession(t.app);
    await browser.get(path);
    const response = await browser.post(path, { name: 'Ada', email: 'ada@example.com', password: strongPassword, timezone: '' });
    expect(response.headers.location).toBe('/settings/account');
    expect((await browser.get('/settings/account')).body).toContain('You are its administrator');
    expect((await browser.get('/settings/account')).body).not.toContain('Welcome to Dials');
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/ and stores only the SHA-256 of its token', async () => {
    const path = await setupPath(t.app);
    const browser = new BrowserSession(t.app);
    await browser.get(path);
    const response = await browser.post(path, { name: 'Ada', email: 'ada@example.com', password: strongPassword, timezone: '' });
    const cookie = response.cookies.find((c) => c.name === 'dials_session');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    const token = cookie?.value ?? '';
    expect(token.length).toBeGreaterThanOrEqual(32);
    const stored = await t.db.select().from(sessions).all();
    expect(stored).toHaveLength(1);
    expect(stored[0]?.id).toBe(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(token);
    const lifetime = (cookie?.expires?.getTime() ?? 0) - t.clock.now;
    expect(lifetime).toBe(30 * day);
  });

  it('uses a Secure __Host- cookie when served over HTTPS', async () => {
    const secure = await createTestApp({ PUBLIC_URL: 'https://dials.example.org' });
    try {
      const path = await setupPath(secure.app);
      const browser = new BrowserSession(secure.app);
      await browser.get(path);
      const response = await browser.post(path, { name: 'Ada', email: 'ada@example.com', password: strongPassword, timezone: '' });
      const cookie = response.cookies.find((c) => c.name === '__Host-dials_session');
      expect(cookie).toMatchObject({ httpOnly: true, secure: true, path: '/', sameSite: 'Lax' });
      expect(cookie?.domain).toBeUndefined();
      expect(response.headers['strict-transport-security']).toContain('max-age=31536000');
    } finally {
      await secure.close();
    }
  });

  it.each([
    ['a short password', { password: 'fourteen chars' }, 'Use at least 15 characters.'],
    ['a common password', { password: 'passwordpassword' }, 'commonly used passwords'],
    ['a password of one repeated character', { password: 'aaaaaaaaaaaaaaaaaaaa' }, 'too few different characters'],
    ['a password with the e-mail in it', { password: 'ada.lovelace@example.com-rocks' }, 'your name or e-mail'],
    ['a password over 256 characters', { password: 'x'.repeat(200) + 'y'.repeat(57) }, 'at most 256 characters'],
    ['an empty name', { name: '   ' }, 'Enter your name.'],
    ['a name over 100 characters', { name: 'n'.repeat(101) }, 'at most 100 characters'],
    ['an address that is not one', { email: 'not-an-address' }, 'Enter an e-mail address like'],
  ])('refuses %s with a message next to the field and writes nothing', async (_label, override, message) => {
    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    const response = await browser.post('/signup', {
      name: 'Ada Lovelace',
      email: 'ada.lovelace@example.com',
      password: strongPassword,
      timezone: '',
      ...override,
    });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(message);
    expect(response.body).toContain('aria-invalid="true"');
    expect(await t.db.select().from(users).all()).toHaveLength(0);
    expect(response.body).not.toContain('password' in override ? override.password : strongPassword);
  });

  it('accepts spaces and any Unicode, and neither trims nor case-folds the password', async () => {
    const password = '  Ünïcode pässwörd with spaces  ';
    await signUp(t.app, { email: 'ada@example.com', password });
    expect((await logIn(t.app, 'ada@example.com', password)).response.statusCode).toBe(303);
    expect((await logIn(t.app, 'ada@example.com', password.trim())).response.statusCode).toBe(401);
    expect((await logIn(t.app, 'ada@example.com', password.toLowerCase())).response.statusCode).toBe(401);
  });

  it('answers the same way whether or not the address is taken, and tells the owner by mail', async () => {
    await signUp(t.app, { email: 'ada@example.com' });
    const attempt = async (email: string) => {
      const browser = new BrowserSession(t.app);
      await browser.get('/signup');
      return browser.post('/signup', { name: 'Someone', email, password: 'another long passphrase', timezone: '' });
    };
    const taken = await attempt(' ADA@example.com ');
    const fresh = await attempt('newcomer@example.com');
    expect([taken.statusCode, taken.headers.location]).toEqual([303, '/signup/check-inbox']);
    expect([fresh.statusCode, fresh.headers.location]).toEqual([303, '/signup/check-inbox']);
    expect(taken.cookies.find((c) => c.name === 'dials_session')).toBeUndefined();
    expect(fresh.cookies.find((c) => c.name === 'dials_session')).toBeUndefined();
    expect(await t.db.select().from(users).where(eq(users.email, 'ada@example.com')).all()).toHaveLength(1);

    const warning = await t.mail.waitFor('ada@example.com', 'Someone tried to sign up');
    expect(warning.text).toContain('/forgot-password');
    const verification = await t.mail.waitFor('newcomer@example.com', 'finish signing up');
    expect(verification.text).toMatch(/\/verify-email\/[a-z2-7]{32}/);
  });

  it('an unfinished sign-up cannot log in, and answers like a wrong password', async () => {
    await signUp(t.app, { email: 'ada@example.com' });
    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    await browser.post('/signup', { name: 'Newcomer', email: 'newcomer@example.com', password: 'another long passphrase', timezone: '' });
    const early = await logIn(t.app, 'newcomer@example.com', 'another long passphrase');
    const wrong = await logIn(t.app, 'ada@example.com', 'another long passphrase');
    expect(early.response.statusCode).toBe(401);
    expect(early.response.body).toContain('The e-mail address or password is not right.');
    expect(wrong.response.statusCode).toBe(401);
  });
});

describe('log-in and log-out', () => {
  it('logs in with the right password, issues a new session id and ends the one the browser had', async () => {
    const first = await signUp(t.app, { email: 'ada@example.com' });
    const before = first.cookies.get('dials_session');
    await first.get('/login');
    const response = await first.post('/login', { email: 'ada@example.com', password: strongPassword });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/settings/account');
    const after = first.cookies.get('dials_session');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
    const stale = await t.app.inject({ method: 'GET', url: '/settings/account', headers: { cookie: `dials_session=${before}` } });
    expect(stale.statusCode).toBe(303);
    expect(await t.db.select().from(sessions).all()).toHaveLength(1);
  });

  it('answers a wrong password and an unknown address in the same words and status', async () => {
    await signUp(t.app, { email: 'ada@example.com' });
    const wrongPassword = await logIn(t.app, 'ada@example.com', 'not the password at all');
    const unknown = await logIn(t.app, 'nobody@example.com', 'not the password at all');
    expect(wrongPassword.response.statusCode).toBe(401);
    expect(unknown.response.statusCode).toBe(401);
    const message = 'The e-mail address or password is not right.';
    expect(wrongPassword.response.body).toContain(message);
    expect(unknown.response.body).toContain(message);
    const strip = (body: string) => body.replace(/="[^"]*"/g, '');
    expect(strip(wrongPassword.response.body)).toBe(strip(unknown.response.body));
  });

  it('returns to a local page after log-in and refuses to leave the site', async () => {
    await signUp(t.app, { email: 'ada@example.com' });
    for (const [next, expected] of [
      ['/settings/account?tab=1', '/settings/account?tab=1'],
      ['//evil.example', '/settings/account'],
      ['/\\evil.example', '/settings/account'],
      ['javascript:alert(1)', '/settings/account'],
      ['https://evil.example/', '/settings/account'],
    ] as const) {
      const browser = new BrowserSession(t.app);
      await browser.get(`/login?next=${encodeURIComponent(next)}`);
      const response = await browser.post('/login', { email: 'ada@example.com', password: strongPassword, next });
      expect(response.headers.location, next).toBe(expected);
    }
  });

  it('log-out deletes the session row, and the old cookie no longer works', async () => {
    const browser = await signUp(t.app, { email: 'ada@example.com' });
    const token = browser.cookies.get('dials_session');
    const response = await browser.post('/logout', {});
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/login');
    expect(await t.db.select().from(sessions).all()).toHaveLength(0);
    const again = await t.app.inject({ method: 'GET', url: '/settings/account', headers: { cookie: `dials_session=${token}` } });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe('/login?next=%2Fsettings%2Faccount');
  });

  it('log-out is a POST: a GET changes nothing', async () => {
    const browser = await signUp(t.app, { email: 'ada@example.com' });
    const response = await browser.get('/logout');
    expect(response.statusCode).toBe(404);
    expect(await t.db.select().from(sessions).all()).toHaveLength(1);
  });
});

describe('session expiry', () => {
  it('ends a session idle for 7 days', async () => {
    const browser = await signUp(t.app, { email: 'ada@example.com' });
    t.clock.advance(7 * day - 60_000);
    expect((await browser.get('/settings/account')).statusCode).toBe(200);
    t.clock.advance(7 * day);
    const response = await browser.get('/settings/account');
    expect(response.statusCode).toBe(303);
    expect(await t.db.select().from(sessions).all()).toHaveLength(0);
  });

  it('ends a session 30 days after log-in however busy it is', async () => {
    const browser = await signUp(t.app, { email: 'ada@example.com' });
    for (const step of [6, 6, 6, 6, 5]) {
      t.clock.advance(step * day);
      expect((await browser.get('/settings/account')).statusCode).toBe(200);
    }
    t.clock.advance(day);
    expect((await browser.get('/settings/account')).statusCode).toBe(303);
  });

  it('writes last-seen at most once a minute', async () => {
    const browser = await signUp(t.app, { email: 'ada@example.com' });
    const lastSeen = async () => (await t.db.select().from(sessions).get())?.lastSeenAt.getTime();
    const start = await lastSeen();
    t.clock.advance(30_000);
    await browser.get('/settings/account');
    expect(await lastSeen()).toBe(start);
    t.clock.advance(31_000);
    await browser.get('/settings/account');
    expect(await lastSeen()).toBe(t.clock.now);
  });

  it('honours shorter lifetimes from the configuration', async () => {
    const short = await createTestApp({ SESSION_IDLE_HOURS: '1', SESSION_LIFETIME_HOURS: '2' });
    try {
      const browser = await signUp(short.app, { email: 'ada@example.com' });
      short.clock.advance(61 * 60_000);
      expect((await browser.get('/settings/account')).statusCode).toBe(303);
    } finally {
      await short.close();
    }
  });
});

describe('log-in rate limits', () => {
  it('locks an account after 10 failures with 429 and Retry-After, leaves other accounts alone, and resets on success', async () => {
    await signUp(t.app, { email: 'ada@example.com' });
    await signUp(t.app, { email: 'grace@example.com' });
    for (let attempt = 0; attempt < 10; attempt += 1) {
      expect((await logIn(t.app, 'ada@example.com', 'wrong password number ' + attempt)).response.statusCode).toBe(401);
    }
    const locked = await logIn(t.app, 'ada@example.com');
    expect(locked.response.statusCode).toBe(429);
    expect(Number(locked.response.headers['retry-after'])).toBeGreaterThan(0);
    expect(locked.response.body).toContain('Too many failed attempts');

    expect((await logIn(t.app, 'grace@example.com')).response.statusCode).toBe(303);
  });

  it('a success clears the count of failures', async () => {
    await signUp(t.app, { email: 'ada@example.com' });
    for (let attempt = 0; attempt < 9; attempt += 1) await logIn(t.app, 'ada@example.com', 'wrong password here');
    expect((await logIn(t.app, 'ada@example.com')).response.statusCode).toBe(303);
    for (let attempt = 0; attempt < 9; attempt += 1) await logIn(t.app, 'ada@example.com', 'wrong password here');
    expect((await logIn(t.app, 'ada@example.com')).response.statusCode).toBe(303);
  });

  it('counts attempts before checking them, so a burst in parallel cannot pass the limit', async () => {
    await signUp(t.app, { email: 'ada@example.com' });
    const burst = await Promise.all(Array.from({ length: 20 }, (_, index) => logIn(t.app, 'ada@example.com', `parallel guess number ${index}`)));
    const statuses = burst.map((attempt) => attempt.response.statusCode);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(10);
  });

  it('a log-in that checked the old password gets no session once the password has changed', async () => {
    const ada = await signUp(t.app, { email: 'ada@example.com' });
    const slowLogIn = logIn(t.app, 'ada@example.com');
    const changed = ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword: 'the replacement passphrase', confirmPassword: 'the replacement passphrase' });
    const [{ response }] = await Promise.all([slowLogIn, changed]);
    const survivors = (await t.db.select().from(sessions).all()).length;
    // Whichever finished first, at most the session that changed the password is left.
    expect(survivors).toBe(1);
    expect([303, 401]).toContain(response.statusCode);
  });

  it('limits failures per client address across accounts', async () => {
    const strict = await createTestApp({ LOGIN_MAX_FAILURES_PER_IP: '5' });
    try {
      await signUp(strict.app, { email: 'ada@example.com' });
      for (let attempt = 0; attempt < 5; attempt += 1) await logIn(strict.app, `someone${attempt}@example.com`, 'wrong password here');
      expect((await logIn(strict.app, 'ada@example.com')).response.statusCode).toBe(429);
    } finally {
      await strict.close();
    }
  });

  it('takes the client address from X-Forwarded-For only behind a trusted proxy', async () => {
    const forwardedLogin = async (app: TestApp, forwardedFor: string) => {
      const browser = new BrowserSession(app.app);
      await browser.get('/login');
      return browser.post('/login', { email: 'ada@example.com', password: strongPassword }, { headers: { 'x-forwarded-for': forwardedFor } });
    };
    await signUp(t.app, { email: 'ada@example.com' });
    await forwardedLogin(t, '203.0.113.9');
    expect((await t.db.select().from(sessions).all()).map((s) => s.ipAddress)).not.toContain('203.0.113.9');

    const proxied = await createTestApp({ TRUST_PROXY: 'true' });
    try {
      await signUp(proxied.app, { email: 'ada@example.com' });
      await forwardedLogin(proxied, '203.0.113.9');
      expect((await proxied.db.select().from(sessions).all()).map((s) => s.ipAddress)).toContain('203.0.113.9');
      // A client cannot choose its address by writing one in front: only the proxy's own entry counts.
      await forwardedLogin(proxied, '10.9.9.9, 198.51.100.7');
      const addresses = (await proxied.db.select().from(sessions).all()).map((s) => s.ipAddress);
      expect(addresses).toContain('198.51.100.7');
      expect(addresses).not.toContain('10.9.9.9');
    } finally {
      await proxied.close();
    }
  });
});

describe('users table', () => {
  it('keeps one row per address', async () => {
    await signUp(t.app, { email: 'ada@example.com' });
    expect(await t.db.select().from(users).where(eq(users.email, 'ada@example.com')).all()).toHaveLength(1);
  });
});
