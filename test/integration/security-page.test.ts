import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoveryCodes, securityEvents, sessions, totpCredentials, users } from '../../src/auth/tables.ts';
import { BrowserSession, logIn, signUp, strongPassword, setUpAdministrator } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { makeKey } from '../support/api-keys.ts';
import { confirmPrimaryEmail, enrolTotp, totpCode } from '../support/totp.ts';

let t: TestApp;
let ada: BrowserSession;
const minute = 60_000;
const newPassword = 'a brand new passphrase for ada';

beforeEach(async () => {
  t = await createTestApp();
  ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  await confirmPrimaryEmail(ada);
});
afterEach(async () => {
  await t.close();
});

const adaId = async () => (await t.db.select().from(users).where(eq(users.email, 'ada@example.com')).get())?.id ?? -1;
const eventsOf = async (userId: number) => (await t.db.select().from(securityEvents).where(eq(securityEvents.userId, userId)).all()).map((event) => event.type);
const sessionCount = async () => (await t.db.select().from(sessions).where(eq(sessions.userId, await adaId())).all()).length;

/** Logs in with password and, when asked, a TOTP code; returns the browser and the final response. */
async function logInWithCode(secret: string | null, code?: string) {
  const { browser, response } = await logIn(t.app, 'ada@example.com');
  if (!secret && !code) return { browser, response };
  expect(response.headers.location).toBe('/login/two-factor');
  await browser.get('/login/two-factor');
  const final = await browser.post('/login/two-factor', { code: code ?? (await totpCode(secret ?? '', t.clock.now)) });
  return { browser, response: final };
}

describe('the security page', () => {
  it('shows the sections and the person\'s own log, and sends visitors to log in', async () => {
    const page = await ada.get('/settings/security');
    expect(page.statusCode).toBe(200);
    for (const text of ['Change password', 'Two-factor authentication', 'Log out of all devices', 'Security log', 'Logged in']) {
      expect(page.body).toContain(text);
    }
    expect(page.body).toContain('aria-current="page">Security<');
    const anonymous = await t.app.inject({ method: 'GET', url: '/settings/security' });
    expect(anonymous.statusCode).toBe(303);
  });

  it('pages the security log, newest first, in the person\'s time format', async () => {
    await t.close();
    t = await createTestApp({ LOGIN_MAX_FAILURES_PER_ACCOUNT: '100' });
    ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    await ada.post('/settings/account/preferences', { stackTraceOrder: 'default', language: 'en', timezone: 'UTC', dateFormat: 'iso', theme: 'system', clock24h: 'on' });
    for (let index = 0; index < 25; index += 1) {
      t.clock.advance(minute);
      await logIn(t.app, 'ada@example.com', `wrong password ${index} here`);
    }
    const first = await ada.get('/settings/security');
    expect(first.body).toContain('Page 1 of 2');
    expect(first.body).toContain('2026-03-10 14:30 UTC');
    expect(first.body.indexOf('14:30 UTC')).toBeLessThan(first.body.indexOf('14:29 UTC'));
    const second = await ada.get('/settings/security?page=2');
    expect(second.body).toContain('Page 2 of 2');
    expect(second.body).toContain('Logged in');
    expect((await ada.get('/settings/security?page=abc')).statusCode).toBe(200);
  });
});

