import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { systemActor } from '../../src/lib/actor.ts';
import { expectNoAxeViolations } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { countNavigations, en, newPerson, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { useE2eEnvironment } from '../support/e2e-setup.ts';

// One Dials and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();

let context: BrowserContext | undefined;
let problems: string[] = [];
afterEach(async () => {
  await context?.close();
  context = undefined;
  expect(problems).toEqual([]);
});

let organizations = 0;

/** A person signed up through the form, in an organization "Org …" with a project "Web" (made through the platform's service). */
async function personInAnOrganization(javaScript: boolean) {
  context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript });
  const page = await context.newPage();
  problems = watchForPageProblems(page);
  const person = newPerson('Grace Hopper');
  await signUpThroughForm(page, person);
  const userId = (await e2e.server.db.select().from(users).where(eq(users.email, person.email)).get())?.id ?? -1;
  const actor = systemActor(userId, 'notifications browser test');
  organizations += 1;
  const slug = `acme-${organizations}`;
  const platform = e2e.server.app.services.platform.organizations;
  const made = await platform.create(actor, { name: `Org ${slug}`, slug });
  if (!made.ok) throw new Error(made.reason);
  const project = await platform.createProject(actor, slug, { name: 'Web', slug: 'web' });
  if (!project.ok) throw new Error(project.reason);
  return { page, actor, email: person.email, organizationName: `Org ${slug}`, projectId: project.project.id };
}

const settingsOf = (actor: { userId: number }) => e2e.server.app.services.notificationSettings.rows(actor as never);
const fill = (text: string, values: Record<string, string | number>) => text.replace(/\{\{(\w+)\}\}/g, (_, name: string) => String(values[name]));
const block = (page: Page, slug: string) => page.locator(`form#notify-${slug}`);
const places = (page: Page) => page.locator('section#notify-places');
const flash = (page: Page) => textOf(page.locator('main .flash'));
const isFocused = (locator: ReturnType<Page['locator']>) => locator.evaluate((element) => element === document.activeElement);

