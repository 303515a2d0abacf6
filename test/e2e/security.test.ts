import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolations, expectNoAxeViolationsInBothThemes } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually } from '../support/e2e-browser.ts';
import { confirmAddressThroughMail, en, logInThroughForm, logOutThroughTopBar, newPerson, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { useE2eEnvironment, useWatchedPages } from '../support/e2e-setup.ts';
import { totpCode } from '../support/totp.ts';

// One Dials and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();

const { openPage } = useWatchedPages(e2e);

const pathOf = (page: Page) => new URL(page.url()).pathname;
const heading = (page: Page) => textOf(page.getByRole('heading', { level: 1 }));
const flash = (page: Page) => textOf(page.locator('main .flash'));
/** A catalogue string with its {{placeholders}} filled in. */
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name]));

// ---- The authenticator app, played by the test: real codes from the secret on the page, at the real time.

const stepMs = 30_000;

/** The code the app shows right now, and the RFC 6238 time step it belongs to. */
async function codeNow(secret: string): Promise<{ code: string; step: number }> {
  const at = Date.now();
  return { code: await totpCode(secret, at), step: Math.floor(at / stepMs) };
}

/**
 * Dials accepts a code once, and afterwards only codes of a newer time step. Waits (no longer
 * than needed) until the step after `usedStep` has begun, plus a second, then returns its code.
 */
async function codeAfter(secret: string, usedStep: number): Promise<{ code: string; step: number }> {
  const wait = (usedStep + 1) * stepMs + 1_000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  return codeNow(secret);
}

// ---- The steps of the Security pages, as a person takes them.

const codeField = (page: Page) => page.getByLabel(en('twoFactor.code'), { exact: true });

/** From the Security page: "Set up" for the authenticator app (confirming the primary address first when asked to). */
async function openEnrolment(page: Page, email: string): Promise<void> {
  await clickAndWaitForPage(page, page.getByRole('link', { name: en('security.twoFactor.setUp'), exact: true }));
  expect(pathOf(page)).toBe('/settings/security/two-factor/app');
  if ((await page.getByText(en('security.totp.confirmEmailFirst')).count()) > 0) {
    await expectNoAxeViolationsInBothThemes(page, 'the enrolment page asking to confirm the primary address first');
    await confirmAddressThroughMail(page, email);
    await page.goto('/settings/security/two-factor/app');
  }
  expect(await heading(page)).toBe(en('security.totp.title'));
}

/** "Begin set-up", then reads the secret the page offers for typing into an app (shown in groups of four). */
async function beginEnrolment(page: Page): Promise<string> {
  expect(await page.locator('#totp-secret').count()).toBe(0);
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('security.totp.start'), exact: true }));
  expect(pathOf(page)).toBe('/settings/security/two-factor/app');
  const secret = (await textOf(page.locator('code#totp-secret'))).replace(/\s/g, '');
  // 20 random bytes in base32.
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(await page.getByRole('img', { name: en('security.totp.qrLabel') }).isVisible()).toBe(true);
  return secret;
}

/** Types the current code and presses "Turn on"; returns the step used and the recovery codes shown. */
async function turnOn(page: Page, secret: string): Promise<{ step: number; recoveryCodes: string[] }> {
  const { code, step } = await codeNow(secret);
  await codeField(page).fill(code);
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('security.totp.confirm'), exact: true }));
  expect(await heading(page)).toBe(en('security.recovery.title'));
  expect(await textOf(page.locator('main .flash'))).toBe(en('flash.totpEnabled'));
  const recoveryCodes = (await page.locator('ol#recovery-codes li').allTextContents()).map((text) => text.trim());
  return { step, recoveryCodes };
}

function expectTenRecoveryCodes(codes: string[]): void {
  expect(codes).toHaveLength(10);
  for (const code of codes) expect(code).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  expect(new Set(codes).size).toBe(10);
}

/** Logs in with e-mail and password and checks that Dials asks for the second factor. */
async function logInUpToSecondFactor(page: Page, person: { email: string; password: string }): Promise<void> {
  await logInThroughForm(page, person);
  expect(pathOf(page)).toBe('/login/two-factor');
  expect(await heading(page)).toBe(en('twoFactor.title'));
}