describe('sudo mode', () => {
  it('asks for the password again after an hour, changes nothing meanwhile, then returns to the page', async () => {
    t.clock.advance(61 * minute);
    const attempt = await ada.post('/settings/security/two-factor/app/start', {}, { headers: { referer: 'http://localhost/settings/security' } });
    expect(attempt.statusCode).toBe(303);
    expect(attempt.headers.location).toMatch(/^\/sudo\?next=%2Fsettings%2Fsecurity&resume=/);
    expect(await t.db.select().from(totpCredentials).all()).toHaveLength(0);

    const oldCookie = ada.cookies.get('dials_session');
    await ada.get('/sudo?next=%2Fsettings%2Fsecurity');
    expect((await ada.post('/sudo', { password: 'not my password at all', next: '/settings/security' })).statusCode).toBe(401);
    const confirmed = await ada.post('/sudo', { password: strongPassword, next: '/settings/security' });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe('/settings/security');
    expect(ada.cookies.get('dials_session')).not.toBe(oldCookie);
    const stale = await t.app.inject({ method: 'GET', url: '/settings/account', headers: { cookie: `dials_session=${oldCookie}` } });
    expect(stale.statusCode).toBe(303);

    await ada.get('/settings/security');
    expect((await ada.post('/settings/security/two-factor/app/start', {})).statusCode).toBe(303);
    expect(await t.db.select().from(totpCredentials).all()).toHaveLength(1);
    expect(await eventsOf(await adaId())).toContain('sudo.confirmed');
  });

  it('answers htmx with a redirect to the confirmation page', async () => {
    t.clock.advance(61 * minute);
    const response = await ada.post('/settings/security/recovery-codes', {}, { htmx: true, headers: { 'hx-current-url': 'http://localhost/settings/security' } });
    expect(response.headers['hx-redirect']).toMatch(/^\/sudo\?next=%2Fsettings%2Fsecurity&resume=/);
  });

  it('honours a shorter configured window', async () => {
    const short = await createTestApp({ SUDO_WINDOW_MINUTES: '5' });
    try {
      const grace = await signUp(short.app, { email: 'grace@example.com' });
      short.clock.advance(6 * minute);
      expect((await grace.get('/settings/security/two-factor/app')).headers.location).toMatch(/^\/sudo\?next=/);
    } finally {
      await short.close();
    }
  });
});

describe('changing the password', () => {
  it.each([
    ['a wrong current password', { currentPassword: 'not the current one!', newPassword, confirmPassword: newPassword }, 'This is not your current password.'],
    ['a confirmation that does not match', { currentPassword: strongPassword, newPassword, confirmPassword: newPassword + '!' }, 'The two new passwords are not the same.'],
    ['a common new password', { currentPassword: strongPassword, newPassword: 'passwordpassword', confirmPassword: 'passwordpassword' }, 'commonly used passwords'],
    ['a short new password', { currentPassword: strongPassword, newPassword: 'short', confirmPassword: 'short' }, 'at least 15 characters'],
    ['an empty form', { currentPassword: '', newPassword: '', confirmPassword: '' }, 'Enter your current password.'],
  ])('refuses %s and keeps the old one', async (_label, fields, message) => {
    const response = await ada.post('/settings/security/password', fields);
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(message);
    expect((await logIn(t.app, 'ada@example.com')).response.statusCode).toBe(303);
  });

  it('accepts the hidden username field that browsers send for password managers', async () => {
    const form = { username: 'ada@example.com', currentPassword: strongPassword, newPassword, confirmPassword: newPassword };
    expect((await ada.post('/settings/security/password', form)).statusCode).toBe(303);
    t.clock.advance(61 * minute);
    await ada.get('/sudo');
    expect((await ada.post('/sudo', { username: 'ada@example.com', password: newPassword })).statusCode).toBe(303);
  });

  it('ends the other sessions, keeps this one, and logs it', async () => {
    const other = (await logIn(t.app, 'ada@example.com')).browser;
    expect(await sessionCount()).toBe(2);
    const response = await ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword, confirmPassword: newPassword });
    expect(response.statusCode).toBe(303);
    expect((await ada.get('/settings/security')).body).toContain('Your password has been changed.');
    expect((await other.get('/settings/account')).statusCode).toBe(303);
    expect(await sessionCount()).toBe(1);
    expect((await logIn(t.app, 'ada@example.com', strongPassword)).response.statusCode).toBe(401);
    expect((await logIn(t.app, 'ada@example.com', newPassword)).response.statusCode).toBe(303);
    expect(await eventsOf(await adaId())).toContain('password.changed');
  });

  it('allows only a few attempts an hour', async () => {
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await ada.post('/settings/security/password', { currentPassword: 'wrong current password', newPassword, confirmPassword: newPassword });
    }
    const limited = await ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword, confirmPassword: newPassword });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.body).toContain('Too many password changes');
  });

  it('shows every error at once, also when the code is in the wrong shape', async () => {
    await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(61 * minute);
    await ada.get('/settings/security');
    const refused = await ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword: 'iloveyouiloveyou', confirmPassword: 'something else', code: '12345' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Enter the 6 digits your authenticator app shows');
    expect(refused.body).toContain('The two new passwords are not the same.');
    expect(refused.body).toMatch(/commonly used password|easy to guess/);
  });

  it('counts a wrong current password as a failed log-in: it is logged and shares the log-in limits', async () => {
    await ada.post('/settings/security/password', { currentPassword: 'wrong current password', newPassword, confirmPassword: newPassword });
    expect(await eventsOf(await adaId())).toContain('login.failed');
    // Nine more wrong passwords at the log-in page reach the account's limit of ten failures.
    for (let attempt = 0; attempt < 9; attempt += 1) await logIn(t.app, 'ada@example.com', 'not the password at all');
    expect((await logIn(t.app, 'ada@example.com', strongPassword)).response.statusCode).toBe(429);
  });

  it('does not change the password when this session ended while the checks ran', async () => {
    const before = (await t.db.select().from(users).where(eq(users.id, await adaId())).get())?.passwordHash;
    // The person logs out everywhere from another device while this request awaits its checks.
    const limiter = t.app.services.loginLimiter;
    const recordSuccess = limiter.recordSuccess;
    limiter.recordSuccess = async (...args) => {
      await t.app.services.sessions.invalidateAllForUser(await adaId(), 'logged-out-everywhere');
      return recordSuccess(...args);
    };
    const answer = await ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword, confirmPassword: newPassword });
    limiter.recordSuccess = recordSuccess;
    expect(answer.statusCode).toBe(422);
    expect((await t.db.select().from(users).where(eq(users.id, await adaId())).get())?.passwordHash).toBe(before);
  });
});

