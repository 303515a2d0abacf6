import { and, eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recoveryCodes, userEmails, securityEvents, users } from '../../src/auth/tables.ts';
import { BrowserSession, logIn, signUp, strongPassword } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { confirmPrimaryEmail, enrolTotp, totpCode } from '../support/totp.ts';

let t: TestApp;
let ada: BrowserSession;
const minute = 60_000;
const newPassword = 'a brand new passphrase for ada';
const fromEmailsPage = { headers: { referer: 'http://localhost/settings/emails' } };

beforeEach(async () => {
  t = await createTestApp();
  ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  await confirmPrimaryEmail(ada);
});
afterEach(async () => {
  await t.close();
});

const adaId = async () => (await t.db.select().from(users).where(eq(users.email, 'ada@example.com')).get())?.id ?? -1;
const addressesOfAda = async () => (await t.db.select().from(userEmails).where(eq(userEmails.userId, await adaId())).all()).map((row) => row.address);
const eventsOfAda = async () => (await t.db.select().from(securityEvents).where(eq(securityEvents.userId, await adaId())).all()).map((event) => event.type);
const resumeOf = (location: string | undefined) => new URL(location ?? '/', 'http://localhost').searchParams.get('resume');

describe('a sensitive form posted after access has lapsed', () => {
  it('is kept through "Confirm access" and finished with one press, without JavaScript', async () => {
    t.clock.advance(61 * minute);
    const attempt = await ada.post('/settings/emails', { address: 'ada.work@example.com' }, fromEmailsPage);
    expect(attempt.statusCode).toBe(303);
    expect(attempt.headers.location).toMatch(/^\/sudo\?next=%2Fsettings%2Femails&resume=/);
    expect(await addressesOfAda()).toEqual(['ada@example.com']);
    // The typed address travels sealed: it cannot be read from the URL.
    expect(attempt.headers.location).not.toContain('ada.work');

    const sudoPage = await ada.get(attempt.headers.location ?? '');
    expect(sudoPage.body).toContain('Once you confirm, you can finish:');
    expect(sudoPage.body).toContain('Add ada.work@example.com to your e-mail addresses');
    const resume = resumeOf(attempt.headers.location) ?? '';
    expect(sudoPage.body).toContain(`name="resume" value="${resume}"`);

    // A wrong password keeps the form too.
    const wrong = await ada.post('/sudo', { password: 'not my password at all', next: '/settings/emails', resume });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain(`name="resume" value="${resume}"`);
    expect(wrong.body).toContain('Add ada.work@example.com to your e-mail addresses');

    const confirmed = await ada.post('/sudo', { password: strongPassword, next: '/settings/emails', resume });
    expect(confirmed.statusCode).toBe(303);
    expect(confirmed.headers.location).toBe(`/sudo/continue?resume=${encodeURIComponent(resume)}`);

    const continuePage = await ada.get(confirmed.headers.location ?? '');
    expect(continuePage.statusCode).toBe(200);
    expect(continuePage.body).toContain('Finish what you started');
    expect(continuePage.body).toContain('Add ada.work@example.com to your e-mail addresses');
    expect(continuePage.body).toContain('<form method="post" action="/settings/emails"');
    expect(continuePage.body).toContain('name="address" value="ada.work@example.com"');
    expect(continuePage.body).toMatch(/<a href="\/settings\/emails">Cancel<\/a>/);
    // Back on "Confirm access" now that access is confirmed (another tab, say): straight on to Continue.
    expect((await ada.get(attempt.headers.location ?? '')).headers.location).toBe(confirmed.headers.location);
    // Opening the page changed nothing.
    expect(await addressesOfAda()).toEqual(['ada@example.com']);

    // One press: the fields with this (new) session's CSRF token.
    expect(continuePage.body).toContain(`name="_resume" value="${resume}"`);
    const done = await ada.post('/settings/emails', { address: 'ada.work@example.com', _resume: resume });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe('/settings/emails');
    expect(await addressesOfAda()).toEqual(['ada@example.com', 'ada.work@example.com']);
    expect((await ada.get('/settings/emails')).body).toContain('ada.work@example.com');
  });

  it('is carried out once: Back to "Continue" and a second press change nothing', async () => {
    const { secret } = await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(61 * minute);
    const attempt = await ada.post('/settings/security/recovery-codes', {}, { headers: { referer: 'http://localhost/settings/security/recovery-codes' } });
    const resume = resumeOf(attempt.headers.location) ?? '';
    await ada.get(attempt.headers.location ?? '');
    const confirmed = await ada.post('/sudo', { password: strongPassword, next: '/settings/security', resume, code: await totpCode(secret, t.clock.now) });
    const continuePath = confirmed.headers.location ?? '';
    expect(continuePath).toMatch(/^\/sudo\/continue\?/);
    await ada.get(continuePath);
    const first = await ada.post('/settings/security/recovery-codes', { _resume: resume });
    expect(first.headers.location).toBe('/settings/security/recovery-codes');
    const shown = await ada.get('/settings/security/recovery-codes');
    const codes = [...shown.body.matchAll(/<li><code>([A-Z0-9]{4}-[A-Z0-9]{4})<\/code><\/li>/g)].map((match) => match[1]);
    expect(codes).toHaveLength(10);
    const codeRows = async () => (await t.db.select().from(recoveryCodes).where(eq(recoveryCodes.userId, await adaId())).all()).map((row) => row.id);
    const savedSet = await codeRows();

    // Back to the Continue page: it says it was done, and offers no second press.
    const back = await ada.get(continuePath);
    expect(back.statusCode).toBe(303);
    expect(back.headers.location).toBe('/settings/security/recovery-codes');
    const afterBack = await ada.get('/settings/security/recovery-codes');
    expect(afterBack.body).toContain('That was done already');
    // A second press with the same kept form (the page was still open) makes no new codes.
    const again = await ada.post('/settings/security/recovery-codes', { _resume: resume });
    expect(again.headers.location).toBe(continuePath);
    await ada.get(continuePath);
    expect(await codeRows()).toEqual(savedSet);
    // One set at enrolment, one from the kept form: none from the second press.
    expect((await eventsOfAda()).filter((type) => type === 'recoveryCodes.generated')).toHaveLength(2);
  });

  it('points out a mistyped address before asking to confirm access', async () => {
    t.clock.advance(61 * minute);
    const attempt = await ada.post('/settings/emails', { address: '"><script>@example.com' }, fromEmailsPage);
    expect(attempt.statusCode).toBe(422);
    expect(attempt.body).toContain('Enter an e-mail address like');
    expect(await addressesOfAda()).toEqual(['ada@example.com']);
  });

  it('answers htmx with a redirect that keeps the form too', async () => {
    t.clock.advance(61 * minute);
    const response = await ada.post('/settings/emails', { address: 'ada.htmx@example.com' }, { htmx: true, headers: { 'hx-current-url': 'http://localhost/settings/emails' } });
    expect(response.statusCode).toBe(403);
    const target = response.headers['hx-redirect'];
    expect(target).toMatch(/^\/sudo\?next=%2Fsettings%2Femails&resume=/);
    expect((await ada.get(String(target))).body).toContain('Add ada.htmx@example.com to your e-mail addresses');
  });

  it('keeps a form without fields, such as removing an address', async () => {
    await ada.post('/settings/emails', { address: 'ada.second@example.com' });
    const id = (await t.db.select().from(userEmails).where(eq(userEmails.address, 'ada.second@example.com')).get())?.id;
    t.clock.advance(61 * minute);
    const attempt = await ada.post(`/settings/emails/${id}/remove`, {}, fromEmailsPage);
    const resume = resumeOf(attempt.headers.location) ?? '';
    await ada.get(attempt.headers.location ?? '');
    const confirmed = await ada.post('/sudo', { password: strongPassword, next: '/settings/emails', resume });
    const page = await ada.get(confirmed.headers.location ?? '');
    expect(page.body).toContain('Remove an e-mail address');
    expect(page.body).toContain(`action="/settings/emails/${id}/remove"`);
    expect(await addressesOfAda()).toHaveLength(2);
    await ada.post(`/settings/emails/${id}/remove`, {});
    expect(await addressesOfAda()).toEqual(['ada@example.com']);
  });

  it('never carries a secret: a form with a code goes back to its page instead', async () => {
    await ada.post('/settings/security/two-factor/app/start', {});
    t.clock.advance(61 * minute);
    const attempt = await ada.post('/settings/security/two-factor/app/confirm', { code: '123456' }, { headers: { referer: 'http://localhost/settings/security/two-factor/app' } });
    expect(attempt.headers.location).toBe('/sudo?next=%2Fsettings%2Fsecurity%2Ftwo-factor%2Fapp&notKept=1');
    // The page says the code was not kept, so the person knows to enter a fresh one afterwards.
    expect((await ada.get(attempt.headers.location ?? '')).body).toContain('held a code or a password, which Dials never keeps');
    const confirmed = await ada.post('/sudo', { password: strongPassword, next: '/settings/security/two-factor/app' });
    expect(confirmed.headers.location).toBe('/settings/security/two-factor/app');
  });

  it('opens only for the same person, unaltered, within fifteen minutes, and only once access is confirmed', async () => {
    t.clock.advance(61 * minute);
    const attempt = await ada.post('/settings/emails', { address: 'ada.work@example.com' }, fromEmailsPage);
    const resume = resumeOf(attempt.headers.location) ?? '';

    // Not confirmed yet: the continue page sends to "Confirm access", keeping the form.
    const early = await ada.get(`/sudo/continue?resume=${encodeURIComponent(resume)}`);
    expect(early.headers.location).toBe(`/sudo?next=%2Fsettings%2Femails&resume=${encodeURIComponent(resume)}`);

    // Someone else, even in sudo mode, gets nothing from it.
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const stolen = await grace.get(`/sudo/continue?resume=${encodeURIComponent(resume)}`);
    expect(stolen.headers.location).toBe('/settings/account');
    expect((await grace.get('/settings/account')).body).toContain('That request has expired or is not yours.');
    expect((await grace.get(`/sudo?next=/settings/emails&resume=${encodeURIComponent(resume)}`)).body).not.toContain('ada.work');

    // An altered one is refused.
    const altered = resume.slice(0, -2) + (resume.endsWith('AA') ? 'BB' : 'AA');
    await ada.get('/sudo');
    const withAltered = await ada.post('/sudo', { password: strongPassword, next: '/settings/emails', resume: altered });
    expect(withAltered.headers.location).toBe('/settings/emails');

    // After fifteen minutes it is gone.
    t.clock.advance(16 * minute);
    expect((await ada.get(`/sudo/continue?resume=${encodeURIComponent(resume)}`)).headers.location).toBe('/settings/account');
    expect(await addressesOfAda()).toEqual(['ada@example.com']);
  });

  it('the final press still needs this session\'s CSRF token', async () => {
    t.clock.advance(61 * minute);
    const attempt = await ada.post('/settings/emails', { address: 'ada.work@example.com' }, fromEmailsPage);
    const resume = resumeOf(attempt.headers.location) ?? '';
    const oldToken = ada.csrfToken;
    await ada.get(attempt.headers.location ?? '');
    await ada.post('/sudo', { password: strongPassword, next: '/settings/emails', resume });
    const forged = await ada.post('/settings/emails', { _csrf: oldToken, address: 'ada.work@example.com' }, { csrf: false });
    expect(forged.statusCode).toBe(403);
    expect(await addressesOfAda()).toEqual(['ada@example.com']);
  });
});

