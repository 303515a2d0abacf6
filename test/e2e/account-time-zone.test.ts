import type { BrowserContext, Page, Request } from 'playwright-core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expectNoAxeViolations } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { accountPage, en, newPerson, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { useE2eEnvironment } from '../support/e2e-setup.ts';

// One Dials and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();

let context: BrowserContext;
let page: Page;
let problems: string[];
afterEach(async () => {
  await context?.close();
  expect(problems).toEqual([]);
});

const open = async (javaScript: boolean, width = 1200) => {
  context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript });
  page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  problems = watchForPageProblems(page);
  await signUpThroughForm(page, newPerson());
};

/** The preferences auto-saves the page sends from now on, with their time zone. */
const watchPreferenceSaves = (on: Page) => {
  const zones: string[] = [];
  on.on('request', (request: Request) => {
    if (request.method() === 'POST' && new URL(request.url()).pathname === '/settings/account/preferences') {
      zones.push(new URLSearchParams(request.postData() ?? '').get('timezone') ?? '');
    }
  });
  return zones;
};

const savedZone = () => page.locator('form#account-preferences input[name="timezone"]').inputValue();

describe('the time-zone picker with JavaScript', () => {
  beforeEach(async () => {
    await open(true);
  });

  const picker = () => page.getByRole('combobox', { name: en('account.preferences.timezone') });
  const listbox = () => page.getByRole('listbox', { name: en('account.timeZone.listLabel') });

  /** Types a search into the picker, as a person does, key by key, and chooses the first match with the keyboard. */
  const typeAndChoose = async (search: string) => {
    await picker().click();
    await page.keyboard.type(search, { delay: 40 });
    await eventually(() => listbox().isVisible(), Boolean, 'the list of zones to open');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
  };

  it('saves exactly the zone chosen, once, and never on a keystroke', async () => {
    const saves = watchPreferenceSaves(page);
    const account = accountPage(page);

    await picker().click();
    await page.keyboard.type('Tokyo', { delay: 40 });
    await eventually(() => listbox().getByRole('option').count(), (count) => count > 0, 'matches for Tokyo');
    expect(await picker().getAttribute('aria-expanded')).toBe('true');
    // Typing searched; it saved nothing.
    await page.waitForTimeout(300);
    expect(saves).toEqual([]);
    await page.keyboard.press('ArrowDown');
    const active = await picker().getAttribute('aria-activedescendant');
    expect(await page.locator(`#${active}`).getAttribute('aria-selected')).toBe('true');
    expect(await textOf(page.locator(`#${active}`))).toContain('Asia/Tokyo');
    await page.keyboard.press('Enter');
    await eventually(() => textOf(account.preferencesStatus), (text) => text === en('status.saved'), 'the zone to be saved');
    expect(saves).toEqual(['Asia/Tokyo']);
    // Typing on at once, still in the field, starts a new search instead of adding to the zone's name.
    await page.keyboard.type('Berl', { delay: 40 });
    expect(await picker().inputValue()).toBe('Berl');
    await eventually(() => textOf(listbox().getByRole('option').first()), (text) => text.includes('Europe/Berlin'), 'Berlin found');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Escape');
    expect(await picker().inputValue()).toMatch(/^Asia\/Tokyo \(UTC\+09:00\)$/);

    await typeAndChoose('Berlin');
    await eventually(() => savedZone(), (zone) => zone === 'Europe/Berlin', 'Europe/Berlin to be saved');
    await eventually(() => textOf(account.preferencesStatus), (text) => text === en('status.saved'), 'the zone to be saved');
    expect(saves).toEqual(['Asia/Tokyo', 'Europe/Berlin']);
    // The keyboard user is still in the picker, which shows the zone by name with its offset.
    expect(await picker().evaluate((input) => input === document.activeElement)).toBe(true);
    expect(await picker().inputValue()).toMatch(/^Europe\/Berlin \(UTC\+0[12]:00\)$/);

    await page.reload();
    expect(await savedZone()).toBe('Europe/Berlin');
    expect(await picker().inputValue()).toMatch(/^Europe\/Berlin \(UTC/);
  });

  it('finds current names, cities and offsets, and Escape leaves the saved zone alone', async () => {
    const saves = watchPreferenceSaves(page);
    await picker().click();
    await page.keyboard.type('Calcutta', { delay: 20 });
    await eventually(() => textOf(listbox().getByRole('option').first()), (text) => text.includes('Asia/Kolkata (UTC+05:30)'), 'Kolkata for Calcutta');
    await picker().fill('');
    await page.keyboard.type('Ho Chi', { delay: 20 });
    await eventually(() => textOf(listbox().getByRole('option').first()), (text) => text.startsWith('Asia/Ho Chi Minh'), 'Ho Chi Minh with spaces');
    await expectNoAxeViolations(page, 'the account page with the time-zone list open');
    await page.keyboard.type('xyz', { delay: 20 });
    await eventually(() => textOf(page.locator('#pref-timezone-help')), (text) => text === en('account.timeZone.noMatches'), 'the no-match message');
    expect(await listbox().isVisible()).toBe(false);
    expect(await picker().getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await eventually(() => listbox().isVisible(), Boolean, 'the list to open again');
    expect(await textOf(page.locator('#pref-timezone-help'))).toBe(en('account.timeZone.help'));
    await page.keyboard.press('Escape');
    expect(await listbox().isVisible()).toBe(false);
    expect(await picker().getAttribute('aria-expanded')).toBe('false');
    await page.keyboard.press('Escape');
    expect(await picker().inputValue()).toMatch(/^Europe\/Berlin \(UTC/);
    await page.keyboard.press('Tab');
    expect(saves).toEqual([]);
  });

  it('fits a 375 px screen with the list open', async () => {
    await page.setViewportSize({ width: 375, height: 780 });
    await picker().click();
    await page.keyboard.type('America', { delay: 10 });
    await eventually(() => listbox().isVisible(), Boolean, 'the list to open');
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width).toBeLessThanOrEqual(375);
    const box = await listbox().boundingBox();
    expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(375);
  });
});

describe('the time-zone picker without JavaScript', () => {
  it('searches on its own page and saves the zone chosen there', async () => {
    await open(false, 375);
    const account = accountPage(page);
    // Without JavaScript the browser could not tell its zone at sign-up.
    expect(await account.preferences.getByText('UTC (UTC+00:00)', { exact: true }).isVisible()).toBe(true);
    expect(await page.locator('#pref-timezone').isVisible()).toBe(false);
    await clickAndWaitForPage(page, page.getByRole('link', { name: en('account.timeZone.change') }));
    expect(new URL(page.url()).pathname).toBe('/settings/account/time-zone');
    await expectNoAxeViolations(page, 'the time-zone page');

    await page.getByLabel(en('account.timeZone.searchLabel'), { exact: true }).fill('Kolkata');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('account.timeZone.find') }));
    await page.getByLabel(/^Asia\/Kolkata \(UTC\+05:30\)$/).check();
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expectNoAxeViolations(page, 'the time-zone page with matches');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('account.timeZone.use') }));

    expect(new URL(page.url()).pathname).toBe('/settings/account');
    expect(await textOf(account.flash)).toBe(en('flash.saved'));
    expect(await savedZone()).toBe('Asia/Kolkata');
    expect(await account.preferences.getByText('Asia/Kolkata (UTC+05:30)', { exact: true }).isVisible()).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expectNoAxeViolations(page, 'the account page without JavaScript');
  });
});
