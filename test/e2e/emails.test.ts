import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { expectNoAxeViolationsInBothThemes } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually } from '../support/e2e-browser.ts';
import { accountPage, en, logInThroughForm, logOutThroughTopBar, newPerson, setUpAdministratorThroughLink, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { useE2eEnvironment, useWatchedPages } from '../support/e2e-setup.ts';
import { linkIn } from '../support/mailbox.ts';

// One Dials (with its SMTP server) and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();

type Person = ReturnType<typeof newPerson>;

const { openPage, newWatchedPage } = useWatchedPages(e2e);

/** Another tab in the same browser profile (same cookies), watched for breakage like the first. */
const pathOf = (page: Page) => new URL(page.url()).pathname;
const heading = (page: Page) => textOf(page.getByRole('heading', { level: 1 }));
const flash = (page: Page) => textOf(page.locator('main .flash'));
/** A catalogue string with its {{placeholders}} filled in. */
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name]));
const navigationLink = (page: Page, key: string) => page.getByRole('navigation', { name: en('nav.label') }).getByRole('link', { name: en(key), exact: true });
const button = (scope: Page | Locator, name: string) => scope.getByRole('button', { name, exact: true });

/**
 * A second address for a person. Mailbox.waitFor matches recipients by substring, so it must
 * not contain the person's own address (nor the other way round): person3.123.alt@example.com.
 */
const secondAddressOf = (person: Person) => person.email.replace('@', '.alt@');

// ---- The instance's administrator.

let administrator: Promise<Person> | undefined;

/**
 * The instance's administrator, made through the set-up link; it starts at once. Every test calls
 * this first, so that whichever test runs first (or alone, with -t), the administrator exists.
 */
function ensureAdministrator(): Promise<Person> {
  administrator ??= (async () => {
    const { context, page } = await openPage();
    const person = newPerson('Grace Hopper');
    await setUpAdministratorThroughLink(page, person);
    expect(pathOf(page)).toBe('/settings/account');
    expect(await flash(page)).toBe(en('flash.administratorReady'));
    await context.close();
    return person;
  })();
  return administrator;
}

/** A person (not the administrator), signed up through the form and the link in their mail; the page is then on the account page. */
async function signUpLaterPerson(page: Page, name?: string): Promise<Person> {
  await ensureAdministrator();
  const person = newPerson(name);
  await signUpThroughForm(page, person);
  expect(pathOf(page)).toBe('/settings/account');
  return person;
}

// ---- The E-mails page, as a person sees it.

const emailsPage = (page: Page) => {
  const rows = page.locator('main li.address');
  // The address shows in its row only (as the text, and hidden in the buttons' names).
  const row = (address: string) => rows.filter({ has: page.getByText(address, { exact: true }) });
  const addForm = page.locator('form[action="/settings/emails"]');
  return {
    row,
    /** The addresses listed, in order. */
    addresses: async () => (await rows.locator('.address-text').allTextContents()).map((text) => text.trim()),
    /** The badges next to an address ("Primary", "Confirmed", "Not confirmed"). */
    badges: async (address: string) => (await row(address).locator('.badge').allTextContents()).map((text) => text.trim()),
    addForm,
    addressField: addForm.getByLabel(en('fields.email'), { exact: true }),
    addButton: button(addForm, en('emails.add')),
  };
};

async function goToEmailsThroughNavigation(page: Page): Promise<void> {
  await clickAndWaitForPage(page, navigationLink(page, 'nav.emails'));
  expect(pathOf(page)).toBe('/settings/emails');
  expect(await heading(page)).toBe(en('emails.title'));
  expect(await navigationLink(page, 'nav.emails').getAttribute('aria-current')).toBe('page');
}

/** Types an address into "Add an address" and presses "Add address"; ends on whatever page Dials answers with. */
async function addAddress(page: Page, address: string): Promise<void> {
  const emails = emailsPage(page);
  await emails.addressField.fill(address);
  await clickAndWaitForPage(page, emails.addButton);
}

/** The /verify-email/... link of the newest "Confirm your e-mail address" mail to an address. */
async function verificationLinkFor(address: string): Promise<string> {
  const mail = await e2e.server.mail.waitFor(address, en('mail.verifyAddress.subject'));
  expect(mail.text).toContain(fill(en('mail.verifyAddress.intro'), { address }));
  return linkIn(mail, '/verify-email/');
}