describe('the notifications pages with JavaScript', () => {
  it('a default changes with the keyboard and says "Saved", without leaving the page', async () => {
    const { page, actor } = await personInAnOrganization(true);
    await page.goto('/settings/notifications');
    const issueAlerts = block(page, 'issue-alerts');
    const always = issueAlerts.getByLabel(en('notifications.values.issueAlerts.always'), { exact: true });
    expect(await always.isChecked()).toBe(true);
    await expectNoAxeViolations(page, 'the notifications overview');
    const navigations = countNavigations(page);
    await always.focus();
    await page.keyboard.press('ArrowDown');
    await eventually(() => textOf(issueAlerts.locator('[data-save-status]')), (text) => text === en('status.saved'), '"Saved"');
    expect(navigations()).toBe(0);
    const never = issueAlerts.getByLabel(en('notifications.values.issueAlerts.never'), { exact: true });
    expect(await never.isChecked()).toBe(true);
    expect(await isFocused(never)).toBe(true);
    expect(await settingsOf(actor)).toEqual([{ type: 'issueAlerts', scope: 'user', scopeId: null, value: 'never' }]);
    // The live region says it too.
    await eventually(() => textOf(page.locator('#live-status')), (text) => text === en('status.saved'), 'the announcement');
  });

  it('a place of its own is added, changed and removed in place, each step said', async () => {
    const { page, actor, organizationName, projectId } = await personInAnOrganization(true);
    await page.goto('/settings/notifications');
    await clickAndWaitForPage(page, block(page, 'issue-alerts').getByRole('link', { name: new RegExp(`^${en('notifications.overrides.none.project')}`) }));
    expect(new URL(page.url()).pathname).toBe('/settings/notifications/issue-alerts');
    const navigations = countNavigations(page);
    const section = places(page);
    const status = section.locator('[data-save-status]');
    const placeName = fill(en('notifications.places.projectIn'), { project: 'Web', organization: organizationName });

    await section.getByLabel(en('notifications.places.place.project'), { exact: true }).selectOption({ label: 'Web' });
    await section.getByLabel(en('notifications.places.value'), { exact: true }).selectOption({ label: en('notifications.values.issueAlerts.never') });
    await section.getByRole('button', { name: en('notifications.places.add'), exact: true }).click();
    await eventually(() => textOf(status), (text) => text === fill(en('notifications.status.added'), { place: placeName }), 'the place added');
    expect(await settingsOf(actor)).toEqual([{ type: 'issueAlerts', scope: 'project', scopeId: projectId, value: 'never' }]);
    await expectNoAxeViolations(page, 'a type page with a place of its own');

    const own = places(page).getByLabel(placeName, { exact: true });
    await own.selectOption({ label: en('notifications.values.issueAlerts.always') });
    await eventually(() => textOf(places(page).locator('[data-save-status]')), (text) => text === fill(en('notifications.status.changed'), { place: placeName }), 'the change saved');
    expect((await settingsOf(actor))[0]?.value).toBe('always');

    await places(page).getByRole('button', { name: `${en('notifications.places.remove')} (${placeName})`, exact: true }).click();
    await eventually(() => textOf(places(page).locator('[data-save-status]')), (text) => text === fill(en('notifications.status.removed'), { place: placeName }), 'the place removed');
    expect(await settingsOf(actor)).toEqual([]);
    expect(await textOf(places(page).locator('p.help').first())).toBe(en('notifications.places.none.project'));
    expect(navigations()).toBe(0);
  });

  it('resets to the defaults through the confirmation page', async () => {
    const { page, actor, projectId } = await personInAnOrganization(true);
    const settings = e2e.server.app.services.notificationSettings;
    await settings.set(actor, { type: 'workflow', scope: 'user', scopeId: null }, 'never');
    await settings.set(actor, { type: 'workflow', scope: 'project', scopeId: projectId }, 'always');
    await page.goto('/settings/notifications/workflow');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('notifications.everywhere.reset'), exact: true }));
    expect(await textOf(page.locator('h1'))).toBe(fill(en('notifications.reset.title'), { type: en('notifications.types.workflow.title') }));
    expect(await textOf(page.locator('main section p').first())).toBe(fill(en('notifications.reset.explain_other'), { count: 2 }));
    await expectNoAxeViolations(page, 'reset a type to the defaults?');
    expect(await settingsOf(actor)).toHaveLength(2);
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('notifications.reset.confirm'), exact: true }));
    expect(new URL(page.url()).pathname).toBe('/settings/notifications/workflow');
    expect(await flash(page)).toBe(fill(en('notifications.flash.reset_other'), { count: 2 }));
    expect(await settingsOf(actor)).toEqual([]);
    // Said once: the address loses the count, so a reload does not say it again.
    expect(new URL(page.url()).search).toBe('');
    await page.reload();
    expect(await flash(page)).toBe('');
    expect(await page.getByLabel(en('notifications.values.workflow.subscribed'), { exact: true }).isChecked()).toBe(true);
  });
});

describe('an auto-save on a type page after logging out', () => {
  it('says so in the block, and shows the saved value again', async () => {
    const { page, actor, organizationName, projectId } = await personInAnOrganization(true);
    // From here a save is answered 401, which the browser logs; this watch expects it.
    problems = watchForPageProblems(page, { expectedStatuses: [401] });
    await e2e.server.app.services.notificationSettings.set(actor, { type: 'issueAlerts', scope: 'project', scopeId: projectId }, 'never');
    await page.goto('/settings/notifications/issue-alerts');
    const token = await page.locator('section#notify-places input[name="_csrf"]').first().inputValue();
    expect((await page.request.post('/logout', { form: { _csrf: token }, maxRedirects: 0 })).status()).toBe(303);
    const own = places(page).getByLabel(fill(en('notifications.places.projectIn'), { project: 'Web', organization: organizationName }), { exact: true });
    await own.selectOption({ label: en('notifications.values.issueAlerts.always') });
    await eventually(() => places(page).getByText(en('signedOut.message')).isVisible(), Boolean, 'the logged-out message');
    expect(await own.inputValue()).toBe('never');
    expect((await settingsOf(actor))[0]?.value).toBe('never');
  });
});