async function enterAppCode(page: Page, code: string): Promise<void> {
  await codeField(page).fill(code);
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('twoFactor.verify'), exact: true }));
}

const navigationLink = (page: Page, key: string) => page.getByRole('navigation', { name: en('nav.label') }).getByRole('link', { name: en(key), exact: true });

describe('two-factor authentication with the authenticator app', () => {
  it('1. with JavaScript: set up, recovery codes, log in with a code, then with a recovery code', { timeout: 120_000 }, async () => {
    const { context, page } = await openPage();
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const person = newPerson();
    await signUpThroughForm(page, person);
    expect(pathOf(page)).toBe('/settings/account');

    await clickAndWaitForPage(page, navigationLink(page, 'nav.security'));
    expect(pathOf(page)).toBe('/settings/security');
    expect(await heading(page)).toBe(en('security.title'));
    expect(await page.getByText(en('security.recovery.none'), { exact: true }).count()).toBeGreaterThan(0);

    await openEnrolment(page, person.email);
    const secret = await beginEnrolment(page);
    const { step: enrolmentStep, recoveryCodes } = await turnOn(page, secret);
    expectTenRecoveryCodes(recoveryCodes);

    // The download is a text file holding every code.
    const downloadLink = page.getByRole('link', { name: en('security.recovery.download'), exact: true });
    expect(await downloadLink.getAttribute('download')).toBe('dials-recovery-codes.txt');
    const downloading = page.waitForEvent('download');
    await downloadLink.click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('dials-recovery-codes.txt');
    const file = fs.readFileSync(await download.path(), 'utf8');
    expect(file.startsWith(en('security.recovery.fileHeader'))).toBe(true);
    for (const code of recoveryCodes) expect(file).toContain(code);

    // Copy and Print need JavaScript, so they only show with it; Copy puts the codes on the clipboard.
    const copy = page.getByRole('button', { name: en('security.recovery.copy'), exact: true });
    expect(await copy.isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: en('security.recovery.print'), exact: true }).isVisible()).toBe(true);
    await copy.click();
    await eventually(() => textOf(page.locator('#live-status')), (text) => text === en('security.recovery.copied'), 'the copy to be announced');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(recoveryCodes.join('\n'));

    await clickAndWaitForPage(page, page.getByRole('link', { name: en('security.recovery.done'), exact: true }));
    expect(pathOf(page)).toBe('/settings/security');
    expect(await page.getByText(en('security.twoFactor.on'), { exact: true }).isVisible()).toBe(true);
    expect(await page.getByText(fill(en('security.recovery.remaining_other'), { count: 10 }), { exact: true }).isVisible()).toBe(true);

    // Logging in now takes a code from the app, of a newer time step than the one used to turn it on.
    await logOutThroughTopBar(page);
    expect(pathOf(page)).toBe('/login');
    await logInUpToSecondFactor(page, person);
    const { code } = await codeAfter(secret, enrolmentStep);
    await enterAppCode(page, code);
    expect(pathOf(page)).toBe('/settings/account');
    expect(await textOf(page.locator('header .topbar-name'))).toBe(person.name);

    // Without the device: a recovery code, typed carelessly (lower case, no dash).
    await logOutThroughTopBar(page);
    await logInUpToSecondFactor(page, person);
    const recoveryOption = page.locator('details.recovery-option');
    const recoveryField = page.getByLabel(en('twoFactor.recoveryCode'), { exact: true });
    expect(await recoveryField.isVisible()).toBe(false);
    await recoveryOption.getByText(en('twoFactor.useRecoveryCode'), { exact: true }).click();
    expect(await recoveryOption.evaluate((details) => (details as HTMLDetailsElement).open)).toBe(true);
    const spent = recoveryCodes[3] ?? '';
    await recoveryField.fill(spent.toLowerCase().replace('-', ''));
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('twoFactor.useRecoveryCodeButton'), exact: true }));
    expect(pathOf(page)).toBe('/settings/account');
    expect(await flash(page)).toBe(en('flash.recoveryCodeUsed'));

    await clickAndWaitForPage(page, navigationLink(page, 'nav.security'));
    expect(await page.getByText(fill(en('security.recovery.remaining_other'), { count: 9 }), { exact: true }).isVisible()).toBe(true);
  });

  it('2. without JavaScript: the same set-up with plain form posts, and the two-factor log-in page', { timeout: 120_000 }, async () => {
    const { page } = await openPage({ javaScript: false });
    const person = newPerson();
    await signUpThroughForm(page, person);
    expect(pathOf(page)).toBe('/settings/account');

    await clickAndWaitForPage(page, navigationLink(page, 'nav.security'));
    await openEnrolment(page, person.email);
    const secret = await beginEnrolment(page);
    const { step: enrolmentStep, recoveryCodes } = await turnOn(page, secret);
    expectTenRecoveryCodes(recoveryCodes);

    // The download link works without JavaScript; Copy and Print would not, so they stay hidden.
    expect(await page.getByRole('link', { name: en('security.recovery.download'), exact: true }).isVisible()).toBe(true);
    for (const key of ['security.recovery.copy', 'security.recovery.print']) {
      const button = page.locator('main button', { hasText: en(key) });
      expect(await button.count()).toBe(1);
      expect(await button.isVisible()).toBe(false);
    }

    await clickAndWaitForPage(page, page.getByRole('link', { name: en('security.recovery.done'), exact: true }));
    expect(await page.getByText(en('security.twoFactor.on'), { exact: true }).isVisible()).toBe(true);

    await logOutThroughTopBar(page);
    await logInUpToSecondFactor(page, person);
    const { code } = await codeAfter(secret, enrolmentStep);
    await enterAppCode(page, code);
    expect(pathOf(page)).toBe('/settings/account');
    expect(await textOf(page.locator('header .topbar-name'))).toBe(person.name);
  });
});