async function expectConfirmPage(page: Page, address: string): Promise<void> {
  // A sign-up link is titled "Finish signing up"; a link for an added address "Confirm your e-mail address".
  expect([en('links.verify.title'), en('links.finishSignup.title')]).toContain(await heading(page));
  expect(await page.getByText(fill(en('links.verify.explain'), { address }), { exact: true }).isVisible()).toBe(true);
  expect(await button(page, en('links.verify.confirm')).isVisible()).toBe(true);
}

describe.each([
  { javaScript: true, mode: 'with JavaScript' },
  { javaScript: false, mode: 'without JavaScript' },
])('managing e-mail addresses $mode', ({ javaScript }) => {
  it('1. adds an address, confirms it through the mailed link, makes it primary and removes the old one', { timeout: 90_000 }, async () => {
    const { context, page } = await openPage({ javaScript });
    const person = await signUpLaterPerson(page);
    const second = secondAddressOf(person);
    const emails = emailsPage(page);

    await goToEmailsThroughNavigation(page);
    expect(await emails.addresses()).toEqual([person.email]);
    expect(await emails.badges(person.email)).toEqual([en('emails.primary'), en('emails.verified')]);

    // Adding: the page comes back with the flash and the new address, not yet confirmed.
    await addAddress(page, second);
    expect(pathOf(page)).toBe('/settings/emails');
    expect(await flash(page)).toBe(en('flash.emailAdded'));
    expect(await emails.addresses()).toEqual([person.email, second]);
    expect(await emails.badges(second)).toEqual([en('emails.unverified')]);
    // An unconfirmed address can be sent a new link or removed, but not made primary.
    expect(await button(emails.row(second), `${en('emails.resend')} ${second}`).isVisible()).toBe(true);
    expect(await emails.row(second).getByRole('button', { name: en('emails.makePrimary') }).count()).toBe(0);

    // The link arrives at the SMTP server, addressed to the new address.
    const link = await verificationLinkFor(second);
    expect(link).toMatch(/^\/verify-email\/[a-z2-7]{32}$/);

    // Opening the link only asks; nothing is confirmed until the button is pressed.
    await page.goto(link);
    expect(pathOf(page)).toBe(link);
    await expectConfirmPage(page, second);
    const otherTab = await newWatchedPage(context);
    await otherTab.goto('/settings/emails');
    expect(await emailsPage(otherTab).badges(second)).toEqual([en('emails.unverified')]);
    await otherTab.close();

    await clickAndWaitForPage(page, button(page, en('links.verify.confirm')));
    expect(pathOf(page)).toBe('/settings/emails');
    expect(await flash(page)).toBe(en('flash.emailVerified'));
    expect(await emails.badges(second)).toEqual([en('emails.verified')]);
    expect(await emails.row(second).getByRole('button', { name: en('emails.resend') }).count()).toBe(0);

    // Make primary: within the sudo window right after signing in, so no password is asked.
    await clickAndWaitForPage(page, button(emails.row(second), `${en('emails.makePrimary')} ${second}`));
    expect(pathOf(page)).toBe('/settings/emails');
    expect(await flash(page)).toBe(en('flash.primaryChanged'));
    expect(await emails.badges(second)).toEqual([en('emails.primary'), en('emails.verified')]);
    expect(await emails.badges(person.email)).toEqual([en('emails.verified')]);
    // The old address is told, in case someone else made the change; the new one is not.
    const notice = await e2e.server.mail.waitFor(person.email, en('mail.notice.primaryChanged.subject'));
    expect(notice.text).toContain(en('mail.notice.primaryChanged.body'));
    expect(e2e.server.mail.messagesTo(second).map((mail) => mail.subject)).not.toContain(en('mail.notice.primaryChanged.subject'));

    // Remove the old address: "Remove" → the confirmation page → "Remove address".
    await clickAndWaitForPage(page, emails.row(person.email).getByRole('link', { name: `${en('emails.remove')} ${person.email}`, exact: true }));
    expect(pathOf(page)).toMatch(/^\/settings\/emails\/\d+\/remove$/);
    expect(await heading(page)).toBe(en('emails.removeTitle'));
    expect(await page.getByText(fill(en('emails.removeExplain'), { address: person.email }), { exact: true }).isVisible()).toBe(true);
    await clickAndWaitForPage(page, button(page, en('emails.removeConfirm')));
    expect(pathOf(page)).toBe('/settings/emails');
    expect(await flash(page)).toBe(en('flash.emailRemoved'));
    expect(await emails.addresses()).toEqual([second]);
    // The only address left is the primary one, which has no Remove link.
    expect(await emails.row(second).getByRole('link', { name: en('emails.remove') }).count()).toBe(0);

    // The new primary address is now the log-in name.
    await logOutThroughTopBar(page);
    await logInThroughForm(page, { email: second, password: person.password });
    expect(pathOf(page)).toBe('/settings/account');
    expect(await textOf(page.locator('header .topbar-name'))).toBe(person.name);
    expect(await accountPage(page).details.getByText(second, { exact: true }).isVisible()).toBe(true);
  });
});