describe('logging out of all devices', () => {
  it('asks first, then ends every session including this one and lands on the log-in page', async () => {
    const other = (await logIn(t.app, 'ada@example.com')).browser;
    const confirmation = await ada.get('/settings/security/log-out-everywhere');
    expect(confirmation.body).toContain('Log out of all devices?');
    expect(confirmation.body).toContain('>Log out everywhere</button>');
    expect(await sessionCount()).toBe(2);
    const response = await ada.post('/settings/security/log-out-everywhere', {});
    expect(response.headers.location).toBe('/login');
    expect(await sessionCount()).toBe(0);
    expect((await other.get('/settings/account')).statusCode).toBe(303);
    expect((await ada.get('/login')).body).toContain('logged out on every device');
  });

  it('answers the old address of the page with a redirect to the new one', async () => {
    const old = await ada.get('/settings/security/sign-out-everywhere');
    expect(old.statusCode).toBe(301);
    expect(old.headers.location).toBe('/settings/security/log-out-everywhere');
    expect(await sessionCount()).toBe(1);
  });
});

describe('authenticator app', () => {
  it('needs a confirmed primary address first', async () => {
    // Accounts confirm their address by signing up; only an administrator made through a set-up link can be without.
    await t.close();
    t = await createTestApp();
    const first = await setUpAdministrator(t.app, { email: 'first@example.com' });
    const page = await first.get('/settings/security/two-factor/app');
    expect(page.body).toContain('Confirm your primary e-mail address first');
    expect(page.body).not.toContain('Begin set-up');
    const refused = await first.post('/settings/security/two-factor/app/start', {});
    expect(refused.statusCode).toBe(422);
    expect(await t.db.select().from(totpCredentials).all()).toHaveLength(0);
    await confirmPrimaryEmail(first);
    expect((await first.get('/settings/security/two-factor/app')).body).toContain('Begin set-up');
  });

  it('a GET never starts an enrolment', async () => {
    const page = await ada.get('/settings/security/two-factor/app');
    expect(page.body).toContain('Begin set-up');
    expect(await t.db.select().from(totpCredentials).all()).toHaveLength(0);
  });

  it('shows a QR code and the secret, refuses a wrong code, and turns on only with a right one', async () => {
    await ada.post('/settings/security/two-factor/app/start', {});
    const page = await ada.get('/settings/security/two-factor/app');
    expect(page.body).toContain('<svg');
    const secret = (/id="totp-secret">([^<]+)</.exec(page.body)?.[1] ?? '').replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);

    const stored = await t.db.select().from(totpCredentials).get();
    expect(stored?.pendingEncryptedSecret).toBeTruthy();
    expect(JSON.stringify(stored)).not.toContain(secret);

    const wrong = await ada.post('/settings/security/two-factor/app/confirm', { code: '000000' === (await totpCode(secret, t.clock.now)) ? '111111' : '000000' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('This code is not right');
    expect((await t.db.select().from(totpCredentials).get())?.enabledAt).toBeNull();

    const other = (await logIn(t.app, 'ada@example.com')).browser;
    const right = await ada.post('/settings/security/two-factor/app/confirm', { code: await totpCode(secret, t.clock.now) });
    // A redirect to a page of its own, so that reloading it never posts the code again.
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe('/settings/security/recovery-codes');
    const shown = await ada.get('/settings/security/recovery-codes');
    expect(shown.statusCode).toBe(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(shown.body).toContain('Two-factor authentication is on.');
    const codes = [...shown.body.matchAll(/<li><code>([A-Z0-9]{4}-[A-Z0-9]{4})<\/code><\/li>/g)].map((match) => match[1]);
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await t.db.select().from(totpCredentials).get())?.enabledAt).toBeInstanceOf(Date);
    const digests = await t.db.select().from(recoveryCodes).all();
    expect(digests).toHaveLength(10);
    for (const code of codes) expect(JSON.stringify(digests)).not.toContain(code?.replace('-', ''));
    // Never in a URL or a readable cookie, and shown once: a reload shows them no more.
    const setCookies = String(right.headers['set-cookie']);
    for (const code of codes) {
      expect(setCookies).not.toContain(code ?? '');
      expect(String(right.headers.location)).not.toContain(code ?? '');
    }
    const reloaded = await ada.get('/settings/security/recovery-codes');
    expect(reloaded.statusCode).toBe(200);
    expect(reloaded.body).not.toMatch(/<li><code>/);
    expect(await t.db.select().from(recoveryCodes).all()).toHaveLength(10);
    expect((await other.get('/settings/account')).statusCode).toBe(303);
    expect(await eventsOf(await adaId())).toEqual(expect.arrayContaining(['totp.enabled', 'recoveryCodes.generated']));
  });

  it('says so when turning it on revoked API keys made before it', async () => {
    const key = await makeKey(t, await adaId(), ['user:read'], { name: 'Old deploys' });
    await ada.get('/settings/security/two-factor/app');
    await ada.post('/settings/security/two-factor/app/start', {});
    const page = await ada.get('/settings/security/two-factor/app');
    const secret = (/id="totp-secret">([^<]+)</.exec(page.body)?.[1] ?? '').replace(/\s/g, '');
    const right = await ada.post('/settings/security/two-factor/app/confirm', { code: await totpCode(secret, t.clock.now) });
    const shown = await ada.get(String(right.headers.location));
    expect(shown.body).toContain('Your API keys made before two-factor authentication were revoked: make new ones.');
    expect(await t.app.services.apiKeys.authenticate(key.secret)).toEqual({ ok: false, reason: 'rejected' });
  });

  it('asks for a code after the password, accepts one step of drift, and never accepts a code twice', async () => {
    const { secret } = await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(2 * minute);

    const { browser, response } = await logIn(t.app, 'ada@example.com');
    expect(response.headers.location).toBe('/login/two-factor');
    expect(browser.cookies.has('dials_session')).toBe(false);
    expect((await browser.get('/settings/account')).statusCode).toBe(303);

    await browser.get('/login/two-factor');
    // Five digits cannot be a code: said so (422), not counted as a wrong one.
    expect((await browser.post('/login/two-factor', { code: '12345' })).statusCode).toBe(422);
    const code = await totpCode(secret, t.clock.now);
    const accepted = await browser.post('/login/two-factor', { code });
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe('/settings/account');
    expect((await browser.get('/settings/account')).statusCode).toBe(200);

    // The same code again, in a fresh log-in: refused (replay).
    expect((await logInWithCode(secret, code)).response.statusCode).toBe(401);
    // The previous step is older than the one used: refused too.
    expect((await logInWithCode(secret, await totpCode(secret, t.clock.now - 30_000))).response.statusCode).toBe(401);
    // The next step (a phone clock 30 s ahead) is accepted.
    expect((await logInWithCode(secret, await totpCode(secret, t.clock.now + 30_000))).response.statusCode).toBe(303);
    // Two steps away is not.
    t.clock.advance(5 * minute);
    expect((await logInWithCode(secret, await totpCode(secret, t.clock.now + 90_000))).response.statusCode).toBe(401);
    expect(await eventsOf(await adaId())).toContain('login.secondFactorFailed');
  });

  it('limits wrong codes per account', async () => {
    const { secret } = await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(minute);
    const { browser } = await logIn(t.app, 'ada@example.com');
    await browser.get('/login/two-factor');
    for (let attempt = 0; attempt < 5; attempt += 1) await browser.post('/login/two-factor', { code: '000001' });
    const limited = await browser.post('/login/two-factor', { code: await totpCode(secret, t.clock.now) });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
  });

  it('forgets a half-finished log-in after ten minutes', async () => {
    await enrolTotp(ada, () => t.clock.now);
    const { browser } = await logIn(t.app, 'ada@example.com');
    t.clock.advance(11 * minute);
    const response = await browser.get('/login/two-factor');
    expect(response.headers.location).toBe('/login');
  });

  it('re-enrolling replaces the secret: the old app stops working once the new one is confirmed', async () => {
    const first = await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(minute);
    const second = await enrolTotp(ada, () => t.clock.now);
    expect(second.secret).not.toBe(first.secret);
    expect(second.recoveryCodes).toHaveLength(0);
    t.clock.advance(minute);
    expect((await logInWithCode(first.secret)).response.statusCode).toBe(401);
    t.clock.advance(minute);
    expect((await logInWithCode(second.secret)).response.statusCode).toBe(303);
  });

  it('asks for a code in sudo mode too once enrolled', async () => {
    const { secret } = await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(61 * minute);
    await ada.get('/sudo');
    expect((await ada.post('/sudo', { password: strongPassword })).statusCode).toBe(422);
    expect((await ada.post('/sudo', { password: strongPassword, code: await totpCode(secret, t.clock.now) })).statusCode).toBe(303);
  });

  it('removing it needs confirmation and sudo, deletes the recovery codes, and log-in asks for the password only', async () => {
    await enrolTotp(ada, () => t.clock.now);
    expect((await ada.get('/settings/security/two-factor/app/remove')).body).toContain('Remove the authenticator app?');
    const removed = await ada.post('/settings/security/two-factor/app/remove', {});
    expect(removed.statusCode).toBe(303);
    expect(await t.db.select().from(totpCredentials).all()).toHaveLength(0);
    expect(await t.db.select().from(recoveryCodes).all()).toHaveLength(0);
    expect((await logIn(t.app, 'ada@example.com')).response.headers.location).toBe('/settings/account');
    expect(await eventsOf(await adaId())).toContain('totp.removed');
  });
});

