import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { axeViolations, describeViolations, expectNoAxeViolations, themeBackgrounds } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { accountPage, en, newPerson, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { tourEveryPage, tourStatuses } from '../support/e2e-page-tour.ts';
import { useE2eEnvironment } from '../support/e2e-setup.ts';

// One Dials and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();
let context: BrowserContext | undefined;
let problems: string[] = [];

afterEach(async () => {
  await context?.close();
  context = undefined;
  // Script errors, CSP refusals and failed asset loads are breakage a person would meet.
  expect(problems).toEqual([]);
});

async function open(options: { colorScheme: 'light' | 'dark'; javaScript?: boolean; expectedStatuses?: number[] }): Promise<Page> {
  context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript: options.javaScript ?? true, colorScheme: options.colorScheme });
  const page = await context.newPage();
  problems = watchForPageProblems(page, { expectedStatuses: options.expectedStatuses ?? [] });
  return page;
}

// The page background a person sees, from app.css's --bg in each theme; proves axe checked the
// colours of the theme it was meant to.
const lightBackground = 'rgb(246, 247, 249)';
const darkBackground = 'rgb(18, 21, 28)';
const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

/** Picks a theme in the preferences (auto-saved by htmx) and waits until the page shows it. */
async function chooseTheme(page: Page, theme: 'light' | 'dark' | 'system', expectedBackground: string): Promise<void> {
  const account = accountPage(page);
  await account.preferences.getByLabel(en(`account.preferences.themes.${theme}`), { exact: true }).check();
  await eventually(() => textOf(account.preferencesStatus), (text) => text === en('status.saved'), 'the theme to be saved');
  // The page changes theme in place, without a reload.
  await eventually(() => background(page), (colour) => colour === expectedBackground, `the ${theme} theme to show`);
}

// First in the file: the tour sets up the instance's administrator, who sees the outbox.
describe('every page the browser tests reach, on a 375 px screen', () => {
  it('has no WCAG 2.1 A/AA violations, in the light and the dark theme', { timeout: 300_000 }, async () => {
    const page = await open({ colorScheme: 'light', expectedStatuses: tourStatuses });
    await page.setViewportSize({ width: 375, height: 780 });
    const failures: string[] = [];
    await tourEveryPage(page, async (stop) => {
      for (const scheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme: scheme });
        await eventually(() => background(page), (colour) => colour === themeBackgrounds[scheme], `the ${scheme} theme`);
        const violations = await axeViolations(page);
        if (violations.length > 0) failures.push(`${stop}, ${scheme} (${page.url()}):\n${describeViolations(violations)}`);
      }
      await page.emulateMedia({ colorScheme: 'light' });
    });
    expect(failures.join('\n\n')).toBe('');
  });
});

describe.each([{ colorScheme: 'light' as const }, { colorScheme: 'dark' as const }])('sign-up and log-in pages, system colour scheme $colorScheme', ({ colorScheme }) => {
  const expectedBackground = colorScheme === 'dark' ? darkBackground : lightBackground;

  it('the sign-up page, empty and with errors, has no WCAG 2.1 A/AA violations', async () => {
    const page = await open({ colorScheme });
    await page.goto('/signup');
    expect(await background(page)).toBe(expectedBackground);
    await expectNoAxeViolations(page, `the sign-up page (${colorScheme})`);

    // Every field refused at once: errors next to fields must be readable and announced too.
    await page.getByLabel(en('fields.email'), { exact: true }).fill('not an address');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('signup.submit') }));
    expect(await textOf(page.getByText(en('errors.name.required'), { exact: true }))).toBe(en('errors.name.required'));
    await expectNoAxeViolations(page, `the sign-up page with errors (${colorScheme})`);
  });

  it('the log-in page, empty and after a failed attempt, has no WCAG 2.1 A/AA violations', async () => {
    // A failed log-in answers 401, which Chromium logs; that is the expected outcome here.
    const page = await open({ colorScheme, expectedStatuses: [401] });
    await page.goto('/login');
    expect(await background(page)).toBe(expectedBackground);
    await expectNoAxeViolations(page, `the log-in page (${colorScheme})`);

    await page.getByLabel(en('fields.email'), { exact: true }).fill('nobody@example.com');
    await page.getByLabel(en('fields.password'), { exact: true }).fill('not the right password at all');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('login.submit'), exact: true }));
    expect(await textOf(page.getByRole('alert'))).toBe(en('errors.login.failed'));
    await expectNoAxeViolations(page, `the log-in page after a failed attempt (${colorScheme})`);
  });
});

describe('the account page', () => {
  const cases = [
    // The preference wins over the system: a light choice on a dark system stays light, and back.
    { theme: 'light' as const, colorScheme: 'dark' as const, expectedBackground: lightBackground },
    { theme: 'dark' as const, colorScheme: 'light' as const, expectedBackground: darkBackground },
    // "Follow my system" (the default) on a dark system.
    { theme: 'system' as const, colorScheme: 'dark' as const, expectedBackground: darkBackground },
  ];

  it.each(cases)('with theme $theme on a $colorScheme system has no WCAG 2.1 A/AA violations, also showing a field error', async ({ theme, colorScheme, expectedBackground }) => {
    const page = await open({ colorScheme });
    await signUpThroughForm(page, newPerson());
    if (theme !== 'system') await chooseTheme(page, theme, expectedBackground);

    await page.reload();
    expect(await background(page)).toBe(expectedBackground);
    await expectNoAxeViolations(page, `the account page (theme ${theme}, system ${colorScheme})`);

    // A refused name: the message, the invalid field and "Not saved" in the theme's colours.
    const account = accountPage(page);
    await account.nameInput.fill('');
    await account.nameInput.press('Tab');
    await eventually(() => textOf(account.detailsStatus), (text) => text === en('status.notSaved'), 'the refused name to be reported');
    await expectNoAxeViolations(page, `the account page with a field error (theme ${theme}, system ${colorScheme})`);
  });

  it.each([{ colorScheme: 'light' as const }, { colorScheme: 'dark' as const }])(
    'without JavaScript (Save buttons shown, flash after saving) on a $colorScheme system has no WCAG 2.1 A/AA violations',
    async ({ colorScheme }) => {
      const page = await open({ colorScheme, javaScript: false });
      await signUpThroughForm(page, newPerson());
      const account = accountPage(page);
      expect(await account.saveButton(account.details).isVisible()).toBe(true);
      await expectNoAxeViolations(page, `the account page without JavaScript (system ${colorScheme}), with the welcome flash`);

      await account.nameInput.fill('');
      await clickAndWaitForPage(page, account.saveButton(account.details));
      await expectNoAxeViolations(page, `the account page without JavaScript showing a field error (system ${colorScheme})`);
    },
  );
});