describe('the notifications pages without JavaScript', () => {
  it('save a default, add and remove a place, and turn a type off everywhere, each with a Save button and a message', async () => {
    const { page, actor, organizationName, projectId } = await personInAnOrganization(false);
    await page.goto('/settings/notifications');
    const deploys = block(page, 'deploys');
    await deploys.getByLabel(en('notifications.values.deploys.always'), { exact: true }).check();
    await clickAndWaitForPage(page, deploys.getByRole('button', { name: en('actions.save'), exact: true }));
    expect(new URL(page.url()).pathname).toBe('/settings/notifications');
    expect(await flash(page)).toBe(en('flash.saved'));
    expect(await block(page, 'deploys').getByLabel(en('notifications.values.deploys.always'), { exact: true }).isChecked()).toBe(true);

    await page.goto('/settings/notifications/build-emails');
    await places(page).getByLabel(en('notifications.places.place.project'), { exact: true }).selectOption({ label: 'Web' });
    await places(page).getByLabel(en('notifications.places.value'), { exact: true }).selectOption({ label: en('notifications.values.buildEmails.failed') });
    await clickAndWaitForPage(page, places(page).getByRole('button', { name: en('notifications.places.add'), exact: true }));
    expect(await flash(page)).toBe(en('notifications.flash.added'));
    expect(await settingsOf(actor)).toEqual(expect.arrayContaining([{ type: 'buildEmails', scope: 'project', scopeId: projectId, value: 'failed' }]));
    await expectNoAxeViolations(page, 'a type page without JavaScript');

    const placeName = fill(en('notifications.places.projectIn'), { project: 'Web', organization: organizationName });
    await places(page).getByLabel(placeName, { exact: true }).selectOption({ label: en('notifications.values.buildEmails.both') });
    await clickAndWaitForPage(page, places(page).getByRole('button', { name: `${en('actions.save')} (${placeName})`, exact: true }));
    expect(await flash(page)).toBe(en('flash.saved'));
    expect((await settingsOf(actor)).find((row) => row.type === 'buildEmails')?.value).toBe('both');

    await clickAndWaitForPage(page, places(page).getByRole('button', { name: `${en('notifications.places.remove')} (${placeName})`, exact: true }));
    expect(await flash(page)).toBe(en('notifications.flash.removed'));
    expect((await settingsOf(actor)).filter((row) => row.type === 'buildEmails')).toEqual([]);

    await clickAndWaitForPage(page, page.getByRole('button', { name: en('notifications.everywhere.turnOff'), exact: true }));
    expect(await flash(page)).toBe(en('notifications.flash.turnedOff'));
    expect((await settingsOf(actor)).filter((row) => row.type === 'buildEmails')).toEqual([{ type: 'buildEmails', scope: 'user', scopeId: null, value: 'off' }]);
  });
});

describe('send me a test message', () => {
  it('with JavaScript: about a project, from its type page, says where it went in the block, and the message arrives', async () => {
    const { page, email } = await personInAnOrganization(true);
    await page.goto('/settings/notifications/build-emails');
    const test = block(page, 'test-build-emails');
    await test.getByLabel(en('notificationTests.place'), { exact: true }).selectOption({ label: 'Web' });
    const navigations = countNavigations(page);
    await test.getByRole('button', { name: en('notificationTests.button'), exact: true }).click();
    await eventually(() => textOf(test.locator('[data-save-status]')), (text) => text === fill(en('notificationTests.sent'), { address: email }), '"Test sent to …"');
    expect(navigations()).toBe(0);
    await eventually(() => textOf(page.locator('#live-status')), (text) => text === fill(en('notificationTests.sent'), { address: email }), 'the announcement');
    const mail = await e2e.server.mail.waitFor(email, /^\[Test\] Build failed: main in Web$/);
    expect(mail.text.split('\n')[0]).toBe(en('mail.test.firstLine'));
    expect(mail.listUnsubscribe).toBeNull();
    await expectNoAxeViolations(page, 'a type page after sending a test');
  });

  it('without JavaScript: from the overview, back on the page with a message, and the message arrives', async () => {
    const { page, email } = await personInAnOrganization(false);
    await page.goto('/settings/notifications');
    const test = block(page, 'test-deploys');
    await clickAndWaitForPage(page, test.getByRole('button', { name: `${en('notificationTests.button')} (${en('notifications.types.deploys.title')})`, exact: true }));
    expect(new URL(page.url()).pathname).toBe('/settings/notifications');
    expect(await flash(page)).toBe(fill(en('notificationTests.sent'), { address: email }));
    await e2e.server.mail.waitFor(email, /^\[Test\] Deployed: Example project 1\.0\.0 to production$/);
    await expectNoAxeViolations(page, 'the notifications overview after sending a test, without JavaScript');
  });
});