describe('forgotten password', () => {
  it('2. asks for a link from the log-in page, sets a new password through it and logs in with that', { timeout: 90_000 }, async () => {
    // The old password is refused at the end (401), and the used link answers 410; Chromium logs both.
    const { page } = await openPage({ expectedStatuses: [401, 410] });
    const person = await signUpLaterPerson(page);
    await logOutThroughTopBar(page);
    expect(pathOf(page)).toBe('/login');

    await clickAndWaitForPage(page, page.getByRole('link', { name: en('login.forgotPassword'), exact: true }));
    expect(pathOf(page)).toBe('/forgot-password');
    expect(await heading(page)).toBe(en('forgot.title'));
    await page.getByLabel(en('fields.email'), { exact: true }).fill(person.email);
    await clickAndWaitForPage(page, button(page, en('forgot.submit')));
    expect(pathOf(page)).toBe('/forgot-password');
    expect(await flash(page)).toBe(en('flash.resetSent'));

    const mail = await e2e.server.mail.waitFor(person.email, en('mail.resetPassword.subject'));
    const link = linkIn(mail, '/reset-password/');
    expect(link).toMatch(/^\/reset-password\/[a-z2-7]{32}$/);
    await page.goto(link);
    expect(await heading(page)).toBe(en('reset.title'));

    const newPassword = 'a fresh and rather long passphrase';
    await page.getByLabel(en('security.password.newPassword'), { exact: true }).fill(newPassword);
    await page.getByLabel(en('security.password.confirmPassword'), { exact: true }).fill(newPassword);
    await clickAndWaitForPage(page, button(page, en('reset.submit')));
    expect(pathOf(page)).toBe('/login');
    expect(await flash(page)).toBe(en('flash.passwordReset'));
    await e2e.server.mail.waitFor(person.email, en('mail.notice.passwordReset.subject'));

    // The link worked once.
    const again = await page.goto(link);
    expect(again?.status()).toBe(410);
    expect(await heading(page)).toBe(en('links.gone.title'));

    await logInThroughForm(page, person);
    expect(pathOf(page)).toBe('/login');
    expect(await textOf(page.getByRole('alert'))).toBe(en('errors.login.failed'));
    await logInThroughForm(page, { email: person.email, password: newPassword });
    expect(pathOf(page)).toBe('/settings/account');
    expect(await textOf(page.locator('header .topbar-name'))).toBe(person.name);
  });
});

describe('signing up as a later person', () => {
  it('3. lands on "Check your inbox", and the link in the mail signs them in on the account page', async () => {
    await ensureAdministrator();
    const { page } = await openPage();
    const person = newPerson('Katherine Johnson');
    await signUpThroughForm(page, person, { verify: false });
    expect(pathOf(page)).toBe('/signup/check-inbox');
    expect(await heading(page)).toBe(en('signup.checkInbox.title'));
    expect(await page.getByText(en('signup.checkInbox.message'), { exact: true }).isVisible()).toBe(true);
    expect(await page.locator('header .topbar-name').count()).toBe(0);

    const mail = await e2e.server.mail.waitFor(person.email, en('mail.verifySignup.subject'));
    expect(mail.text).toContain(fill(en('mail.verifySignup.intro'), { address: person.email }));
    await page.goto(linkIn(mail, '/verify-email/'));
    await expectConfirmPage(page, person.email);
    // Still signed out until the press; finishing a sign-up asks for the password chosen at sign-up.
    expect(await page.locator('header .topbar-name').count()).toBe(0);
    await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);

    await clickAndWaitForPage(page, button(page, en('links.verify.confirm')));
    expect(pathOf(page)).toBe('/settings/account');
    expect(await heading(page)).toBe(en('account.title'));
    expect(await flash(page)).toBe(en('flash.emailVerified'));
    expect(await textOf(page.locator('header .topbar-name'))).toBe(person.name);
  });
});

