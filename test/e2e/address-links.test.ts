import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolationsInBothThemes } from '../support/e2e-axe.ts';
import { clickAndWaitForPage } from '../support/e2e-browser.ts';
import { en, logInThroughForm, logOutThroughTopBar, newPerson, setUpAdministratorThroughLink, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { useE2eEnvironment, useWatchedPages } from '../support/e2e-setup.ts';
import { linkIn } from '../support/mailbox.ts';

// One Dials (with its SMTP server) and one Chromium for the file.
const e2e = useE2eEnvironment();
const { openPage } = useWatchedPages(e2e);

const pathOf = (page: Page) => new URL(page.url()).pathname;
const heading = (page: Page) => textOf(page.getByRole('heading', { level: 1 }));
const flash = (page: Page) => textOf(page.locator('main .flash'));
const fill = (text: string, values: Record<string, string>) => text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => values[name] ?? '');
const button = (page: Page, name: string) => page.getByRole('button', { name, exact: true });

type Person = ReturnType<typeof newPerson>;

let administrator: Promise<Person> | undefined;
/** The instance's administrator (through the set-up link), which starts with its address unconfirmed; made once for the file. */
function ensureAdministrator(): Promise<Person> {
  administrator ??= (async () => {
    const { context, page } = await openPage();
    const person = newPerson('Grace Hopper');
    await setUpAdministratorThroughLink(page, person);
    expect(pathOf(page)).toBe('/settings/account');
    await context.close();
    return person;
  })();
  return administrator;
}

async function laterPerson(page: Page, name: string): Promise<Person> {
  await ensureAdministrator();
  const person = newPerson(name);
  await signUpThroughForm(page, person);
  expect(pathOf(page)).toBe('/settings/account');
  return person;
}

/** Adds an address on the E-mails page and returns the path of the link mailed to it. */
async function addAddress(page: Page, address: string): Promise<string> {
  await page.goto('/settings/emails');
  await page.locator('form[action="/settings/emails"]').getByLabel(en('fields.email'), { exact: true }).fill(address);
  await clickAndWaitForPage(page, button(page, en('emails.add')));
  expect(await flash(page)).toBe(en('flash.emailAdded'));
  return linkIn(await e2e.server.mail.waitFor(address, en('mail.verifyAddress.subject')), '/verify-email/');
}

describe.each([
  { javaScript: true, mode: 'with JavaScript' },
  { javaScript: false, mode: 'without JavaScript' },
])('the link that confirms an added address, $mode', ({ javaScript }) => {
  it('1. opened signed out, asks to log in first and then comes back to the button', { timeout: 90_000 }, async () => {
    const { page } = await openPage({ javaScript });
    const person = await laterPerson(page, 'Ada Lovelace');
    const address = person.email.replace('@', '.work@');
    const link = await addAddress(page, address);
    await logOutThroughTopBar(page);

    await page.goto(link);
    expect(pathOf(page)).toBe('/login');
    expect(await flash(page)).toBe(en('flash.logInToConfirm'));
    await page.getByLabel(en('fields.email'), { exact: true }).fill(person.email);
    await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);
    await clickAndWaitForPage(page, button(page, en('login.submit')));
    expect(pathOf(page)).toBe(link);
    expect(await heading(page)).toBe(en('links.verify.title'));
    expect(await page.getByText(fill(en('links.verify.explain'), { address }), { exact: true }).isVisible()).toBe(true);
    await clickAndWaitForPage(page, button(page, en('links.verify.confirm')));
    expect(pathOf(page)).toBe('/settings/emails');
    expect(await flash(page)).toBe(en('flash.emailVerified'));
  });
});

describe('links and notices, as other people see them', () => {
  it('2. someone signed in as another account is told the link is not theirs (light and dark), and nothing is confirmed', { timeout: 120_000 }, async () => {
    const { page: owner } = await openPage();
    const ada = await laterPerson(owner, 'Ada Lovelace');
    const address = ada.email.replace('@', '.typo@');
    const link = await addAddress(owner, address);

    const { page } = await openPage({ expectedStatuses: [403] });
    await laterPerson(page, 'Mallory');
    const answer = await page.goto(link);
    expect(answer?.status()).toBe(403);
    expect(await heading(page)).toBe(en('links.otherAccount.title'));
    expect(await page.getByText(en('links.otherAccount.message'), { exact: true }).isVisible()).toBe(true);
    expect(await button(page, en('links.verify.confirm')).count()).toBe(0);
    await expectNoAxeViolationsInBothThemes(page, 'the "link belongs to another account" page');

    await owner.goto('/settings/emails');
    const row = owner.locator('main li.address').filter({ has: owner.getByText(address, { exact: true }) });
    expect((await row.locator('.badge').allTextContents()).map((text) => text.trim())).toEqual([en('emails.unverified')]);
  });

  it('3. the administrator sees that its address is not confirmed, on the account and e-mails pages, and can send the link again', { timeout: 120_000 }, async () => {
    const admin = await ensureAdministrator();
    const { page } = await openPage();
    await logInThroughForm(page, admin);
    expect(pathOf(page)).toBe('/settings/account');
    const message = fill(en('emails.unconfirmedPrimary.message'), { address: admin.email });
    expect(await page.getByText(message, { exact: true }).isVisible()).toBe(true);
    await expectNoAxeViolationsInBothThemes(page, 'the account page with the unconfirmed-address notice');

    await clickAndWaitForPage(page, button(page, en('emails.unconfirmedPrimary.resend')));
    expect(pathOf(page)).toBe('/settings/account');
    // The sign-up mail went out less than a minute ago, or it is long enough ago and a new link goes out.
    expect([en('flash.verificationResent'), en('flash.resendTooSoon')]).toContain(await flash(page));

    await page.goto('/settings/emails');
    expect(await page.getByText(message, { exact: true }).isVisible()).toBe(true);
    await expectNoAxeViolationsInBothThemes(page, 'the E-mails page with the unconfirmed-address notice');
  });
});
