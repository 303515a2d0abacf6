import { DateTime } from 'luxon';
import type { Page } from 'playwright-core';
import { clickAndWaitForPage } from './e2e-browser.ts';
import { tourNotificationPages } from './e2e-notification-tour.ts';
import { en, logInThroughForm, logOutThroughTopBar, newPerson, setUpAdministratorThroughLink, signUpThroughForm } from './e2e-dials.ts';
import { fillDemoAt } from './e2e-platform.ts';
import { mailboxAt, setupPathAt } from './e2e-server.ts';
import { linkIn } from './mailbox.ts';
import { totpCode } from './totp.ts';

/** What the tour's pages answer besides 200: a refused form 422, a failed log-in 401, gone links 410, an unknown page 404, a bad outbox filter 400. */
export const tourStatuses = [400, 401, 404, 410, 422];

/** A long address with no place to break, the kind that once made pages wider than a phone. */
const longAddress = (person: { email: string }) => person.email.replace('@', '.witharatherlongmailboxnamethatgoeson@anequallylongsubdomainofexample.');

const button = (page: Page, key: string) => page.getByRole('button', { name: en(key), exact: true });
const pathOf = (page: Page) => new URL(page.url()).pathname;

function expectPath(page: Page, path: string, stop: string): void {
  if (pathOf(page) !== path) throw new Error(`The tour expected ${path} at "${stop}" but is on ${page.url()}`);
}

/**
 * Walks one browser page through every page the browser tests reach, in the states they show
 * (empty, with errors, with data), and calls `visit` at each stop with its name. The narrow-screen
 * check and the accessibility check both use this one list.
 *
 * It sets up the instance's administrator (who sees the outbox) through the set-up link, so call
 * it on a Dials that has no administrator yet. A second browser profile stands in
 * for another device, so the session list has a session to log out and one that has ended.
 */
