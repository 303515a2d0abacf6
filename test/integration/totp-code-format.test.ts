import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { securityEvents, totpCredentials } from '../../src/auth/tables.ts';
import { BrowserSession, logIn, signUp, strongPassword } from '../support/browser-session.ts';
import { linkIn } from '../support/mailbox.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { confirmPrimaryEmail, enrolTotp, totpCode } from '../support/totp.ts';

let t: TestApp;
let ada: BrowserSession;
const minute = 60_000;
const sixDigits = 'Enter the 6 digits your authenticator app shows, like 123456.';
const notSixDigits = ['12345', '1234567', 'abcdef', '12a456', '0000000000'];

beforeEach(async () => {
  t = await createTestApp();
  ada = await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  await confirmPrimaryEmail(ada);
});
afterEach(async () => {
  await t.close();
});

const failedAttempts = async () => (await t.db.select().from(securityEvents).where(eq(securityEvents.type, 'login.secondFactorFailed')).all()).length;

describe('a code that is not six digits is called that, not "wrong or already used"', () => {
  it('when setting up the authenticator app; a code with a space, as apps show it, is accepted', async () => {
    await ada.post('/settings/security/two-factor/app/start', {});
    const page = await ada.get('/settings/security/two-factor/app');
    const secret = (/id="totp-secret">([^<]+)</.exec(page.body)?.[1] ?? '').replace(/\s/g, '');
    for (const code of notSixDigits) {
      const response = await ada.post('/settings/security/two-factor/app/confirm', { code });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain(`<p class="field-error" id="totp-code-error">${sixDigits}</p>`);
      expect(response.body).not.toContain('already been used');
    }
    const empty = await ada.post('/settings/security/two-factor/app/confirm', { code: '' });
    expect(empty.body).toContain('Enter the code from your authenticator app.');
    expect((await t.db.select().from(totpCredentials).get())?.enabledAt).toBeNull();

    const code = await totpCode(secret, t.clock.now);
    const spaced = await ada.post('/settings/security/two-factor/app/confirm', { code: `${code.slice(0, 3)} ${code.slice(3)}` });
    expect(spaced.statusCode).toBe(303);
    expect((await t.db.select().from(totpCredentials).get())?.enabledAt).toBeInstanceOf(Date);
  });

  it('at the second step of logging in, without costing an attempt', async () => {
    await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(minute);
    const { browser } = await logIn(t.app, 'ada@example.com');
    await browser.get('/login/two-factor');
    for (const code of notSixDigits) {
      const response = await browser.post('/login/two-factor', { code });
      expect(response.statusCode).toBe(422);
      expect(response.body).toContain(sixDigits);
    }
    expect(await failedAttempts()).toBe(0);
    // A wrong code of the right shape is still called wrong.
    const wrong = await browser.post('/login/two-factor', { code: '000000' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('This code is not right');
  });

  it('when confirming access', async () => {
    await enrolTotp(ada, () => t.clock.now);
    t.clock.advance(61 * minute);
    await ada.get('/sudo?next=%2Fsettings%2Fsecurity');
    const response = await ada.post('/sudo', { password: strongPassword, code: '12345', next: '/settings/security' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(sixDigits);
    expect(await failedAttempts()).toBe(0);
  });

  it('when resetting the password', async () => {
    await enrolTotp(ada, () => t.clock.now);
    const stranger = new BrowserSession(t.app);
    await stranger.get('/forgot-password');
    await stranger.post('/forgot-password', { email: 'ada@example.com' });
    const link = linkIn(await t.mail.waitFor('ada@example.com', 'Reset your Dials password'), '/reset-password/');
    await stranger.get(link);
    const newPassword = 'a fresh passphrase after the reset';
    const response = await stranger.post(link, { newPassword, confirmPassword: newPassword, code: 'abcdef' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain(sixDigits);
    // Nothing changed: the old password still works.
    expect((await logIn(t.app, 'ada@example.com')).response.headers.location).toBe('/login/two-factor');
  });
});
