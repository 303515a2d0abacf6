import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { formatTimestamp } from '../../src/lib/datetime-format.ts';
import { expectNoAxeViolationsInBothThemes } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { accountPage, countNavigations, en, newPerson, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
import { invitationFor, issueWithFrames } from '../support/e2e-platform.ts';
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

const open = async (javaScript: boolean, expectedStatuses: number[] = []): Promise<{ page: Page; person: ReturnType<typeof newPerson> }> => {
  context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript });
  const page = await context.newPage();
  await page.setViewportSize({ width: 375, height: 800 });
  problems = watchForPageProblems(page, { expectedStatuses });
  const person = newPerson('Katherine Johnson');
  await signUpThroughForm(page, person);
  return { page, person };
};

const frames = Array.from({ length: 32 }, (_, index) => ({
  file: index % 3 === 0 ? `src/checkout/a/very/deeply/nested/folder/structure/that/keeps/going/basket-${index}-service.ts` : `node_modules/some-library/dist/internal/part-${index}.js`,
  function: `frame${index}`,
  line: 100 + index,
  inApp: index % 3 === 0,
}));
const reported = frames.map((frame) => frame.function);
const occurredAt = new Date('2026-01-15T08:05:00Z');

const shownFrames = (page: Page) => page.locator('ol.frames code.frame-function').allTextContents();
const saved = (page: Page) => eventually(() => textOf(accountPage(page).preferencesStatus), (text) => text === en('status.saved'), 'the preferences to be saved');

describe('the issue page', () => {
  it('shows the frames in the order chosen on the account page, and its times in the chosen zone and format', async () => {
    const { page, person } = await open(true);
    const issuePath = await issueWithFrames(e2e.server.url, person.email, `trace-${process.pid}`, occurredAt, frames);

    await page.goto(issuePath);
    expect(await shownFrames(page)).toEqual([...reported].reverse());
    expect(await textOf(page.locator('#stack-order'))).toContain(en('orgs.issue.order.caller-first'));
    // Library frames are told apart in words, not by colour alone.
    expect(await textOf(page.locator('ol.frames li').first().locator('.badge'))).toBe(en('orgs.issue.library'));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expectNoAxeViolationsInBothThemes(page, 'the issue page');

    // The link on the issue page leads to the preference.
    await clickAndWaitForPage(page, page.getByRole('link', { name: en('orgs.issue.order.change') }));
    expect(new URL(page.url()).pathname).toBe('/settings/account');
    const account = accountPage(page);
    await account.preferences.getByLabel(en('account.preferences.stackTraceOrder'), { exact: true }).selectOption('caller-last');
    await saved(page);
    await account.preferences.getByLabel(en('account.preferences.dateFormats.international'), { exact: true }).check();
    await saved(page);
    await account.preferences.getByLabel(en('account.preferences.clock24h'), { exact: true }).check();
    await saved(page);
    const picker = page.getByRole('combobox', { name: en('account.preferences.timezone') });
    await picker.click();
    await page.keyboard.type('Tokyo', { delay: 40 });
    await eventually(() => page.getByRole('listbox', { name: en('account.timeZone.listLabel') }).getByRole('option').count(), (count) => count > 0, 'matches for Tokyo');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await eventually(() => page.locator('form#account-preferences input[name="timezone"]').inputValue(), (zone) => zone === 'Asia/Tokyo', 'Asia/Tokyo to be saved');
    await saved(page);

    await page.goto(issuePath);
    expect(await shownFrames(page)).toEqual(reported);
    expect(await textOf(page.locator('#stack-order'))).toContain(en('orgs.issue.order.caller-last'));
    const expected = formatTimestamp(occurredAt, { language: 'en', timeZone: 'Asia/Tokyo', clock24h: true, dateFormat: 'international' });
    expect(expected).toContain('15/01/2026 17:05');
    expect(await page.locator('time').allTextContents()).toContain(expected);

    await page.goto('/settings/account');
    await accountPage(page).preferences.getByLabel(en('account.preferences.stackTraceOrder'), { exact: true }).selectOption('caller-first');
    await saved(page);
    await page.goto(issuePath);
    expect(await shownFrames(page)).toEqual([...reported].reverse());
  });
});

