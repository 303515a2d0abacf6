import type { Locator, Page } from 'playwright-core';
import type { Language } from '../../src/lib/languages.ts';
import { readCatalogue } from '../../src/web/i18n.ts';
import { linkIn } from './mailbox.ts';
import { clickAndWaitForPage } from './e2e-browser.ts';
import { mailboxAt, setupPathAt } from './e2e-server.ts';

export type Translate = (key: string) => string;

/**
 * The strings a person sees in a language, read from Dials' own catalogue files (through the
 * app's reader, so however the locales are laid out) when called: the tests follow whatever
 * the translators wrote rather than guesses. Throws on a missing key.
 */
export function catalogue(language: Language): Translate {
  const data = readCatalogue(language);
  return (key) => {
    let node: unknown = data;
    for (const part of key.split('.')) node = node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined;
    if (typeof node !== 'string') throw new Error(`The ${language} catalogue has no string at "${key}"`);
    return node;
  };
}

export const en = catalogue('en');

export const strongPassword = 'correct horse battery staple';

let people = 0;
/** A name and an address no other scenario of this run uses. */
export function newPerson(name = 'Ada Lovelace'): { name: string; email: string; password: string } {
  people += 1;
  return { name, email: `person${people}.${process.pid}@example.com`, password: strongPassword };
}

/**
 * Makes the person the instance's administrator the way its operator does: opens the set-up link
 * Dials printed at start, fills in the form and sends it. The administrator is logged in at once
 * (ending on the account page), with the primary address still to be confirmed by mail.
 */
export async function setUpAdministratorThroughLink(page: Page, person: { name: string; email: string; password: string }): Promise<void> {
  if (!page.url().startsWith('http')) await page.goto('/login');
  await page.goto(await setupPathAt(new URL(page.url()).origin));
  await page.getByLabel(en('fields.name'), { exact: true }).fill(person.name);
  await page.getByLabel(en('fields.email'), { exact: true }).fill(person.email);
  await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('setup.submit') }));
}

/**
 * Fills in and sends the sign-up form as a person would; ends on whatever page Dials answers with.
 * No sign-up starts at once (the administrator comes through the set-up link): Dials answers
 * "Check your inbox", and this goes on like the person would, opening the link in the verification mail and
 * pressing "Confirm address", which signs them in (unless `verify: false`).
 */
export async function signUpThroughForm(page: Page, person: { name: string; email: string; password: string }, options: { verify?: boolean } = {}): Promise<void> {
  await page.goto('/signup');
  await page.getByLabel(en('fields.name'), { exact: true }).fill(person.name);
  await page.getByLabel(en('fields.email'), { exact: true }).fill(person.email);
  await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('signup.submit') }));
  const url = new URL(page.url());
  if (url.pathname !== '/signup/check-inbox' || options.verify === false) return;
  const mailbox = mailboxAt(url.origin);
  if (!mailbox) throw new Error(`No mailbox for the Dials at ${url.origin}: was it started with startDials()?`);
  const mail = await mailbox.waitFor(person.email, en('mail.verifySignup.subject'));
  // The link names Dials' public URL; the path is what matters here.
  await page.goto(linkIn(mail, '/verify-email/'));
  // Finishing a sign-up asks for the password chosen at sign-up.
  await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('links.verify.confirm'), exact: true }));
}

/** The parts of the account page the scenarios look at. */
export function accountPage(page: Page) {
  const details = page.locator('form#account-details');
  const preferences = page.locator('form#account-preferences');
  return {
    details,
    preferences,
    nameInput: details.getByLabel(en('fields.name'), { exact: true }),
    /** The name shown in the top bar, next to "Log out". */
    topBarName: page.locator('header .topbar-name'),
    detailsStatus: details.locator('[data-save-status]'),
    preferencesStatus: preferences.locator('[data-save-status]'),
    exampleTime: preferences.locator('time[data-example-time]'),
    flash: page.locator('main .flash'),
    /** The Save button of a block; only rendered (inside <noscript>) when JavaScript is off. */
    saveButton: (block: Locator, t: Translate = en) => block.getByRole('button', { name: t('actions.save'), exact: true }),
  };
}

/** The text of a locator with runs of whitespace collapsed, or '' when it is not there. */
export async function textOf(locator: Locator): Promise<string> {
  if ((await locator.count()) === 0) return '';
  return ((await locator.first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** The language the page says it is in: <html lang>. */
export async function pageLanguage(page: Page): Promise<string | null> {
  return page.locator('html').getAttribute('lang');
}

/**
 * Counts the main frame's navigations from now on, to prove an auto-save happened in place.
 * Works with JavaScript off too (it listens in Playwright, not in the page).
 */
export function countNavigations(page: Page): () => number {
  let count = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) count += 1;
  });
  return () => count;
}

/** Fills in and sends the log-in form as a person would; ends on whatever page Dials answers with. */
export async function logInThroughForm(page: Page, person: { email: string; password: string }): Promise<void> {
  await page.goto('/login');
  await page.getByLabel(en('fields.email'), { exact: true }).fill(person.email);
  await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('login.submit'), exact: true }));
}

/** Presses "Log out" in the top bar; ends on the log-in page. */
export async function logOutThroughTopBar(page: Page): Promise<void> {
  await clickAndWaitForPage(page, page.locator('header').getByRole('button', { name: en('layout.logOut'), exact: true }));
}

/**
 * Confirms the person's primary address through the link in the mail sent at set-up, as the
 * instance's administrator must before adding a second factor. Leaves the browser on the E-mails page.
 */
export async function confirmAddressThroughMail(page: Page, email: string): Promise<void> {
  const origin = new URL(page.url()).origin;
  const mailbox = mailboxAt(origin);
  if (!mailbox) throw new Error(`No mailbox for the Dials at ${origin}: was it started with startDials()?`);
  const mail = await mailbox.waitFor(email, en('mail.verifyAddress.subject'));
  await page.goto(linkIn(mail, '/verify-email/'));
  await clickAndWaitForPage(page, page.getByRole('button', { name: en('links.verify.confirm'), exact: true }));
}