describe('changing the password', () => {
  it('3. logs out the other browser, keeps this one logged in with a message', async () => {
    // A refused old password answers 401, which Chromium logs; that is expected here.
    const first = (await openPage()).page;
    const second = (await openPage({ expectedStatuses: [401] })).page;
    const person = newPerson();
    await signUpThroughForm(first, person);
    await logInThroughForm(second, person);
    expect(pathOf(second)).toBe('/settings/account');

    await first.goto('/settings/security');
    const form = first.locator('form[action="/settings/security/password"]');
    const newPassword = 'a fresh and rather long passphrase';
    await form.getByLabel(en('security.password.currentPassword'), { exact: true }).fill(person.password);
    await form.getByLabel(en('security.password.newPassword'), { exact: true }).fill(newPassword);
    await form.getByLabel(en('security.password.confirmPassword'), { exact: true }).fill(newPassword);
    await clickAndWaitForPage(first, form.getByRole('button', { name: en('security.password.submit'), exact: true }));
    expect(pathOf(first)).toBe('/settings/security');
    expect(await flash(first)).toBe(en('flash.passwordChanged'));

    // The other browser's next page load is the log-in page.
    await second.goto('/settings/account');
    expect(pathOf(second)).toBe('/login');
    expect(await heading(second)).toBe(en('login.title'));

    // This browser is still signed in.
    await first.goto('/settings/account');
    expect(pathOf(first)).toBe('/settings/account');
    expect(await textOf(first.locator('header .topbar-name'))).toBe(person.name);

    // The old password no longer works; the new one does.
    await logInThroughForm(second, person);
    expect(pathOf(second)).toBe('/login');
    expect(await textOf(second.getByRole('alert'))).toBe(en('errors.login.failed'));
    await logInThroughForm(second, { email: person.email, password: newPassword });
    expect(pathOf(second)).toBe('/settings/account');
  });
});