describe('with JavaScript off', () => {
  it('an organization, a project and a pipeline are made, and the pipeline\u2019s switch is saved, each by a form and a flash', async () => {
    const { page } = await open(false);
    await page.goto('/');
    await clickAndWaitForPage(page, page.locator('header').getByRole('link', { name: en('layout.organizations'), exact: true }));
    expect(new URL(page.url()).pathname).toBe('/orgs');
    await page.getByLabel(en('orgs.create.name'), { exact: true }).fill('Hidden Figures');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('orgs.create.submit'), exact: true }));
    expect(new URL(page.url()).pathname).toBe('/orgs/hidden-figures');
    expect(await textOf(page.locator('main .flash'))).toBe(en('flash.orgs.created'));

    await page.getByLabel(en('orgs.projects.name'), { exact: true }).fill('Launch');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('orgs.projects.create'), exact: true }));
    expect(await textOf(page.locator('main .flash'))).toBe(en('flash.orgs.projectCreated'));
    await page.getByLabel(en('orgs.pipelines.name').replace('{{project}}', 'Launch'), { exact: true }).fill('main');
    await clickAndWaitForPage(page, page.getByRole('button', { name: `${en('orgs.pipelines.create')} (Launch)`, exact: true }));
    expect(await textOf(page.locator('main .flash'))).toBe(en('flash.orgs.pipelineCreated'));

    const flag = page.getByLabel(en('orgs.pipelines.manualExecutions').replace('{{name}}', 'main'), { exact: true });
    expect(await flag.isChecked()).toBe(false);
    await flag.check();
    const block = page.locator('form.pipeline-flag');
    await clickAndWaitForPage(page, accountPage(page).saveButton(block));
    expect(await textOf(page.locator('main .flash'))).toBe(en('flash.saved'));
    expect(await page.getByLabel(en('orgs.pipelines.manualExecutions').replace('{{name}}', 'main'), { exact: true }).isChecked()).toBe(true);
  });
});

describe('an invitation received', () => {
  for (const javaScript of [false, true]) {
    it(`is shown on /orgs and accepted by keyboard (JavaScript ${javaScript ? 'on' : 'off'}), with no axe violations at 375 px`, async () => {
      const { page, person } = await open(javaScript);
      const slug = `invited-${javaScript ? 'js' : 'nojs'}-${process.pid}`;
      const name = await invitationFor(e2e.server.url, person.email, slug);
      await page.goto('/orgs');
      const invitations = page.getByRole('region', { name: en('orgs.received.title') });
      expect(await textOf(invitations)).toContain(name);
      await expectNoAxeViolationsInBothThemes(page, '/orgs with an invitation');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      const accept = invitations.getByRole('button', { name: `${en('orgs.received.accept')} (${name})`, exact: true });
      await accept.focus();
      await Promise.all([page.waitForLoadState('load'), page.waitForURL((url) => url.pathname !== '/orgs' || url.search !== ''), page.keyboard.press('Enter')]);
      await page.goto('/orgs');
      expect(await page.getByRole('link', { name, exact: true }).count()).toBe(1);
      expect(await page.getByRole('region', { name: en('orgs.received.title') }).count()).toBe(0);
    });
  }
});

describe('with JavaScript', () => {
  it('the pipeline\u2019s switch saves itself in place and says so', async () => {
    const { page } = await open(true);
    await page.goto('/orgs');
    await page.getByLabel(en('orgs.create.name'), { exact: true }).fill('Saving in place');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('orgs.create.submit'), exact: true }));
    await page.getByLabel(en('orgs.projects.name'), { exact: true }).fill('Site');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('orgs.projects.create'), exact: true }));
    await page.getByLabel(en('orgs.pipelines.name').replace('{{project}}', 'Site'), { exact: true }).fill('deploy');
    await clickAndWaitForPage(page, page.getByRole('button', { name: `${en('orgs.pipelines.create')} (Site)`, exact: true }));

    const navigations = countNavigations(page);
    const label = en('orgs.pipelines.manualExecutions').replace('{{name}}', 'deploy');
    await page.getByLabel(label, { exact: true }).check();
    const status = page.locator('form.pipeline-flag [data-save-status]');
    await eventually(() => textOf(status), (text) => text === en('status.saved'), 'the switch to be saved');
    expect(navigations()).toBe(0);
    await page.reload();
    expect(await page.getByLabel(label, { exact: true }).isChecked()).toBe(true);
  });
});
