import { eq } from 'drizzle-orm';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { jobRuns } from '../../src/jobs/tables.ts';
import { systemActor } from '../../src/lib/actor.ts';
import { expectNoAxeViolations } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, eventually, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { countNavigations, en, logInThroughForm, newPerson, setUpAdministratorThroughLink, signUpThroughForm, textOf } from '../support/e2e-dials.ts';
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

async function open(javaScript: boolean): Promise<Page> {
  context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript });
  const page = await context.newPage();
  problems = watchForPageProblems(page, { expectedStatuses: [] });
  await page.setViewportSize({ width: 375, height: 800 });
  return page;
}

const path = '/settings/notifications/weekly-reports';
const timeOf = async (email: string) => {
  const userId = (await e2e.server.db.select().from(users).where(eq(users.email, email)).get())?.id ?? -1;
  return e2e.server.app.services.reportTimes.of(systemActor(userId, 'weekly reports browser test'));
};
const widerThanScreen = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);

describe('when weekly reports arrive', () => {
  it('with JavaScript: the day and hour save as they are picked, on a 375 px screen, and the page passes axe', async () => {
    const page = await open(true);
    const person = newPerson('Grace Hopper');
    await signUpThroughForm(page, person);
    await page.goto(path);
    const block = page.locator('form#notify-report-time');
    expect(await block.getByLabel(en('notifications.reportTime.weekday'), { exact: true }).inputValue()).toBe('1');
    expect(await block.getByLabel(en('notifications.reportTime.hour'), { exact: true }).inputValue()).toBe('9');
    expect(await widerThanScreen(page)).toBe(false);
    await expectNoAxeViolations(page, 'the weekly reports page');
    const navigations = countNavigations(page);
    await block.getByLabel(en('notifications.reportTime.weekday'), { exact: true }).selectOption('5');
    await eventually(() => textOf(page.locator('form#notify-report-time [data-save-status]')), (text) => text === en('status.saved'), 'the day to be saved');
    // The new block is htmx's to process before its own changes are sent.
    await page.waitForFunction(() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling'));
    await page.locator('form#notify-report-time').getByLabel(en('notifications.reportTime.hour'), { exact: true }).selectOption('17');
    await eventually(() => timeOf(person.email), (time) => time.weekday === 5 && time.hour === 17, 'Friday 17:00 to be stored');
    expect(navigations()).toBe(0);
    await expectNoAxeViolations(page, 'the weekly reports page after saving');
    await page.reload();
    expect(await page.locator('form#notify-report-time').getByLabel(en('notifications.reportTime.weekday'), { exact: true }).inputValue()).toBe('5');
  });

  it('without JavaScript: Save sends the form and the page says it was saved', async () => {
    const page = await open(false);
    const person = newPerson('Linus Torvalds');
    await signUpThroughForm(page, person);
    await page.goto(path);
    const block = page.locator('form#notify-report-time');
    await block.getByLabel(en('notifications.reportTime.weekday'), { exact: true }).selectOption('7');
    await block.getByLabel(en('notifications.reportTime.hour'), { exact: true }).selectOption('0');
    await clickAndWaitForPage(page, block.getByRole('button', { name: en('actions.save'), exact: true }));
    expect(new URL(page.url()).pathname).toBe(path);
    expect(await textOf(page.locator('main .flash'))).toBe(en('flash.saved'));
    expect(await timeOf(person.email)).toEqual({ weekday: 7, hour: 0 });
    expect(await widerThanScreen(page)).toBe(false);
    await expectNoAxeViolations(page, 'the weekly reports page without JavaScript');
  });
});

describe('/admin/jobs', () => {
  it('shows the weekly reports job; "Run now" runs it, with and without JavaScript, on a 375 px screen', async () => {
    let page = await open(true);
    const admin = newPerson('Ada Lovelace');
    await setUpAdministratorThroughLink(page, admin);
    await page.goto('/admin/jobs');
    const card = page.locator('section[aria-labelledby="job-weeklyReports-title"]');
    expect(await textOf(card.locator('h2'))).toBe(en('jobs.names.weeklyReports'));
    expect(await textOf(card)).toContain(en('jobs.notYet'));
    expect(await widerThanScreen(page)).toBe(false);
    await expectNoAxeViolations(page, 'the scheduled jobs page');
    await clickAndWaitForPage(page, card.getByRole('button', { name: en('jobs.runNow'), exact: true }));
    expect(new URL(page.url()).pathname).toBe('/admin/jobs');
    expect(await textOf(page.locator('main .flash'))).toBe(en('jobs.flash.finished'));
    expect(await textOf(card)).toContain(en('jobs.triggers.hand'));
    await expectNoAxeViolations(page, 'the scheduled jobs page after a run');
    await context?.close();

    page = await open(false);
    await logInThroughForm(page, admin);
    await page.goto('/admin/jobs');
    await clickAndWaitForPage(page, page.getByRole('button', { name: en('jobs.runNow'), exact: true }));
    expect(await textOf(page.locator('main .flash'))).toBe(en('jobs.flash.finished'));
    expect(await widerThanScreen(page)).toBe(false);
    expect((await e2e.server.db.select().from(jobRuns)).map((run) => run.trigger)).toEqual(['hand', 'hand']);
  });
});