describe('accessibility of the security pages', () => {
  // The page background in each theme, from app.css's --bg (as in accessibility.test.ts); proves
  // axe checked the colours of the theme it was meant to.
  const backgrounds = { light: 'rgb(246, 247, 249)', dark: 'rgb(18, 21, 28)' };

  /** Runs axe on the page as it is, once with a light and once with a dark system colour scheme (theme "system"). */
  async function expectAccessibleInBothThemes(page: Page, where: string): Promise<void> {
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      await eventually(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor), (colour) => colour === backgrounds[scheme], `the ${scheme} theme`);
      await expectNoAxeViolations(page, `${where} (${scheme})`);
    }
    await page.emulateMedia({ colorScheme: 'light' });
  }

  it('4. every security page, also showing errors, has no WCAG 2.1 A/AA violations in light and dark', { timeout: 120_000 }, async () => {
    // Refused forms answer 422, a wrong code at log-in 401; Chromium logs both.
    const { page } = await openPage({ expectedStatuses: [401, 422] });
    const person = newPerson();
    await signUpThroughForm(page, person);

    await page.goto('/settings/security');
    await expectAccessibleInBothThemes(page, 'the security page');

    // The password form sent empty: each field shows its error, for axe to check.
    const passwordCard = page.locator('section[aria-labelledby="password-heading"]');
    await clickAndWaitForPage(page, passwordCard.getByRole('button', { name: en('security.password.submit'), exact: true }));
    expect(pathOf(page)).toBe('/settings/security/password');
    expect(await passwordCard.locator('.field-error').count()).toBeGreaterThan(0);
    expect(await passwordCard.locator('.form-error').count()).toBe(0);
    await expectAccessibleInBothThemes(page, 'the security page with password-form errors');

    await page.goto('/settings/security');
    await openEnrolment(page, person.email);
    await expectAccessibleInBothThemes(page, 'the enrolment page before set-up begins');
    const secret = await beginEnrolment(page);
    await expectAccessibleInBothThemes(page, 'the enrolment page with the QR code and secret');

    const { recoveryCodes } = await turnOn(page, secret);
    expectTenRecoveryCodes(recoveryCodes);
    await expectAccessibleInBothThemes(page, 'the recovery codes page showing new codes');

    await page.goto('/settings/security');
    await expectAccessibleInBothThemes(page, 'the security page with two-factor authentication on');
    await page.goto('/settings/security/sessions');
    expect(await heading(page)).toBe(en('sessions.title'));
    await expectAccessibleInBothThemes(page, 'the sessions page');
    await page.goto('/settings/security/log-out-everywhere');
    expect(await heading(page)).toBe(en('security.logOutEverywhere.title'));
    await expectAccessibleInBothThemes(page, 'the log-out-everywhere confirmation');
    await page.goto('/sudo?next=/settings/security');
    expect(await heading(page)).toBe(en('sudo.title'));
    await expectAccessibleInBothThemes(page, 'the confirm-access page (with code fields)');

    await logOutThroughTopBar(page);
    await logInUpToSecondFactor(page, person);
    await expectAccessibleInBothThemes(page, 'the two-factor log-in page');

    // "000000" is a wrong code except by a one-in-a-million chance per accepted step.
    await enterAppCode(page, '000000');
    expect(pathOf(page)).toBe('/login/two-factor');
    expect(await textOf(page.locator('#two-factor-code-error'))).toBe(en('errors.twoFactor.wrongCode'));
    await expectAccessibleInBothThemes(page, 'the two-factor log-in page with a wrong code');

    // A wrong recovery code: the <details> comes back open with the error inside.
    await page.locator('details.recovery-option summary').click();
    await page.getByLabel(en('twoFactor.recoveryCode'), { exact: true }).fill('AAAA-AAAA');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('twoFactor.useRecoveryCodeButton'), exact: true }));
    expect(await textOf(page.locator('#two-factor-recovery-error'))).toBe(en('errors.twoFactor.wrongRecoveryCode'));
    await expectAccessibleInBothThemes(page, 'the two-factor log-in page with a wrong recovery code');
  });
});

describe('confirming access', () => {
  it('5. the confirm-access page takes the password and goes on to the page asked for', async () => {
    const { page } = await openPage();
    const person = newPerson();
    await signUpThroughForm(page, person);
    await page.goto('/sudo?next=/settings/security');
    await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('sudo.confirm'), exact: true }));
    expect(pathOf(page)).toBe('/settings/security');
  });
});