export async function tourEveryPage(page: Page, visit: (stop: string) => Promise<void>): Promise<void> {
  const origin = () => new URL(page.url()).origin;
  const mailbox = () => {
    const found = mailboxAt(origin());
    if (!found) throw new Error(`No mailbox for the Dials at ${origin()}`);
    return found;
  };
  const stop = async (name: string, path?: string) => {
    if (path) expectPath(page, path, name);
    await visit(name);
  };

  // ---- Signed out.
  await page.goto('/signup');
  await stop('sign-up');
  await clickAndWaitForPage(page, button(page, 'signup.submit'));
  await stop('sign-up with errors');
  await page.goto('/login');
  await stop('log-in');
  await page.getByLabel(en('fields.email'), { exact: true }).fill('nobody@example.com');
  await page.getByLabel(en('fields.password'), { exact: true }).fill('not the right password at all');
  await clickAndWaitForPage(page, button(page, 'login.submit'));
  await stop('log-in after a failed attempt');
  await page.goto('/forgot-password');
  await stop('forgot password');
  await page.getByLabel(en('fields.email'), { exact: true }).fill('not an address');
  await clickAndWaitForPage(page, button(page, 'forgot.submit'));
  await stop('forgot password with an error');
  await page.goto(`/reset-password/${'a'.repeat(32)}`);
  await stop('a link that no longer works');
  await page.goto('/no-such-page');
  await stop('page not found');

  // ---- The instance's administrator, through the set-up link printed at start.
  await page.goto(await setupPathAt(origin()));
  await stop('administrator set-up');
  await clickAndWaitForPage(page, button(page, 'setup.submit'));
  await stop('administrator set-up with errors');
  const person = newPerson('Ada Lovelace-Byron of a Rather Long Name');
  await setUpAdministratorThroughLink(page, person);
  await stop('account, just set up', '/settings/account');
  await page.goto('/settings/account/time-zone');
  await stop('time zone, all zones');
  await page.goto('/settings/account/time-zone?q=Berlin');
  await stop('time zone, zones matching a search');
  await page.goto('/settings/account/time-zone?q=nowhere-at-all');
  await stop('time zone, no zone matches');
  const outbox = await page.goto('/admin/outbox');
  if (outbox?.status() !== 200) throw new Error('The page tour must run as the administrator of its Dials');
  await stop('outbox');
  await page.goto('/admin/outbox?state=bogus');
  await stop('outbox with a bad filter');
  await page.goto('/admin/jobs');
  await stop('scheduled jobs', '/admin/jobs');

  await page.goto('/settings/security');
  await stop('security');
  const passwordCard = page.locator('section[aria-labelledby="password-heading"]');
  await clickAndWaitForPage(page, passwordCard.getByRole('button', { name: en('security.password.submit'), exact: true }));
  await stop('security with password errors');

  // Another device logged in, and a third that logged out: the session list shows both kinds.
  const browser = page.context().browser();
  if (!browser) throw new Error('The tour needs the browser of its page');
  const otherDevice = await browser.newContext({ baseURL: origin() });
  try {
    const other = await otherDevice.newPage();
    await logInThroughForm(other, person);
    const third = await otherDevice.browser()?.newContext({ baseURL: origin() });
    const thirdPage = await third?.newPage();
    if (third && thirdPage) {
      await logInThroughForm(thirdPage, person);
      await logOutThroughTopBar(thirdPage);
      await third.close();
    }
    await page.goto('/settings/security/sessions');
    await stop('sessions, live and ended');
  } finally {
    await otherDevice.close();
  }
  await page.goto('/settings/security/log-out-everywhere');
  await stop('log out of all devices?');

  await page.goto('/settings/emails');
  await stop('e-mails');
  const addForm = page.locator('form[action="/settings/emails"]');
  await addForm.getByLabel(en('fields.email'), { exact: true }).fill('not an address');
  await clickAndWaitForPage(page, addForm.getByRole('button', { name: en('emails.add'), exact: true }));
  await stop('e-mails with an error');
  await page.goto('/settings/emails');
  await addForm.getByLabel(en('fields.email'), { exact: true }).fill(longAddress(person));
  await clickAndWaitForPage(page, addForm.getByRole('button', { name: en('emails.add'), exact: true }));
  await stop('e-mails with a long unconfirmed address', '/settings/emails');
  await clickAndWaitForPage(page, page.locator('main a[href$="/remove"]').first());
  await stop('remove an address');

  // ---- Two-factor authentication: first the address must be confirmed.
  await page.goto('/settings/security/two-factor/app');
  await stop('authenticator app, confirm the address first');
  await page.goto(linkIn(await mailbox().waitFor(person.email, en('mail.verifyAddress.subject')), '/verify-email/'));
  await stop('confirm an address');
  await clickAndWaitForPage(page, button(page, 'links.verify.confirm'));
  await page.goto('/settings/emails');
  await stop('e-mails with a confirmed primary address');
  await tourNotificationPages(page, person, stop);
  await page.goto('/settings/security/two-factor/app');
  await stop('authenticator app, before set-up');
  await clickAndWaitForPage(page, button(page, 'security.totp.start'));
  await stop('authenticator app, QR code and secret');
  const codeField = page.getByLabel(en('twoFactor.code'), { exact: true });
  await codeField.fill('12345');
  await clickAndWaitForPage(page, button(page, 'security.totp.confirm'));
  await stop('authenticator app, a code that is not six digits');
  const secret = ((await page.locator('code#totp-secret').textContent()) ?? '').replace(/\s/g, '');
  await codeField.fill(await totpCode(secret, Date.now()));
  await clickAndWaitForPage(page, button(page, 'security.totp.confirm'));
  await stop('recovery codes, shown once', '/settings/security/recovery-codes');
  if ((await page.locator('ol#recovery-codes li').count()) !== 10) throw new Error('The new recovery codes were not shown after turning the app on');
  // The codes came from a redirect: a reload is a plain GET, which shows them no more.
  await page.reload();
  if ((await page.locator('ol#recovery-codes').count()) !== 0) throw new Error('A reload showed the recovery codes again');
  await stop('recovery codes, get new ones');
  await page.goto('/settings/security/two-factor/app/remove');
  await stop('remove the authenticator app?');
  await page.goto('/sudo?next=/settings/security');
  await stop('confirm access, with code fields');
  await page.goto('/settings/security');
  await stop('security with two-factor authentication on');

  // ---- API keys, made past the second factor (access was confirmed with it just now).
  await page.goto('/settings/api-keys');
  await stop('API keys, none yet');
  const createKey = page.locator('form[action="/settings/api-keys"]');
  await clickAndWaitForPage(page, createKey.getByRole('button', { name: en('apiKeys.create'), exact: true }));
  await stop('API keys with an error');
  await createKey.getByLabel(en('apiKeys.name'), { exact: true }).fill('A deploy script with a rather long name that goes on');
  await createKey.getByLabel(en('apiKeys.resources.user'), { exact: true }).selectOption('read');
  await clickAndWaitForPage(page, createKey.getByRole('button', { name: en('apiKeys.create'), exact: true }));
  await stop('API key, shown once');
  await page.goto('/settings/api-keys');
  await stop('API keys, one made');
  await clickAndWaitForPage(page, page.locator('main tbody tr').first().getByRole('link', { name: new RegExp(`^${en('apiKeys.edit')} `) }));
  await stop('API key, its access and recent calls');
  await clickAndWaitForPage(page, page.locator('main section').last().getByRole('link', { name: new RegExp(`^${en('apiKeys.revoke')} `) }));
  await stop('revoke an API key?');

  // ---- Organizations: none yet, a refused form, then the demo organization's pages.
  await page.goto('/orgs');
  await stop('organizations, none yet');
  const createOrganization = page.locator('form[action="/orgs"]');
  await createOrganization.getByLabel(en('orgs.create.slug'), { exact: true }).fill('Not A Slug');
  await clickAndWaitForPage(page, createOrganization.getByRole('button', { name: en('orgs.create.submit'), exact: true }));
  await stop('organizations with an error');
  await fillDemoAt(origin(), person.email);
  await page.goto('/orgs');
  await stop('organizations, the demo');
  await page.goto('/orgs/demo');
  await stop('an organization, its projects, pipelines and members');
  await clickAndWaitForPage(page, page.locator('main a[href^="/orgs/demo/members/"][href$="/remove"]').first());
  await stop('remove a member?');
  await page.goto('/orgs/demo/leave');
  await stop('leave an organization?');
  await page.goto('/orgs/demo/builds');
  await stop('builds');
  await page.goto('/orgs/demo/builds?status=running');
  await stop('builds, filtered');
  await page.goto('/orgs/demo/issues');
  await stop('issues');
  // The issue with the deepest stack trace (41 frames, long paths).
  await clickAndWaitForPage(page, page.locator('main tbody a', { hasText: 'OutOfMemoryError' }).first());
  await stop('an issue with its stack trace and activity');
  // The weekly report: the organization's last finished week, then the one under way (the demo's days lie in both).
  await page.goto('/orgs/demo');
  await clickAndWaitForPage(page, page.getByRole('link', { name: en('reports.nav'), exact: true }));
  await stop('a weekly report, the last finished week');
  await clickAndWaitForPage(page, page.getByRole('link', { name: en('reports.page.next'), exact: true }));
  await stop('a weekly report, the week under way');
  // Twenty weeks back: before the demo's week, within the 52 weeks a report is kept for.
  const quiet = DateTime.utc().minus({ weeks: 20 });
  await page.goto(`/reports/weekly/demo/${quiet.weekYear}-W${String(quiet.weekNumber).padStart(2, '0')}`);
  await stop('a weekly report of a quiet week');

  // ---- Logging out and in again, with the second factor.
  await logOutThroughTopBar(page);
  await stop('log-in after logging out', '/login');
  // The link for the address added above, opened logged out: log in first, with a word on why.
  await page.goto(linkIn(await mailbox().waitFor(longAddress(person), en('mail.verifyAddress.subject')), '/verify-email/'));
  await stop('log in to confirm an added address', '/login');
  await logInThroughForm(page, person);
  await stop('log-in, second step', '/login/two-factor');
  await codeField.fill('12345');
  await clickAndWaitForPage(page, button(page, 'twoFactor.verify'));
  await stop('log-in, second step with an error');

  await page.goto('/forgot-password');
  await page.getByLabel(en('fields.email'), { exact: true }).fill(person.email);
  await clickAndWaitForPage(page, button(page, 'forgot.submit'));
  await stop('forgot password, link sent');
  await page.goto(linkIn(await mailbox().waitFor(person.email, en('mail.resetPassword.subject')), '/reset-password/'));
  await stop('reset the password, with code fields');
  await clickAndWaitForPage(page, button(page, 'reset.submit'));
  await stop('reset the password, with errors');

  // ---- A later person: "check your inbox", then the link that finishes the sign-up.
  const later = newPerson('Grace Hopper');
  await signUpThroughForm(page, later, { verify: false });
  await stop('check your inbox', '/signup/check-inbox');
  await page.goto(linkIn(await mailbox().waitFor(later.email, en('mail.verifySignup.subject')), '/verify-email/'));
  await stop('finish signing up');
  await clickAndWaitForPage(page, button(page, 'links.verify.confirm'));
  await stop('finish signing up, without the password');
}
