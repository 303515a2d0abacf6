import { DateTime } from 'luxon';
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { expectNoAxeViolationsInBothThemes } from '../support/e2e-axe.ts';
import { clickAndWaitForPage, newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { en, logInThroughForm, newPerson, signUpThroughForm } from '../support/e2e-dials.ts';
import { fillDemoAt } from '../support/e2e-platform.ts';
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

/** The demo organization's owner: one for the file, as a Dials holds one demo organization. */
let owner: ReturnType<typeof newPerson> | undefined;

async function openAsDemoOwner(javaScript: boolean): Promise<Page> {
  context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript });
  const page = await context.newPage();
  await page.setViewportSize({ width: 375, height: 800 });
  problems = watchForPageProblems(page);
  if (owner) {
    await logInThroughForm(page, owner);
  } else {
    owner = newPerson('Katherine Johnson');
    await signUpThroughForm(page, owner);
    await fillDemoAt(e2e.server.url, owner.email);
  }
  return page;
}

const chartOf = (page: Page) => page.getByRole('img', { name: en('reports.chart.caption') });

/**
 * From the organization page to a week of the demo's events: the "Weekly report" link gives the last
 * finished week; the demo's seven days lie in it and in the week under way ("Next week"), so when
 * the one holds few events (early in a week), the other holds the rest.
 */
async function toTheDemosWeek(page: Page): Promise<void> {
  await page.goto('/orgs/demo');
  await clickAndWaitForPage(page, page.getByRole('link', { name: en('reports.nav'), exact: true }));
  expect(new URL(page.url()).pathname).toMatch(/^\/reports\/weekly\/demo\/\d{4}-W\d{2}$/);
  const previousWeekBars = await page.locator('svg.chart-svg rect').count();
  await clickAndWaitForPage(page, page.getByRole('link', { name: en('reports.page.next'), exact: true }));
  // The week under way has no week after it yet, and says its figures are not final.
  expect(await page.getByRole('link', { name: en('reports.page.next'), exact: true }).count()).toBe(0);
  expect(await page.getByText(en('reports.page.inProgress'), { exact: true }).count()).toBe(1);
  if (previousWeekBars > (await page.locator('svg.chart-svg rect').count())) await clickAndWaitForPage(page, page.getByRole('link', { name: en('reports.page.previous'), exact: true }));
}

describe('the weekly report page', () => {
  for (const javaScript of [true, false]) {
    it(`shows the week's chart, issues and builds at 375 px, by keyboard, and passes axe (JavaScript ${javaScript ? 'on' : 'off'})`, async () => {
      const page = await openAsDemoOwner(javaScript);
      await toTheDemosWeek(page);
      const heading = await page.getByRole('heading', { level: 1 }).textContent();
      expect(heading).toMatch(/^Demo — week \d+, \d{4}$/);
      // The chart: an SVG image with its name, a legend, and its numbers as a table behind a disclosure.
      expect(await chartOf(page).count()).toBe(1);
      expect(await page.locator('svg.chart-svg rect').count()).toBeGreaterThan(0);
      // At 375 px the chart keeps its size and scrolls sideways: its day labels and axis numbers
      // stay as tall as the text around them, and the region scrolls by keyboard.
      const glyphHeights = await page.locator('svg.chart-svg text.chart-axis').evaluateAll((texts) => texts.map((text) => text.getBoundingClientRect().height));
      expect(Math.min(...glyphHeights)).toBeGreaterThanOrEqual(11);
      const scroller = page.getByRole('region', { name: en('reports.chart.region') });
      await scroller.focus();
      await page.keyboard.press('ArrowRight');
      await expect.poll(() => scroller.evaluate((element) => element.scrollLeft)).toBeGreaterThan(0);
      expect(await page.getByRole('figure', { name: en('reports.chart.caption') }).count()).toBe(1);
      expect(await page.locator('.chart-legend li').allTextContents()).toEqual(expect.arrayContaining([expect.stringMatching(/^Storefront \(\d+\)$/)]));
      const summary = page.locator('details.chart-table summary');
      await summary.focus();
      await page.keyboard.press('Enter');
      expect(await page.locator('details.chart-table').getAttribute('open')).not.toBeNull();
      expect(await page.locator('details.chart-table tbody tr').count()).toBe(7);
      expect(await page.getByRole('heading', { name: en('reports.issues.keyIssues') }).count()).toBe(1);
      expect(await page.getByRole('heading', { name: en('reports.builds.byPipeline') }).count()).toBe(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await expectNoAxeViolationsInBothThemes(page, 'the weekly report');

      // A key issue's link leads to the issue.
      await clickAndWaitForPage(page, page.locator('main table a[href^="/orgs/demo/issues/"]').first());
      expect(new URL(page.url()).pathname).toMatch(/^\/orgs\/demo\/issues\/\d+$/);
    });
  }

  it('says so for a quiet week, and passes axe', async () => {
    const page = await openAsDemoOwner(false);
    // Twenty weeks back: before the demo's week, within the 52 weeks a report is kept for.
    const monday = DateTime.utc().minus({ weeks: 20 }).startOf('week');
    const sunday = monday.plus({ days: 6 });
    await page.goto(`/reports/weekly/demo/${monday.weekYear}-W${String(monday.weekNumber).padStart(2, '0')}`);
    expect(await page.getByRole('heading', { name: en('reports.page.quietTitle') }).count()).toBe(1);
    // Dated as any other week: the year in the heading, its Monday to Sunday below it.
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe(`Demo — week ${monday.weekNumber}, ${monday.weekYear}`);
    const shown = (day: DateTime) => [day.toFormat('MM/dd/yyyy'), day.toFormat('dd/MM/yyyy'), day.toFormat('yyyy-MM-dd')];
    expect(shown(monday).map((first) => shown(sunday).map((last) => `${first} to ${last}`)).flat()).toContain(await page.locator('p.lead').textContent());
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await expectNoAxeViolationsInBothThemes(page, 'a quiet weekly report');
  });
});
