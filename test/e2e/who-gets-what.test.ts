import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { systemActor } from '../../src/lib/actor.ts';
import { expectNoAxeViolations } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { en, newPerson, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
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

/** An owner signed up through the form, with an organization (project "Web", pipeline "main") and two more members. */
async function anOwner(javaScript: boolean) {
  context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript });
  const page = await context.newPage();
  problems = watchForPageProblems(page);
  const person = newPerson('Grace Hopper');
  await signUpThroughForm(page, person);
  const { app, db } = e2e.server;
  const userId = (await db.select().from(users).where(eq(users.email, person.email)).get())?.id ?? -1;
  const actor = systemActor(userId, 'who gets what browser test');
  organizations += 1;
  const slug = `wgw-${organizations}`;
  const platform = app.services.platform;
  const made = await platform.organizations.create(actor, { name: `Org ${slug} with a rather long name that goes on`, slug });
  if (!made.ok) throw new Error(made.reason);
  const project = await platform.organizations.createProject(actor, slug, { name: 'Web', slug: 'web' });
  if (!project.ok) throw new Error(project.reason);
  const pipeline = await platform.organizations.createPipeline(actor, slug, 'web', { name: 'main' });
  if (!pipeline.ok) throw new Error(pipeline.reason);
  // Long names, to show that nothing gets wider than a narrow screen.
  const long = await platform.organizations.createProject(actor, slug, { name: 'A project with a rather long name that goes on and on', slug: 'long' });
  if (!long.ok) throw new Error(long.reason);
  const longPipeline = await platform.organizations.createPipeline(actor, slug, 'long', { name: 'a-pipeline-with-a-rather-long-name-that-goes-on' });
  if (!longPipeline.ok) throw new Error(longPipeline.reason);
  const members: Array<{ name: string; email: string }> = [];
  for (const name of ['Ada Lovelace', 'Linus Torvalds']) {
    const member = newPerson(name);
    const { id } = await app.services.users.create({ email: member.email, name, passwordHash: 'not a hash', activated: true }, async () => undefined);
    const primary = await app.services.emailAddresses.primaryOf(id);
    if (primary) await app.services.emailAddresses.markVerified(id, primary.id);
    const invited = await platform.invitations.invite(actor, slug, { email: member.email, role: 'member' });
    if (!invited.ok) throw new Error(invited.reason);
    const accepted = await platform.invitations.accept(systemActor(id, 'who gets what browser test'), invited.invitation.id);
    if (!accepted.ok) throw new Error(accepted.reason);
    members.push(member);
  }
  await app.services.notificationSettings.set(actor, { type: 'buildEmails', scope: 'user', scopeId: null }, 'failed');
  return { page, person, actor, slug, organizationName: `Org ${slug} with a rather long name that goes on`, members, pipelineId: pipeline.pipeline.id, projectId: project.project.id };
}

const answer = (page: Page) => page.locator('.who-gets-what-answer');
const rowOf = (page: Page, name: string) => answer(page).locator('tbody tr', { has: page.locator('th', { hasText: name }) });

/** No wider than the screen at 375 px (and 320 px, as the narrow-screen tour asks). */
async function expectNoWiderThan(page: Page, width: number, what: string) {
  for (const each of [width, 320]) {
    await page.setViewportSize({ width: each, height: 800 });
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `${what} at ${each} px`).toBeLessThanOrEqual(each);
  }
  await page.setViewportSize({ width: 1200, height: 900 });
}