describe('changing the password after access has lapsed', () => {
  it('needs only the current password when no second factor is enrolled: it is the re-authentication', async () => {
    t.clock.advance(61 * minute);
    const page = await ada.get('/settings/security');
    expect(page.body).not.toContain('id="password-code"');
    const changed = await ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword, confirmPassword: newPassword });
    expect(changed.statusCode).toBe(303);
    expect(changed.headers.location).toBe('/settings/security');
    expect((await logIn(t.app, 'ada@example.com', newPassword)).response.statusCode).toBe(303);
    expect(await eventsOfAda()).toContain('password.changed');
    expect(await eventsOfAda()).not.toContain('sudo.confirmed');
  });

  it('asks for the second factor on the same form when one is enrolled, and refuses a wrong code', async () => {
    const { secret } = await enrolTotp(ada, () => t.clock.now);
    // Within the window, the current password is enough.
    expect((await ada.get('/settings/security')).body).not.toContain('id="password-code"');
    t.clock.advance(61 * minute);
    const page = await ada.get('/settings/security');
    expect(page.body).toContain('id="password-code"');
    expect(page.body).toContain('id="password-recoveryCode"');

    const withoutCode = await ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword, confirmPassword: newPassword });
    expect(withoutCode.statusCode).toBe(422);
    expect(withoutCode.body).toMatch(/id="password-code-error"[^>]*>Enter the code/);
    const wrongCode = await ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword, confirmPassword: newPassword, code: '000000' });
    expect(wrongCode.statusCode).toBe(422);
    expect((await logIn(t.app, 'ada@example.com', newPassword)).response.statusCode).toBe(401);

    const changed = await ada.post('/settings/security/password', {
      currentPassword: strongPassword,
      newPassword,
      confirmPassword: newPassword,
      code: await totpCode(secret, t.clock.now),
    });
    expect(changed.statusCode).toBe(303);
    expect(await eventsOfAda()).toContain('password.changed');
  });

  it('a wrong current password never reaches the second factor, and attempts stay limited per hour', async () => {
    await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(61 * minute);
    const wrong = await ada.post('/settings/security/password', { currentPassword: 'not the current one at all', newPassword, confirmPassword: newPassword, code: '000000' });
    expect(wrong.body).toContain('This is not your current password.');
    expect(await eventsOfAda()).not.toContain('login.secondFactorFailed');
    for (let attempt = 0; attempt < 4; attempt += 1) {
      await ada.post('/settings/security/password', { currentPassword: 'not the current one at all', newPassword, confirmPassword: newPassword });
    }
    expect((await ada.post('/settings/security/password', { currentPassword: strongPassword, newPassword, confirmPassword: newPassword })).statusCode).toBe(429);
  });
});

describe('the continue page itself', () => {
  it('never appears without a kept form', async () => {
    expect((await ada.get('/sudo/continue')).headers.location).toBe('/settings/account');
    expect((await ada.get('/sudo/continue?resume=v1.a.b.c')).headers.location).toBe('/settings/account');
    const anonymous = await t.app.inject({ method: 'GET', url: '/sudo/continue?resume=x' });
    expect(anonymous.headers.location).toMatch(/^\/login\?next=/);
    expect(await t.db.select().from(userEmails).where(and(eq(userEmails.userId, await adaId()))).all()).toHaveLength(1);
  });
});
