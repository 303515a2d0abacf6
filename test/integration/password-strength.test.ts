import { Writable } from 'node:stream';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { loggerOptions } from '../../src/logging.ts';
import { BrowserSession, logIn, signUp, strongPassword } from '../support/browser-session.ts';
import { linkIn } from '../support/mailbox.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const zebulon = { name: 'Zebulon Quartermaine', email: 'zebulon.quartermaine@example.org' };
// Each is 15 characters or more, and each was accepted before the strength estimator judged passwords.
const weakLongPasswords = ['123456789012345', 'Password1234567', 'iloveyouiloveyou', 'P@ssw0rdP@ssw0rd', 'password password password', 'zebulon2024zebulon2024'];
const goodPassphrase = 'tangerine orbit quietly sings';

async function signUpForm(fields: Record<string, string>) {
  const browser = new BrowserSession(t.app);
  await browser.get('/signup');
  const response = await browser.post('/signup', { name: zebulon.name, email: zebulon.email, password: goodPassphrase, timezone: '', ...fields });
  return { browser, response };
}

/** The text of an element with this id, tags dropped and whitespace collapsed. */
function textOfId(html: string, id: string): string {
  const match = new RegExp(`<(\\w+)[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  const entities: Record<string, string> = { '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>', '&amp;': '&' };
  return (match?.[2] ?? '').replace(/<[^>]+>/g, ' ').replace(/&(quot|#39|lt|gt|amp);/g, (entity) => entities[entity] ?? entity).replace(/\s+/g, ' ').trim();
}

describe('signing up', () => {
  it.each(weakLongPasswords)('refuses %j, says why next to the field, and creates nobody', async (password) => {
    const { response } = await signUpForm({ password });
    expect(response.statusCode).toBe(422);
    expect(response.body).toMatch(/id="signup-password"[^>]*aria-invalid="true"/);
    expect(textOfId(response.body, 'signup-password-error')).not.toBe('');
    expect(await t.db.select().from(users).all()).toHaveLength(0);
    expect(response.body).not.toContain(password);
  });

  it('shows the estimator\'s warning and suggestions next to the field, without JavaScript', async () => {
    const { response } = await signUpForm({ password: 'iloveyouiloveyou' });
    expect(textOfId(response.body, 'signup-password-error')).toBe('This password would be easy to guess. Choose another.');
    const feedback = textOfId(response.body, 'signup-password-feedback');
    expect(feedback).toContain('Repeated patterns like "abcabcabc" are easy to guess.');
    expect(feedback).toContain('Avoid repeated words and characters.');
    expect(response.body).toMatch(/id="signup-password"[^>]*aria-describedby="[^"]*signup-password-feedback/);
  });

  it('says so when the password is built from the person\'s own name', async () => {
    const { response } = await signUpForm({ password: 'Quartermaine!1985' });
    expect(response.statusCode).toBe(422);
    expect(textOfId(response.body, 'signup-password-error')).toBe("Don't use your name or e-mail address in your password.");
  });

  it('speaks the person\'s language', async () => {
    const browser = new BrowserSession(t.app);
    await browser.get('/signup', { 'accept-language': 'fr' });
    const response = await browser.post('/signup', { ...zebulon, password: 'iloveyouiloveyou', timezone: '' }, { headers: { 'accept-language': 'fr' } });
    expect(textOfId(response.body, 'signup-password-feedback')).toContain('Les motifs répétés comme « abcabcabc » sont faciles à deviner.');
  });

  it('accepts a good long passphrase', async () => {
    const { response } = await signUpForm({});
    expect(response.statusCode).toBe(303);
    expect(await t.db.select().from(users).where(eq(users.email, zebulon.email)).get()).toBeDefined();
  });

  it('shows every error at once: name, address and password in one 422 answer', async () => {
    const { response } = await signUpForm({ name: '   ', email: 'not-an-address', password: 'short' });
    expect(response.statusCode).toBe(422);
    expect(textOfId(response.body, 'signup-name-error')).toBe('Enter your name.');
    expect(textOfId(response.body, 'signup-email-error')).toContain('Enter an e-mail address like');
    expect(textOfId(response.body, 'signup-password-error')).toBe('Use at least 15 characters.');
    for (const id of ['signup-name', 'signup-email', 'signup-password']) expect(response.body).toMatch(new RegExp(`id="${id}"[^>]*aria-invalid="true"`));
    // The title says so first, for a screen reader landing on the page again.
    expect(response.body).toContain('<title>Error: ');
    // What was typed comes back, except the password.
    expect(response.body).toContain('value="not-an-address"');
    expect(await t.db.select().from(users).all()).toHaveLength(0);
  });

  it('judges the password against the address typed even when the name is refused', async () => {
    const { response } = await signUpForm({ name: '', password: 'zebulon.quartermaine@example.org!' });
    expect(textOfId(response.body, 'signup-name-error')).toBe('Enter your name.');
    expect(textOfId(response.body, 'signup-password-error')).toBe("Don't use your name or e-mail address in your password.");
  });
});

describe('changing the password', () => {
  it.each(weakLongPasswords)('refuses %j with the reason and feedback, and keeps the old password', async (password) => {
    const browser = await signUp(t.app, { ...zebulon });
    const response = await browser.post('/settings/security/password', { currentPassword: strongPassword, newPassword: password, confirmPassword: password });
    expect(response.statusCode).toBe(422);
    expect(textOfId(response.body, 'password-newPassword-error')).not.toBe('');
    expect(textOfId(response.body, 'password-newPassword-feedback')).not.toBe('');
    expect((await logIn(t.app, zebulon.email)).response.statusCode).toBe(303);
  });

  it('names a weak new password and a mismatched confirmation together', async () => {
    const browser = await signUp(t.app, { ...zebulon });
    const response = await browser.post('/settings/security/password', { currentPassword: strongPassword, newPassword: 'iloveyouiloveyou', confirmPassword: 'something else' });
    expect(response.statusCode).toBe(422);
    expect(textOfId(response.body, 'password-newPassword-error')).toBe('This password would be easy to guess. Choose another.');
    expect(textOfId(response.body, 'password-confirmPassword-error')).toBe('The two new passwords are not the same.');
  });

  it('accepts a good long passphrase', async () => {
    const browser = await signUp(t.app, { ...zebulon });
    const response = await browser.post('/settings/security/password', { currentPassword: strongPassword, newPassword: goodPassphrase, confirmPassword: goodPassphrase });
    expect(response.statusCode).toBe(303);
    expect((await logIn(t.app, zebulon.email, goodPassphrase)).response.statusCode).toBe(303);
  });
});

describe('resetting the password', () => {
  async function resetPage() {
    await signUp(t.app, { ...zebulon });
    const browser = new BrowserSession(t.app);
    await browser.get('/forgot-password');
    await browser.post('/forgot-password', { email: zebulon.email });
    const link = linkIn(await t.mail.waitFor(zebulon.email, 'Reset your Dials password'), '/reset-password/');
    await browser.get(link);
    return { browser, link };
  }

  it('refuses a guessable password with the feedback, and accepts a good passphrase', async () => {
    const { browser, link } = await resetPage();
    for (const password of ['P@ssw0rdP@ssw0rd', 'zebulon2024zebulon2024']) {
      const refused = await browser.post(link, { newPassword: password, confirmPassword: password });
      expect(refused.statusCode).toBe(422);
      expect(textOfId(refused.body, 'reset-newPassword-error')).not.toBe('');
      expect(textOfId(refused.body, 'reset-newPassword-feedback')).toContain('Avoid repeated words and characters.');
    }
    const both = await browser.post(link, { newPassword: 'iloveyouiloveyou', confirmPassword: 'something else' });
    expect(textOfId(both.body, 'reset-newPassword-error')).not.toBe('');
    expect(textOfId(both.body, 'reset-confirmPassword-error')).toBe('The two new passwords are not the same.');
    const accepted = await browser.post(link, { newPassword: goodPassphrase, confirmPassword: goodPassphrase });
    expect(accepted.headers.location).toBe('/login');
    expect((await logIn(t.app, zebulon.email, goodPassphrase)).response.statusCode).toBe(303);
  });
});

describe('the as-you-type check', () => {
  async function check(browser: BrowserSession, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return browser.post('/password-check', fields, { htmx: true, csrf: false, headers: { 'x-csrf-token': browser.csrfToken, ...headers } });
  }

  it('answers the feedback fragment for the sign-up form, knowing the name and address typed', async () => {
    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    const weak = await check(browser, { password: 'iloveyouiloveyou' });
    expect(weak.statusCode).toBe(200);
    expect(weak.body).toContain('This password would be easy to guess. Choose another.');
    expect(weak.body).toContain('Repeated patterns like &quot;abcabcabc&quot; are easy to guess.');
    expect(weak.body).not.toContain('<html');
    const personal = await check(browser, { name: zebulon.name, email: zebulon.email, password: 'Quartermaine!1985' });
    expect(personal.body).toContain("Don&#39;t use your name or e-mail address in your password.");
    const short = await check(browser, { password: 'tangerine' });
    expect(short.body).toContain('Use at least 15 characters.');
    const good = await check(browser, { name: zebulon.name, email: zebulon.email, password: goodPassphrase });
    expect(good.body).toContain('This password is strong enough.');
    expect((await check(browser, { password: '' })).body.trim()).toBe('');
  });

  it('knows a signed-in person, and a reset link\'s person', async () => {
    const browser = await signUp(t.app, { ...zebulon });
    const signedIn = await check(browser, { newPassword: 'Quartermaine!1985' });
    expect(signedIn.body).toContain('name or e-mail address');

    const visitor = new BrowserSession(t.app);
    await visitor.get('/forgot-password');
    await visitor.post('/forgot-password', { email: zebulon.email });
    const link = linkIn(await t.mail.waitFor(zebulon.email, 'Reset your Dials password'), '/reset-password/');
    await visitor.get(link);
    const token = link.split('/').pop() ?? '';
    expect((await check(visitor, { newPassword: 'Quartermaine!1985', resetToken: token })).body).toContain('name or e-mail address');
    expect((await check(visitor, { newPassword: 'Quartermaine!1985', resetToken: 'a'.repeat(32) })).body).toContain('strong enough');
  });

  it('needs the CSRF token, refuses unknown fields, and is rate-limited', async () => {
    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    const forged = await browser.post('/password-check', { password: 'iloveyouiloveyou' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    const extra = await check(browser, { password: 'iloveyouiloveyou', role: 'admin' });
    expect(extra.statusCode).toBe(422);
    let last = 200;
    for (let attempt = 0; attempt < 70 && last !== 429; attempt += 1) last = (await check(browser, { password: 'abc' })).statusCode;
    expect(last).toBe(429);
  });

  it('is offered on the sign-up, security and reset forms', async () => {
    const browser = new BrowserSession(t.app);
    const signup = await browser.get('/signup');
    expect(signup.body).toMatch(/id="signup-password"[^>]*hx-post="\/password-check"/);
    expect(signup.body).toMatch(/id="signup-password-feedback"[^>]*aria-live="polite"/);
    const ada = await signUp(t.app, { ...zebulon });
    expect((await ada.get('/settings/security')).body).toMatch(/id="password-newPassword"[^>]*hx-post="\/password-check"[^>]*hx-params="newPassword"/);
  });

  it('leaves neither the password nor a reset token in the logs', async () => {
    await t.close();
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    t = await createTestApp({}, { logger: { ...(loggerOptions('trace') as object), stream: sink } });
    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    const typed = 'a secret being typed right now';
    const token = 'abcdefghijklmnopqrstuvwxyz234567';
    expect((await check(browser, { newPassword: typed, resetToken: token })).statusCode).toBe(200);
    const log = lines.join('\n');
    expect(log).toContain('/password-check');
    expect(log).not.toContain(typed);
    expect(log).not.toContain(token);
  });
});
