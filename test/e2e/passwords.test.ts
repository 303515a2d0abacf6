import { eq, inArray } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { sessions, users } from '../../src/auth/tables.ts';
import { expectNoAxeViolations } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually } from '../support/e2e-browser.ts';
import { countNavigations, en, newPerson, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { useE2eEnvironment, useWatchedPages } from '../support/e2e-setup.ts';

// One Dials and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();
const { openPage } = useWatchedPages(e2e);

const pathOf = (page: Page) => new URL(page.url()).pathname;
const heading = (page: Page) => textOf(page.getByRole('heading', { level: 1 }));
const flash = (page: Page) => textOf(page.locator('main .flash'));
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name]));

/** Makes the person's sessions look signed in two hours ago, so access has lapsed (the window is an hour). */
async function lapseAccess(email: string): Promise<void> {
  const db = e2e.server.db;
  const owner = db.select({ id: users.id }).from(users).where(eq(users.email, email));
  await db.update(sessions).set({ reauthenticatedAt: new Date(Date.now() - 2 * 60 * 60_000) }).where(inArray(sessions.userId, owner)).run();
}

describe('password feedback', () => {
  it('1. with JavaScript: feedback appears next to the field as the person types, in place', async () => {
    const { page } = await openPage();
    const person = newPerson('Zebulon Quartermaine');
    await page.goto('/signup');
    const navigations = countNavigations(page);
    await page.getByLabel(en('fields.name'), { exact: true }).fill(person.name);
    await page.getByLabel(en('fields.email'), { exact: true }).fill(person.email);
    const password = page.getByLabel(en('fields.password'), { exact: true });
    const feedback = page.locator('#signup-password-feedback');
    expect(await feedback.getAttribute('aria-live')).toBe('polite');

    await password.pressSequentially('iloveyou', { delay: 15 });
    await eventually(() => textOf(feedback), (text) => text.includes(en('errors.password.tooShort')), 'the length to be mentioned');
    await password.pressSequentially('iloveyou', { delay: 15 });
    await eventually(() => textOf(feedback), (text) => text.includes(en('passwordFeedback.warnings.extendedRepeat')), 'the repeat warning');
    expect(await textOf(feedback)).toContain(en('errors.password.guessable'));
    expect(await textOf(feedback)).toContain(en('passwordFeedback.suggestions.repeated'));
    await expectNoAxeViolations(page, 'the sign-up page with password feedback');

    // The person's own name is an easy guess.
    await password.fill('Quartermaine!1985');
    await eventually(() => textOf(feedback), (text) => text.includes(en('errors.password.containsPersonalData')), 'the personal-data warning');

    await password.fill('tangerine orbit quietly sings');
    await eventually(() => textOf(feedback), (text) => text === en('passwordFeedback.strongEnough'), 'the all-clear');
    expect(navigations()).toBe(0);
    expect(pathOf(page)).toBe('/signup');

    await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('signup.submit') }));
    expect(pathOf(page)).not.toBe('/signup');
  });

  it('2. without JavaScript: every error at once, with the password feedback next to the field', async () => {
    const { page } = await openPage({ javaScript: false });
    await page.goto('/signup');
    await page.getByLabel(en('fields.name'), { exact: true }).fill('   ');
    await page.getByLabel(en('fields.email'), { exact: true }).fill('not-an-address');
    await page.getByLabel(en('fields.password'), { exact: true }).fill('P@ssw0rdP@ssw0rd');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('signup.submit') }));
    expect(pathOf(page)).toBe('/signup');
    expect(await textOf(page.locator('#signup-name-error'))).toBe(en('errors.name.required'));
    expect(await textOf(page.locator('#signup-email-error'))).not.toBe('');
    expect(await textOf(page.locator('#signup-password-error'))).toBe(en('errors.password.guessable'));
    expect(await textOf(page.locator('#signup-password-feedback'))).toContain(en('passwordFeedback.suggestions.repeated'));
    expect(await page.getByLabel(en('fields.email'), { exact: true }).inputValue()).toBe('not-an-address');
    await expectNoAxeViolations(page, 'the sign-up page with every error');
    expect(await page.title()).toMatch(/^Error: /);
  });

  it('2b. with JavaScript, a form sent back with errors puts the focus on the first field to fix', async () => {
    const { page } = await openPage({ javaScript: true });
    await page.goto('/forgot-password');
    await page.getByLabel(en('fields.email'), { exact: true }).fill('not an address');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('forgot.submit') }));
    expect(await page.title()).toMatch(/^Error: /);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-invalid'))).toBe('true');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('name'))).toBe('email');
  });
});

describe('confirming access keeps what was being done', () => {
  it.each([true, false])('3. the password changes in one go after access has lapsed (JavaScript %s)', async (javaScript) => {
    const { page } = await openPage({ javaScript });
    const person = newPerson();
    await signUpThroughForm(page, person);
    await lapseAccess(person.email);

    await page.goto('/settings/security');
    const form = page.locator('form[action="/settings/security/password"]');
    const newPassword = 'a fresh and rather long passphrase';
    await form.getByLabel(en('security.password.currentPassword'), { exact: true }).fill(person.password);
    const newPasswordField = form.getByLabel(en('security.password.newPassword'), { exact: true });
    if (javaScript) {
      // The same as-you-type advice as at sign-up, knowing the signed-in person.
      await newPasswordField.pressSequentially('Password1234567', { delay: 15 });
      const feedback = form.locator('#password-newPassword-feedback');
      await eventually(() => textOf(feedback), (text) => text.includes(en('passwordFeedback.warnings.similarToCommon')), 'the warning on the security page');
    }
    await newPasswordField.fill(newPassword);
    await form.getByLabel(en('security.password.confirmPassword'), { exact: true }).fill(newPassword);
    await clickAndWaitForPage(page, form.getByRole('button', { name: en('security.password.submit'), exact: true }));
    // No "Confirm access" in between: the current password was the confirmation.
    expect(pathOf(page)).toBe('/settings/security');
    expect(await flash(page)).toBe(en('flash.passwordChanged'));
  });

  it.each([true, false])('4. an address typed after access has lapsed is added after confirming, with one press (JavaScript %s)', async (javaScript) => {
    const { page } = await openPage({ javaScript });
    const person = newPerson();
    await signUpThroughForm(page, person);
    const address = person.email.replace('@', '.work@');
    await lapseAccess(person.email);

    await page.goto('/settings/emails');
    await page.getByLabel(en('fields.email'), { exact: true }).fill(address);
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('emails.add'), exact: true }));
    expect(pathOf(page)).toBe('/sudo');
    expect(await heading(page)).toBe(en('sudo.title'));
    expect(await textOf(page.locator('.pending-action'))).toBe(`${en('sudo.pending.intro')} ${fill(en('sudo.pending.addEmail'), { address })}`);
    await expectNoAxeViolations(page, 'the confirm-access page with a kept form');

    await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('sudo.confirm'), exact: true }));
    expect(pathOf(page)).toBe('/sudo/continue');
    expect(await heading(page)).toBe(en('sudo.continue.title'));
    expect(await textOf(page.locator('.pending-action'))).toBe(fill(en('sudo.pending.addEmail'), { address }));
    await expectNoAxeViolations(page, 'the continue page');

    await clickAndWaitForPage(page, page.getByRole('button', { name: en('sudo.continue.submit'), exact: true }));
    expect(pathOf(page)).toBe('/settings/emails');
    expect(await flash(page)).toBe(en('flash.emailAdded'));
    expect(await page.locator('.address-text', { hasText: address }).count()).toBe(1);
  });
});
