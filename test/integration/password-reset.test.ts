import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sessions } from '../../src/auth/tables.ts';
import { mailOutbox } from '../../src/mail/tables.ts';
import { BrowserSession, logIn, signUp, strongPassword, setUpAdministrator } from '../support/browser-session.ts';
import { linkIn } from '../support/mailbox.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { enrolTotp, totpCode } from '../support/totp.ts';

let t: TestApp;
let ada: BrowserSession;
const newPassword = 'a fresh passphrase after reset';

beforeEach(async () => {
  t = await createTestApp();
  ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
});
afterEach(async () => {
  await t.close();
});

async function requestReset(email: string | string[]) {
  const browser = new BrowserSession(t.app);
  await browser.get('/forgot-password');
  return browser.post('/forgot-password', { email });
}

async function resetLink(): Promise<string> {
  await requestReset('ada@example.com');
  const mails = t.mail.messagesTo('ada@example.com').filter((mail) => mail.subject.includes('Reset your Dials password'));
  const latest = mails.at(-1) ?? (await t.mail.waitFor('ada@example.com', 'Reset your Dials password'));
  return linkIn(latest, '/reset-password/');
}

async function waitForResetMails(count: number) {
  for (let tries = 0; tries < 200; tries += 1) {
    if (t.mail.messagesTo('ada@example.com').filter((mail) => mail.subject.includes('Reset your Dials password')).length >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('reset mail did not arrive');
}

describe('forgot password', () => {
  it('answers a known and an unknown address the same way, and mails only the known one', async () => {
    const known = await requestReset('ada@example.com');
    const unknown = await requestReset('nobody@example.com');
    expect([known.statusCode, known.headers.location]).toEqual([303, '/forgot-password']);
    expect([unknown.statusCode, unknown.headers.location]).toEqual([303, '/forgot-password']);
    await t.mail.waitFor('ada@example.com', 'Reset your Dials password');
    await t.app.services.mailWorker?.runDue();
    expect(t.mail.messagesTo('nobody@example.com')).toHaveLength(0);
    expect(await t.db.select().from(mailOutbox).where(eq(mailOutbox.recipient, 'nobody@example.com')).all()).toHaveLength(0);
  });

  it('refuses an address sent as an array (GitLab CVE-2023-7028) and sends nothing', async () => {
    const response = await requestReset(['ada@example.com', 'attacker@example.com']);
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('sent more than once');
    await t.app.services.mailWorker?.runDue();
    expect(t.mail.messagesTo('attacker@example.com')).toHaveLength(0);
    expect(await t.db.select().from(mailOutbox).where(eq(mailOutbox.kind, 'reset-password')).all()).toHaveLength(0);
  });
});

describe('the reset link', () => {
  it('shows every error at once: a code in the wrong shape, a weak password and a confirmation that differs', async () => {
    await enrolTotp(ada, () => t.clock.now);
    const link = await resetLink();
    const browser = new BrowserSession(t.app);
    await browser.get(link);
    const refused = await browser.post(link, { newPassword: 'iloveyouiloveyou', confirmPassword: 'something else', code: '12345' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Enter the 6 digits your authenticator app shows');
    expect(refused.body).toContain('The two new passwords are not the same.');
    expect(refused.body).toMatch(/commonly used password|easy to guess/);
    expect(refused.body).toMatch(/aria-invalid="true"[^>]*data-password-check|name="newPassword"[^>]*aria-invalid="true"/);
  });

  it('limits how often one client may post new passwords to a link (each costs the strength estimator)', async () => {
    const link = await resetLink();
    const browser = new BrowserSession(t.app);
    await browser.get(link);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 21; attempt += 1) {
      statuses.push((await browser.post(link, { newPassword: 'p@$$w0rd!1@m0nk3y$un$h1n3dr@g0n1qaz', confirmPassword: 'different' })).statusCode);
    }
    expect(statuses.slice(0, 20).every((status) => status === 422)).toBe(true);
    expect(statuses[20]).toBe(429);
    const limited = await browser.post(link, { newPassword: 'p@$$w0rd!1@m0nk3y$un$h1n3dr@g0n1qaz', confirmPassword: 'different' });
    expect(limited.body).toMatch(/Too many requests\. Try again in \d+ minutes\./);
  });

  it('opens a page that changes nothing until the button is pressed, then ends every session', async () => {
    const link = await resetLink();
    const other = (await logIn(t.app, 'ada@example.com')).browser;
    const browser = new BrowserSession(t.app);
    const page = await browser.get(link);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Choose a new password');
    expect(page.body).toContain('For the account ada@example.com.');
    expect((await logIn(t.app, 'ada@example.com')).response.statusCode).toBe(303);

    const done = await browser.post(link, { newPassword, confirmPassword: newPassword });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/login');
    expect(await t.db.select().from(sessions).all()).toHaveLength(0);
    expect((await ada.get('/settings/account')).statusCode).toBe(303);
    expect((await other.get('/settings/account')).statusCode).toBe(303);
    expect((await logIn(t.app, 'ada@example.com', strongPassword)).response.statusCode).toBe(401);
    expect((await logIn(t.app, 'ada@example.com', newPassword)).response.statusCode).toBe(303);
    await t.mail.waitFor('ada@example.com', 'Your Dials password was reset');
  });

  it('works once', async () => {
    const link = await resetLink();
    const browser = new BrowserSession(t.app);
    await browser.get(link);
    expect((await browser.post(link, { newPassword, confirmPassword: newPassword })).statusCode).toBe(303);
    const again = await browser.get(link);
    expect(again.statusCode).toBe(410);
    expect((await browser.post(link, { newPassword: 'yet another passphrase', confirmPassword: 'yet another passphrase' })).statusCode).toBe(410);
  });

  it('expires after an hour', async () => {
    const link = await resetLink();
    t.clock.advance(61 * 60_000);
    expect((await new BrowserSession(t.app).get(link)).statusCode).toBe(410);
  });

  it('is void once a newer link is sent, and once the password is changed', async () => {
    const first = await resetLink();
    await waitForResetMails(1);
    const second = await resetLink();
    await waitForResetMails(2);
    const latest = linkIn(t.mail.messagesTo('ada@example.com').filter((m) => m.subject.includes('Reset your Dials password')).at(-1)!, '/reset-password/');
    expect(latest).not.toBe(first);
    expect((await new BrowserSession(t.app).get(first)).statusCode).toBe(410);
    expect(second).toBeDefined();

    await ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword, confirmPassword: newPassword });
    expect((await new BrowserSession(t.app).get(latest)).statusCode).toBe(410);
  });

  it('cannot be used for another purpose: a verification link is not a reset link', async () => {
    const verification = await t.mail.waitFor('ada@example.com', 'Confirm your e-mail address');
    const token = linkIn(verification, '/verify-email/').split('/').pop();
    const browser = new BrowserSession(t.app);
    expect((await browser.get(`/reset-password/${token}`)).statusCode).toBe(410);
    await browser.get('/forgot-password');
    expect((await browser.post(`/reset-password/${token}`, { newPassword, confirmPassword: newPassword })).statusCode).toBe(410);
    expect((await logIn(t.app, 'ada@example.com')).response.statusCode).toBe(303);
  });

  it('refuses a weak or mismatched password and keeps the link usable', async () => {
    const link = await resetLink();
    const browser = new BrowserSession(t.app);
    await browser.get(link);
    expect((await browser.post(link, { newPassword: 'passwordpassword', confirmPassword: 'passwordpassword' })).statusCode).toBe(422);
    expect((await browser.post(link, { newPassword, confirmPassword: `${newPassword}!` })).statusCode).toBe(422);
    expect((await browser.post(link, { newPassword, confirmPassword: newPassword })).statusCode).toBe(303);
  });

  it('asks for the second factor when the account has one (a link alone is not enough)', async () => {
    const { secret } = await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(60_000);
    const link = await resetLink();
    const browser = new BrowserSession(t.app);
    const page = await browser.get(link);
    expect(page.body).toContain('Authentication code');
    expect((await browser.post(link, { newPassword, confirmPassword: newPassword })).statusCode).toBe(422);
    expect((await browser.post(link, { newPassword, confirmPassword: newPassword, code: '000000' })).statusCode).toBe(401);
    expect((await logIn(t.app, 'ada@example.com', newPassword)).response.statusCode).toBe(401);
    const done = await browser.post(link, { newPassword, confirmPassword: newPassword, code: await totpCode(secret, t.clock.now) });
    expect(done.statusCode).toBe(303);
  });
});

describe('verification links', () => {
  it('refuse reuse, and a link that expired', async () => {
    await signUp(t.app, { email: 'grace@example.com', name: 'Grace' });
    const mail = await t.mail.waitFor('grace@example.com', 'finish signing up');
    const link = linkIn(mail, '/verify-email/');
    expect((await new BrowserSession(t.app).get(link)).statusCode).toBe(410);

    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    await browser.post('/signup', { name: 'Late', email: 'late@example.com', password: strongPassword, timezone: '' });
    const late = linkIn(await t.mail.waitFor('late@example.com', 'finish signing up'), '/verify-email/');
    t.clock.advance(25 * 60 * 60_000);
    expect((await browser.get(late)).statusCode).toBe(410);
    expect((await logIn(t.app, 'late@example.com')).response.statusCode).toBe(401);
  });
});

describe('finishing a sign-up', () => {
  it('needs the password chosen at sign-up, so a mailed link alone opens nothing', async () => {
    const browser = new BrowserSession(t.app);
    await browser.get('/signup');
    await browser.post('/signup', { name: 'Mallory', email: 'victim@example.com', password: 'words the intruder chose', timezone: '' });
    const link = linkIn(await t.mail.waitFor('victim@example.com', 'finish signing up'), '/verify-email/');

    const victim = new BrowserSession(t.app);
    const page = await victim.get(link);
    expect(page.body).toContain('Enter the password you chose when you signed up');
    expect((await victim.post(link, {})).statusCode).toBe(422);
    expect((await victim.post(link, { password: 'the victim guesses wrong' })).statusCode).toBe(401);
    expect(victim.cookies.has('dials_session')).toBe(false);
    expect((await logIn(t.app, 'victim@example.com', 'words the intruder chose')).response.statusCode).toBe(401);

    const finished = await browser.post(link, { password: 'words the intruder chose' });
    expect(finished.headers.location).toBe('/settings/account');
  });
});