describe('recovery codes', () => {
  it('each works once at log-in, in any case and with or without the dash', async () => {
    const { recoveryCodes: codes } = await enrolTotp(ada, () => t.clock.now);
    const [first = '', second = ''] = codes;
    const viaRecovery = async (input: string) => {
      const { browser } = await logIn(t.app, 'ada@example.com');
      await browser.get('/login/two-factor');
      return browser.post('/login/two-factor', { recoveryCode: input });
    };
    expect((await viaRecovery(first.toLowerCase())).statusCode).toBe(303);
    expect((await viaRecovery(first)).statusCode).toBe(401);
    expect((await viaRecovery(second.replace('-', ''))).statusCode).toBe(303);
    expect((await eventsOf(await adaId())).filter((type) => type === 'recoveryCode.used')).toHaveLength(2);
    expect((await ada.get('/settings/security')).body).toContain('8 unused recovery codes left.');
  });

  it('new codes are still shown when access lapses between making them and the page that shows them', async () => {
    await enrolTotp(ada, () => t.clock.now);
    await ada.get('/settings/security/recovery-codes');
    t.clock.advance(59 * minute);
    expect((await ada.post('/settings/security/recovery-codes', {})).statusCode).toBe(303);
    t.clock.advance(2 * minute);
    const shown = await ada.get('/settings/security/recovery-codes');
    expect(shown.statusCode).toBe(200);
    expect([...shown.body.matchAll(/<li><code>[A-Z0-9]{4}-[A-Z0-9]{4}<\/code><\/li>/g)]).toHaveLength(10);
    // Without new codes waiting, the page asks to confirm access as before.
    expect((await ada.get('/settings/security/recovery-codes')).headers.location).toMatch(/^\/sudo\?/);
  });

  it('regenerating warns first, voids the old set, and shows the new one once', async () => {
    const { recoveryCodes: old } = await enrolTotp(ada, () => t.clock.now);
    const page = await ada.get('/settings/security/recovery-codes');
    expect(page.body).toContain('all of your current codes stop working');
    expect(page.body).not.toMatch(/<li><code>/);
    const posted = await ada.post('/settings/security/recovery-codes', {});
    expect(posted.statusCode).toBe(303);
    expect(posted.headers.location).toBe('/settings/security/recovery-codes');
    const regenerated = await ada.get('/settings/security/recovery-codes');
    const fresh = [...regenerated.body.matchAll(/<li><code>([A-Z0-9]{4}-[A-Z0-9]{4})<\/code><\/li>/g)].map((match) => match[1] ?? '');
    expect(fresh).toHaveLength(10);
    expect(regenerated.body).toContain('download="dials-recovery-codes.txt"');
    const { browser } = await logIn(t.app, 'ada@example.com');
    await browser.get('/login/two-factor');
    expect((await browser.post('/login/two-factor', { recoveryCode: old[0] ?? '' })).statusCode).toBe(401);
    expect((await browser.post('/login/two-factor', { recoveryCode: fresh[0] ?? '' })).statusCode).toBe(303);
  });

  it('new codes are shown only to the session that made them', async () => {
    const { secret } = await enrolTotp(ada, () => t.clock.now);
    await ada.get('/settings/security/recovery-codes');
    const posted = await ada.post('/settings/security/recovery-codes', {});
    const setCookie = String(posted.headers['set-cookie']);
    const cookie = /dials_shown_once=([^;]+)/.exec(setCookie)?.[1] ?? '';
    expect(cookie).not.toBe('');
    expect(setCookie).toMatch(/Path=\/settings\/security\/recovery-codes/);
    expect(setCookie).toMatch(/HttpOnly/);
    // Another session of the same person, holding the cookie, sees no codes.
    t.clock.advance(minute);
    const { browser: other, response } = await logInWithCode(secret);
    expect(response.statusCode).toBe(303);
    other.cookies.set('dials_shown_once', cookie);
    const elsewhere = await other.get('/settings/security/recovery-codes');
    expect(elsewhere.statusCode).toBe(200);
    expect(elsewhere.body).not.toMatch(/<li><code>/);
  });

  it('says codes cannot be shown again, and offers new ones instead of a "view"', async () => {
    await enrolTotp(ada, () => t.clock.now);
    const security = await ada.get('/settings/security');
    expect(security.body).not.toContain('View or regenerate');
    expect(security.body).toContain('>Get new codes</a>');
    const page = await ada.get('/settings/security/recovery-codes');
    expect(page.body).toContain('Dials keeps only a fingerprint of each code, so it cannot show your current codes again.');
  });

  it('says when none are left', async () => {
    const { recoveryCodes: codes } = await enrolTotp(ada, () => t.clock.now);
    const id = await adaId();
    await t.db.update(recoveryCodes).set({ usedAt: new Date(t.clock.now) }).where(eq(recoveryCodes.userId, id)).run();
    expect(codes).toHaveLength(10);
    expect((await ada.get('/settings/security')).body).toContain('All your recovery codes are used.');
  });

  it('cannot be generated without a second factor', async () => {
    const response = await ada.post('/settings/security/recovery-codes', {});
    expect(response.statusCode).toBe(422);
    expect(await t.db.select().from(recoveryCodes).all()).toHaveLength(0);
  });
});
