import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { clickAndWaitForPage, eventually, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { accountPage, catalogue, countNavigations, en, newPerson, pageLanguage, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { useE2eEnvironment } from '../support/e2e-setup.ts';

// One Dials and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();

const twelveHour = /\b\d{1,2}:\d{2} ?(AM|PM)\b/;
const twentyFourHour = /\b([01]\d|2[0-3]):[0-5]\d\b/;

describe.each([
  { javaScript: true, mode: 'with JavaScript' },
  { javaScript: false, mode: 'without JavaScript' },
])('the account page $mode', ({ javaScript }) => {
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeEach(async () => {
    context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript });
    page = await context.newPage();
    problems = watchForPageProblems(page);
  });
  afterEach(async () => {
    await context?.close();
    // Script errors, CSP refusals and failed asset loads are breakage a person would meet.
    expect(problems).toEqual([]);
  });

  /** Signs up a new person and returns their details; the browser is then on the account page. */
  const signUp = async (name = 'Ada Lovelace') => {
    const person = newPerson(name);
    await signUpThroughForm(page, person);
    expect(new URL(page.url()).pathname).toBe('/settings/account');
    return person;
  };

  /**
   * Saves the block the person just changed: with JavaScript htmx does it on `change` and the
   * block says "Saved" in place; without, the person presses the block's Save button and gets
   * the page back with the flash "Saved.". Returns nothing; callers check the outcome.
   */
  const saveBlock = async (block: 'details' | 'preferences') => {
    const account = accountPage(page);
    const form = account[block];
    if (javaScript) {
      const status = block === 'details' ? account.detailsStatus : account.preferencesStatus;
      await eventually(() => textOf(status), (text) => text === en('status.saved'), `"${en('status.saved')}" in the ${block} block`);
    } else {
      await clickAndWaitForPage(page, account.saveButton(form));
      expect(await textOf(account.flash)).toBe(en('flash.saved'));
    }
  };

  it('1. signs up through the form and lands on the account page', async () => {
    const person = await signUp('Ada Lovelace');
    const account = accountPage(page);

    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(en('account.title'));
    // Every sign-up arrives through the link in its mail.
    expect(await textOf(account.flash)).toBe(en('flash.emailVerified'));
    expect(await account.nameInput.inputValue()).toBe(person.name);
    expect(await textOf(account.topBarName)).toBe(person.name);
    expect(await account.details.getByText(person.email, { exact: true }).isVisible()).toBe(true);

    // The session outlives a reload: the browser kept the cookie.
    await page.reload();
    expect(new URL(page.url()).pathname).toBe('/settings/account');
    expect(await textOf(account.topBarName)).toBe(person.name);
  });

  it('2. changes the name, and the new name stays after a reload', async () => {
    await signUp('Ada Lovelace');
    const account = accountPage(page);
    const navigations = countNavigations(page);

    await account.nameInput.fill('Augusta Ada King');
    if (javaScript) {
      await account.nameInput.press('Tab');
      await saveBlock('details');
      expect(navigations()).toBe(0);
      expect(new URL(page.url()).pathname).toBe('/settings/account');
      // The page never went away, so what the person typed is still in the field,
      // and the top bar, outside the saved block, follows the new name at once.
      expect(await account.nameInput.inputValue()).toBe('Augusta Ada King');
      expect(await eventually(() => textOf(account.topBarName), (text) => text === 'Augusta Ada King', 'the top bar to show the new name')).toBe('Augusta Ada King');
    } else {
      // Without JavaScript the Save button (inside <noscript>) is there to press.
      expect(await account.saveButton(account.details).isVisible()).toBe(true);
      await saveBlock('details');
      expect(navigations()).toBeGreaterThan(0);
    }

    await page.reload();
    expect(await account.nameInput.inputValue()).toBe('Augusta Ada King');
    expect(await textOf(account.topBarName)).toBe('Augusta Ada King');
  });

  it('3. switches the language to German, and the page speaks German', async () => {
    await signUp();
    const account = accountPage(page);
    // Read now, not at import: the German catalogue may have been updated by the translators meanwhile.
    const de = catalogue('de');
    expect(await pageLanguage(page)).toBe('en');

    const language = account.preferences.getByLabel(en('account.preferences.language'), { exact: true });
    if (javaScript) {
      // Saved in place; the page offers the switch in the new language, and follows once asked.
      await language.selectOption({ label: 'Deutsch' });
      await saveBlock('preferences');
      expect(await pageLanguage(page)).toBe('en');
      await clickAndWaitForPage(page, account.preferences.getByRole('link', { name: de('account.language.switchNow'), exact: true }));
      expect(await textOf(account.flash)).toBe(de('flash.saved'));
    } else {
      await language.selectOption({ label: 'Deutsch' });
      await clickAndWaitForPage(page, account.saveButton(account.preferences, en));
      expect(await textOf(account.flash)).toBe(de('flash.saved'));
    }

    expect(new URL(page.url()).pathname).toBe('/settings/account');
    expect(await pageLanguage(page)).toBe('de');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(de('account.title'));
    expect(await textOf(page.locator('nav .settings-nav-title'))).toBe(de('nav.title'));
    expect(await page.getByRole('navigation', { name: de('nav.label') }).getByRole('link', { name: de('nav.account'), exact: true }).isVisible()).toBe(true);
    expect(await account.preferences.getByRole('heading', { level: 2 }).textContent()).toBe(de('account.preferences.title'));
    // The select is now labelled in German and shows the chosen language.
    const germanLanguage = account.preferences.getByLabel(de('account.preferences.language'), { exact: true });
    expect(await germanLanguage.locator('option:checked').textContent()).toBe('Deutsch');
    // After the reload the person is back on the control they used.
    expect(await germanLanguage.evaluate((select) => select === document.activeElement)).toBe(true);
    expect(await page.getByRole('button', { name: de('layout.logOut') }).isVisible()).toBe(true);

    // And it stays German on the next visit.
    await page.reload();
    expect(await pageLanguage(page)).toBe('de');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(de('account.title'));
  });

  it('4. turns on the 24-hour clock, and the example timestamp follows', async () => {
    await signUp();
    const account = accountPage(page);
    const before = await textOf(account.exampleTime);
    expect(before).toMatch(twelveHour);

    // With the keyboard, as many people do: move to the checkbox and press Space.
    const clock = account.preferences.getByLabel(en('account.preferences.clock24h'), { exact: true });
    await clock.focus();
    await page.keyboard.press('Space');
    if (javaScript) {
      const after = await eventually(() => textOf(account.exampleTime), (text) => text !== before && text !== '', 'the example timestamp to change');
      expect(after).toMatch(twentyFourHour);
      expect(after).not.toMatch(/AM|PM/);
      await saveBlock('preferences');
      // The block was replaced by the saved one, yet the keyboard user is still on the checkbox.
      expect(await clock.evaluate((input) => input === document.activeElement)).toBe(true);
      expect(await clock.isChecked()).toBe(true);
    } else {
      expect(await clock.isChecked()).toBe(true);
      await saveBlock('preferences');
    }
    const after = await textOf(account.exampleTime);
    expect(after).toMatch(twentyFourHour);
    expect(after).not.toMatch(/AM|PM/);
    // Same moment, same date: only the clock changed.
    expect(after.slice(0, 10)).toBe(before.slice(0, 10));

    await page.reload();
    expect(await account.preferences.getByLabel(en('account.preferences.clock24h'), { exact: true }).isChecked()).toBe(true);
    expect(await textOf(account.exampleTime)).toBe(after);
  });

  it('5. refuses an empty name with a message next to the field, and keeps the stored name', async () => {
    await signUp('Ada Lovelace');
    const account = accountPage(page);
    const message = en('errors.name.required');
    const navigations = countNavigations(page);

    await account.nameInput.fill('');
    if (javaScript) {
      const answer = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/settings/account/details');
      await account.nameInput.press('Tab');
      expect((await answer).status()).toBe(422);
      await eventually(() => textOf(account.details.getByText(message, { exact: true })), (text) => text === message, `"${message}" in the details block`);
      expect(navigations()).toBe(0);
      expect(await textOf(account.detailsStatus)).toBe(en('status.notSaved'));
      // app.js takes the person back to the field to correct.
      expect(await account.nameInput.evaluate((input) => input === document.activeElement)).toBe(true);
    } else {
      const answer = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === '/settings/account/details');
      await clickAndWaitForPage(page, account.saveButton(account.details));
      expect((await answer).status()).toBe(422);
      expect(await textOf(account.flash)).toBe('');
    }

    // The message sits in the name's own field and is what the field is described by,
    // so a screen reader reads it with the field; the field is marked invalid.
    const field = account.details.locator('.field').filter({ has: page.getByLabel(en('fields.name'), { exact: true }) });
    const error = field.getByText(message, { exact: true });
    expect(await error.isVisible()).toBe(true);
    const errorId = await error.getAttribute('id');
    expect(errorId).toBeTruthy();
    expect((await account.nameInput.getAttribute('aria-describedby'))?.split(/\s+/)).toContain(errorId);
    expect(await account.nameInput.getAttribute('aria-invalid')).toBe('true');
    expect(await account.nameInput.inputValue()).toBe('');

    // Nothing was stored: a fresh look at the page still shows the old name.
    await page.goto('/settings/account');
    expect(await account.nameInput.inputValue()).toBe('Ada Lovelace');
    expect(await textOf(account.topBarName)).toBe('Ada Lovelace');
    expect(await account.details.getByText(message, { exact: true }).count()).toBe(0);
  });
});