describe('who gets what with JavaScript', () => {
  it('an owner reaches it from the organization page, and the answer follows the question in place', async () => {
    const { page, slug, members } = await anOwner(true);
    await page.goto(`/orgs/${slug}`);
    await clickAndWaitForPage(page, page.getByRole('link', { name: en('whoGetsWhat.orgLink') }));
    expect(new URL(page.url()).pathname).toBe(`/orgs/${slug}/who-gets-what`);
    await expectNoAxeViolations(page, 'who gets what, nothing asked yet');
    // htmx puts each question in the address (a same-document navigation); the document itself stays.
    await page.evaluate(() => Object.assign(window, { sameDocument: true }));
    const stayed = () => page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument === true);
    await page.getByRole('button', { name: en('whoGetsWhat.show'), exact: true }).click();
    await eventually(() => textOf(answer(page)), (text) => text.includes('Failed build of '), 'the answer');
    expect(await textOf(rowOf(page, 'Grace Hopper'))).toContain(en('whoGetsWhat.gets.yes'));
    expect(await textOf(rowOf(page, 'Ada Lovelace'))).toContain(en('whoGetsWhat.because.setting'));

    // The kind, chosen with the keyboard: the block is replaced and the address follows.
    await page.getByLabel(en('whoGetsWhat.fields.kind'), { exact: true }).selectOption('deploy');
    await eventually(() => page.getByLabel(en('whoGetsWhat.fields.authors'), { exact: true }).count(), (count) => count === 1, 'the commit authors');
    await eventually(async () => new URL(page.url()).searchParams.get('kind'), (kind) => kind === 'deploy', 'the address with the question');
    await eventually(() => textOf(answer(page)), (text) => text.includes('A deploy of '), 'the deploy answer');
    const ada = members[0]!;
    await page.getByLabel(en('whoGetsWhat.fields.authors'), { exact: true }).selectOption([ada.email]);
    await eventually(() => textOf(rowOf(page, 'Ada Lovelace')), (text) => text.includes(en('whoGetsWhat.gets.yes')) && text.includes(ada.email), 'Ada gets her deploy');
    expect(await textOf(rowOf(page, 'Linus Torvalds'))).toContain(en('whoGetsWhat.because.notTheirCommits'));
    // Said to screen readers too, as the answer changes in place.
    await eventually(() => textOf(page.locator('#live-status')), (text) => text === '1 of 3 would get it.', 'the announcement');
    expect(await stayed()).toBe(true);
    await expectNoAxeViolations(page, 'who gets what, a deploy answered');
    // Back to the build's answer: the whole page comes again, with its question and answer.
    await page.goBack();
    await eventually(async () => new URL(page.url()).searchParams.getAll('authors').length, (count) => count === 0, 'the address before an author was picked');
    await eventually(() => textOf(rowOf(page, 'Ada Lovelace')), (text) => text.includes(en('whoGetsWhat.because.notTheirCommits')), 'the deploy answer before an author was picked');
    await page.goBack();
    await eventually(async () => new URL(page.url()).searchParams.get('kind'), (kind) => kind === 'build', 'the address of the build question');
    await eventually(() => textOf(answer(page)), (text) => text.includes('Failed build of '), 'the build answer again');
    expect(await page.locator('h1').count()).toBe(1);
    expect(await page.locator('header').count()).toBeGreaterThan(0);
    await page.goForward();
    await eventually(() => textOf(answer(page)), (text) => text.includes('A deploy of '), 'the deploy answer again');
    await page.goForward();
    await eventually(() => textOf(rowOf(page, 'Ada Lovelace')), (text) => text.includes(en('whoGetsWhat.gets.yes')), 'the deploy with Ada\u2019s commits again');
    await expectNoWiderThan(page, 375, 'who gets what in an organization');

    // A typed address that is not one: the message next to the field, in place.
    const typed = page.getByLabel(en('whoGetsWhat.fields.typed'), { exact: true });
    await typed.fill('not an address');
    await typed.press('Tab');
    await eventually(() => textOf(page.locator('#wgw-typed-error')), (text) => text.includes('ada@example.com'), 'the error next to the field');
    expect(await page.getByLabel(en('whoGetsWhat.fields.typed'), { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(page, 'who gets what, an error');
    expect(await stayed()).toBe(true);
  });
});

describe('who gets what without JavaScript', () => {
  it('one\u2019s own page asks with the Show button, answers for oneself alone, and fits 375 px', async () => {
    const { page, organizationName } = await anOwner(false);
    await page.goto('/settings/notifications');
    await clickAndWaitForPage(page, page.getByRole('link', { name: en('whoGetsWhat.link') }));
    expect(new URL(page.url()).pathname).toBe('/settings/notifications/who-gets-what');
    expect(await textOf(page.getByLabel(en('whoGetsWhat.fields.organization'), { exact: true }))).toContain(organizationName);
    await page.getByLabel(en('whoGetsWhat.fields.kind'), { exact: true }).selectOption('workflow');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('whoGetsWhat.show'), exact: true }));
    // The kind's own fields come with the page that answers.
    const followed = page.getByLabel(en('whoGetsWhat.fields.subscribedMe'), { exact: true });
    expect(await followed.count()).toBe(1);
    expect(await textOf(rowOf(page, 'Grace Hopper'))).toContain(en('whoGetsWhat.because.notSubscribed'));
    await followed.check();
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('whoGetsWhat.show'), exact: true }));
    expect(new URL(page.url()).searchParams.get('kind')).toBe('workflow');
    expect(await textOf(rowOf(page, 'Grace Hopper'))).toContain(en('whoGetsWhat.gets.yes'));
    expect(await answer(page).locator('tbody tr').count()).toBe(1);
    expect(await textOf(page.locator('main'))).not.toContain('Ada Lovelace');
    await expectNoAxeViolations(page, 'who gets what, one\u2019s own');
    await expectNoWiderThan(page, 375, 'who gets what, one\u2019s own');
  });

  it('an owner\u2019s page works with the button too, and fits 375 px', async () => {
    const { page, slug, actor } = await anOwner(false);
    await page.goto(`/orgs/${slug}/who-gets-what`);
    await page.getByLabel(en('whoGetsWhat.fields.status'), { exact: true }).selectOption('success');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('whoGetsWhat.show'), exact: true }));
    expect(await textOf(rowOf(page, 'Grace Hopper'))).toContain(en('whoGetsWhat.because.statusNotChosen'));
    expect(await answer(page).locator('tbody tr').count()).toBe(3);
    await expectNoAxeViolations(page, 'who gets what in an organization, without JavaScript');
    await expectNoWiderThan(page, 375, 'who gets what in an organization, without JavaScript');
    await page.getByLabel(en('whoGetsWhat.fields.pipeline'), { exact: true }).selectOption({ label: 'A project with a rather long name that goes on and on / a-pipeline-with-a-rather-long-name-that-goes-on' });
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('whoGetsWhat.show'), exact: true }));
    expect(await textOf(answer(page))).toContain('a-pipeline-with-a-rather-long-name-that-goes-on');

    // An organization with nothing in it yet: said so, on one's own page too.
    const bare = await e2e.server.app.services.platform.organizations.create(actor, { name: 'An organization with nothing in it yet', slug: `${slug}-bare` });
    if (!bare.ok) throw new Error(bare.reason);
    await page.goto(`/orgs/${slug}-bare/who-gets-what?kind=build`);
    expect(await textOf(answer(page))).toContain('An organization with nothing in it yet has no pipeline yet.');
    await expectNoAxeViolations(page, 'who gets what, no pipeline');
    await expectNoWiderThan(page, 375, 'who gets what, no pipeline');
    await page.goto(`/settings/notifications/who-gets-what?org=${slug}-bare&kind=deploy`);
    expect(await textOf(answer(page))).toContain('An organization with nothing in it yet has no project yet.');
    await expectNoAxeViolations(page, 'who gets what, one\u2019s own, no project');
    await expectNoWiderThan(page, 375, 'who gets what, one\u2019s own, no project');
    await expectNoWiderThan(page, 375, 'who gets what in an organization, without JavaScript');
  });
});
