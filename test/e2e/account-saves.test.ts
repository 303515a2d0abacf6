import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { accountPage, catalogue, countNavigations, en, newPerson, pageLanguage, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { useE2eEnvironment } from '../support/e2e-setup.ts';

// One Dials and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();

let context: BrowserContext;
let page: Page;
let problems: string[];
beforeEach(async () => {
  context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript: true });
  page = await context.newPage();
  // A save after logging out is answered 401, which the browser logs.
  problems = watchForPageProblems(page, { expectedStatuses: [401] });
  await signUpThroughForm(page, newPerson('Ada Lovelace'));
});
afterEach(async () => {
  await context?.close();
  expect(problems).toEqual([]);
});

const isFocused = (locator: ReturnType<Page['locator']>) => locator.evaluate((element) => element === document.activeElement);
const saved = (status: ReturnType<Page['locator']>) => eventually(() => textOf(status), (text) => text === en('status.saved'), '"Saved"');

describe('the language list', () => {
  it('arrowing through it saves without changing the page under the keys; the switch comes when asked', async () => {
    const account = accountPage(page);
    const de = catalogue('de');
    const fr = catalogue('fr');
    const navigations = countNavigations(page);
    const language = account.preferences.getByLabel(en('account.preferences.language'), { exact: true });
    await language.focus();

    await page.keyboard.press('ArrowDown');
    await saved(account.preferencesStatus);
    expect(await pageLanguage(page)).toBe('en');
    expect(navigations()).toBe(0);
    expect(await isFocused(language)).toBe(true);
    expect(await textOf(account.preferences.getByRole('link', { name: de('account.language.switchNow'), exact: true }))).toBe(de('account.language.switchNow'));

    await page.keyboard.press('ArrowDown');
    await eventually(() => textOf(account.preferences.locator('#pref-language-switch a')), (text) => text === fr('account.language.switchNow'), 'the offer in French');
    expect(await pageLanguage(page)).toBe('en');
    expect(navigations()).toBe(0);
    expect(await isFocused(language)).toBe(true);
    await expectNoAxeViolations(page, 'the account page offering a new language');

    await clickAndWaitForPage(page, account.preferences.getByRole('link', { name: fr('account.language.switchNow'), exact: true }));
    expect(await pageLanguage(page)).toBe('fr');
    expect(await textOf(account.flash)).toBe(fr('flash.saved'));
    const french = account.preferences.getByLabel(fr('account.preferences.language'), { exact: true });
    expect(await isFocused(french)).toBe(true);
    expect(await french.locator('option:checked').textContent()).toBe('Français');
  });
});

describe('an auto-save after logging out', () => {
  it('says so, offers to log in and come back, and shows the saved value', async () => {
    const account = accountPage(page);
    const clock = account.preferences.getByLabel(en('account.preferences.clock24h'), { exact: true });
    expect(await clock.isChecked()).toBe(false);
    // The session ends through another request (as logging out in another tab would).
    const token = await page.locator('form#account-preferences input[name="_csrf"]').inputValue();
    expect((await page.request.post('/logout', { form: { _csrf: token }, maxRedirects: 0 })).status()).toBe(303);

    // click(), not check(): the box does not stay ticked, which is the point.
    await clock.click();
    const message = account.preferences.getByText(en('signedOut.message'));
    await eventually(() => message.isVisible(), Boolean, 'the logged-out message');
    expect(await textOf(account.preferencesStatus)).not.toContain('expired');
    // Nothing was saved, so the control shows what is saved.
    expect(await clock.isChecked()).toBe(false);
    const logIn = account.preferences.getByRole('link', { name: en('signedOut.logIn'), exact: true });
    expect(await logIn.getAttribute('href')).toBe('/login?next=%2Fsettings%2Faccount');

    await account.nameInput.fill('Grace Hopper');
    await account.nameInput.press('Tab');
    await eventually(() => account.details.getByText(en('signedOut.message')).isVisible(), Boolean, 'the logged-out message for the name');
    expect(await account.nameInput.inputValue()).toBe('Ada Lovelace');
    await expectNoAxeViolations(page, 'the account page after a save while logged out');

    await clickAndWaitForPage(page, logIn);
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});

describe('saving a preference', () => {
  it('swaps in only what changed: the same controls keep the focus, and a later refused save goes back to the new value', async () => {
    const account = accountPage(page);
    await account.preferences.evaluate((form) => form.setAttribute('data-original', 'yes'));
    const order = account.preferences.getByLabel(en('account.preferences.stackTraceOrder'), { exact: true });
    await order.focus();
    await page.keyboard.press('ArrowDown');
    await saved(account.preferencesStatus);
    expect(await account.preferences.getAttribute('data-original')).toBe('yes');
    expect(await isFocused(order)).toBe(true);
    expect(await page.locator('#pref-stack-preview code').allTextContents()).toEqual(['main', 'handleRequest', 'renderPage']);
    const clock = account.preferences.getByLabel(en('account.preferences.clock24h'), { exact: true });
    await clock.check();
    await eventually(() => textOf(page.locator('[data-example-time]')), (text) => /\d{2}:\d{2}/.test(text) && !/AM|PM/.test(text), 'the example on the 24-hour clock');
    // The block says it shows both choices now, so its next save swaps in only what that one changes.
    expect(await page.locator('#pref-shown-state').inputValue()).toMatch(/^en\|[^|]+\|24\|us\|caller-last$/);
    const example = await textOf(page.locator('[data-example-time]'));
    await account.preferences.getByLabel(en('account.preferences.dateFormats.iso'), { exact: true }).check();
    await eventually(() => textOf(page.locator('[data-example-time]')), (text) => text !== example && /^\d{4}-\d{2}-\d{2} /.test(text), 'the example in the ISO date format');
    expect(await page.locator('#pref-stack-preview code').allTextContents()).toEqual(['main', 'handleRequest', 'renderPage']);

    // Logged out elsewhere: the refused save shows the values saved a moment ago, not those the page came with.
    const token = await page.locator('form#account-preferences input[name="_csrf"]').inputValue();
    expect((await page.request.post('/logout', { form: { _csrf: token }, maxRedirects: 0 })).status()).toBe(303);
    await clock.click();
    await eventually(() => account.preferences.getByText(en('signedOut.message')).isVisible(), Boolean, 'the logged-out message');
    expect(await clock.isChecked()).toBe(true);
    expect(await order.inputValue()).toBe('caller-last');
  });
});

describe('saving the name', () => {
  it('keeps the focus where the person went, and updates both avatars', async () => {
    const account = accountPage(page);
    const preview = page.locator('.avatar-editor [data-own-avatar]');
    expect(await textOf(preview)).toBe('AL');
    await account.nameInput.fill('Grace Hopper');
    await account.nameInput.press('Tab');
    const next = account.details.getByRole('link', { name: en('account.details.manageEmails'), exact: true });
    expect(await isFocused(next)).toBe(true);
    await saved(account.detailsStatus);
    await page.waitForTimeout(100);
    expect(await isFocused(next)).toBe(true);
    expect(await textOf(preview)).toBe('GH');
    expect(await preview.getAttribute('aria-label')).toBe('Grace Hopper');
    expect(await textOf(page.locator('header [data-own-avatar]'))).toBe('GH');
  });
});