describe('accessibility of the e-mail pages', () => {
  it('4. the E-mails page (unconfirmed and confirmed addresses, an add error) and the remove confirmation, light and dark', { timeout: 120_000 }, async () => {
    const { page } = await openPage();
    const person = await signUpLaterPerson(page);
    const emails = emailsPage(page);
    const confirmed = secondAddressOf(person);
    const unconfirmed = person.email.replace('@', '.pending@');

    await page.goto('/settings/emails');
    await addAddress(page, confirmed);
    await page.goto(await verificationLinkFor(confirmed));
    await clickAndWaitForPage(page, button(page, en('links.verify.confirm')));
    await addAddress(page, unconfirmed);
    expect(await emails.badges(person.email)).toEqual([en('emails.primary'), en('emails.verified')]);
    expect(await emails.badges(confirmed)).toEqual([en('emails.verified')]);
    expect(await emails.badges(unconfirmed)).toEqual([en('emails.unverified')]);
    await expectNoAxeViolationsInBothThemes(page, 'the E-mails page with a primary, a confirmed and an unconfirmed address (and the flash)');

    await page.goto('/settings/emails');
    await expectNoAxeViolationsInBothThemes(page, 'the E-mails page without a flash');

    // A refused address: the message next to the field, which is marked invalid and described by it.
    await addAddress(page, 'not an address');
    expect(pathOf(page)).toBe('/settings/emails');
    const error = emails.addForm.getByText(en('errors.email.invalid'), { exact: true });
    expect(await error.isVisible()).toBe(true);
    expect(await emails.addressField.getAttribute('aria-invalid')).toBe('true');
    expect((await emails.addressField.getAttribute('aria-describedby'))?.split(/\s+/)).toContain(await error.getAttribute('id'));
    expect(await emails.addressField.inputValue()).toBe('not an address');
    await expectNoAxeViolationsInBothThemes(page, 'the E-mails page with an invalid address in the add form');

    await page.goto('/settings/emails');
    await clickAndWaitForPage(page, emails.row(unconfirmed).getByRole('link', { name: `${en('emails.remove')} ${unconfirmed}`, exact: true }));
    expect(await heading(page)).toBe(en('emails.removeTitle'));
    await expectNoAxeViolationsInBothThemes(page, 'the remove-address confirmation page');
  });

  it('5. "Check your inbox", the confirm page and a link that no longer works, light and dark', { timeout: 120_000 }, async () => {
    await ensureAdministrator();
    // The used and the made-up links answer 410 Gone; Chromium logs that.
    const { page } = await openPage({ expectedStatuses: [410, 422] });
    const person = newPerson('Mary Jackson');
    await signUpThroughForm(page, person, { verify: false });
    expect(pathOf(page)).toBe('/signup/check-inbox');
    await expectNoAxeViolationsInBothThemes(page, 'the "Check your inbox" page');

    const link = linkIn(await e2e.server.mail.waitFor(person.email, en('mail.verifySignup.subject')), '/verify-email/');
    await page.goto(link);
    await expectConfirmPage(page, person.email);
    await expectNoAxeViolationsInBothThemes(page, 'the confirm-address page');
    await clickAndWaitForPage(page, button(page, en('links.verify.confirm')));
    // Without the password the sign-up is not finished: the field says so, and axe checks that too.
    expect(await page.getByText(en('errors.password.required')).count()).toBeGreaterThan(0);
    await expectNoAxeViolationsInBothThemes(page, 'the confirm-address page with a missing password');
    await page.getByLabel(en('fields.password'), { exact: true }).fill(person.password);
    await clickAndWaitForPage(page, button(page, en('links.verify.confirm')));
    expect(pathOf(page)).toBe('/settings/account');
    await logOutThroughTopBar(page);

    // The same link, now used, and one that never existed: "This link no longer works", 410.
    for (const gone of [link, `/verify-email/${'a'.repeat(32)}`]) {
      const answer = await page.goto(gone);
      expect(answer?.status()).toBe(410);
      expect(await heading(page)).toBe(en('links.gone.title'));
      expect(await page.getByText(en('links.gone.message'), { exact: true }).isVisible()).toBe(true);
    }
    await expectNoAxeViolationsInBothThemes(page, 'the "This link no longer works" page');
  });

  it('6. "Forgot your password?" and the reset page, empty and with errors, light and dark', { timeout: 120_000 }, async () => {
    const { page } = await openPage();
    const person = await signUpLaterPerson(page);
    await logOutThroughTopBar(page);

    await page.goto('/forgot-password');
    await expectNoAxeViolationsInBothThemes(page, 'the forgot-password page');
    const emailField = page.getByLabel(en('fields.email'), { exact: true });
    await emailField.fill('not an address');
    await clickAndWaitForPage(page, button(page, en('forgot.submit')));
    expect(pathOf(page)).toBe('/forgot-password');
    expect(await textOf(page.locator('#forgot-email-error'))).toBe(en('errors.email.invalid'));
    expect(await emailField.getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolationsInBothThemes(page, 'the forgot-password page with an invalid address');

    await emailField.fill(person.email);
    await clickAndWaitForPage(page, button(page, en('forgot.submit')));
    expect(await flash(page)).toBe(en('flash.resetSent'));
    await expectNoAxeViolationsInBothThemes(page, 'the forgot-password page with the "link is on its way" flash');

    await page.goto(linkIn(await e2e.server.mail.waitFor(person.email, en('mail.resetPassword.subject')), '/reset-password/'));
    expect(await heading(page)).toBe(en('reset.title'));
    await expectNoAxeViolationsInBothThemes(page, 'the reset-password page');

    // Both fields left empty: each shows its error.
    await clickAndWaitForPage(page, button(page, en('reset.submit')));
    expect(pathOf(page)).toMatch(/^\/reset-password\//);
    expect(await textOf(page.locator('#reset-newPassword-error'))).toBe(en('errors.password.newRequired'));
    expect(await textOf(page.locator('#reset-confirmPassword-error'))).toBe(en('errors.password.confirmRequired'));
    await expectNoAxeViolationsInBothThemes(page, 'the reset-password page with errors');
  });

  it('7. the outbox, as the instance administrator, light and dark', async () => {
    const admin = await ensureAdministrator();
    const { page } = await openPage();
    await logInThroughForm(page, admin);
    expect(pathOf(page)).toBe('/settings/account');
    await clickAndWaitForPage(page, navigationLink(page, 'nav.outbox'));
    expect(pathOf(page)).toBe('/admin/outbox');
    expect(await heading(page)).toBe(en('outbox.title'));
    // At least the administrator's own sign-up mail is listed, sent (its body no longer kept).
    expect(await page.locator('main section.card h2').count()).toBeGreaterThan(0);
    await expectNoAxeViolationsInBothThemes(page, 'the outbox page');

    // While the mail server refuses, a message stays in the outbox with its text and the last error.
    const address = secondAddressOf(admin);
    e2e.server.mail.refuseWith = 'Mailbox temporarily unavailable';
    try {
      await page.goto('/settings/emails');
      await addAddress(page, address);
      expect(await flash(page)).toBe(en('flash.emailAdded'));
      await page.goto('/admin/outbox');
      const entry = page.locator('main section.card').filter({ has: page.getByText(address, { exact: true }) });
      await eventually(
        async () => {
          await page.reload();
          return textOf(entry.locator('dl'));
        },
        (facts) => facts.includes(en('outbox.lastError')),
        'the refused message to show its last error',
      );
      expect(await entry.getByRole('heading', { level: 2 }).textContent()).toBe(en('mail.verifyAddress.subject'));
      expect(await textOf(entry.getByText(/Mailbox temporarily unavailable/))).toContain('Mailbox temporarily unavailable');
      expect(await entry.locator('pre.outbox-body').textContent()).toContain('/verify-email/');
      await expectNoAxeViolationsInBothThemes(page, 'the outbox page with a message that could not be sent');
    } finally {
      e2e.server.mail.refuseWith = null;
    }
  });
});
