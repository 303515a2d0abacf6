import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { tourEveryPage, tourStatuses } from '../support/e2e-page-tour.ts';
import { useE2eEnvironment } from '../support/e2e-setup.ts';

// One Dials and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();
let context: BrowserContext | undefined;

afterAll(async () => {
  await context?.close();
});

describe('on phone-sized screens', () => {
  it('no page the browser tests reach is wider than a 320 or a 375 px screen', { timeout: 180_000 }, async () => {
    context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript: true, colorScheme: 'light' });
    const page = await context.newPage();
    const problems = watchForPageProblems(page, { expectedStatuses: tourStatuses });
    const tooWide: string[] = [];
    let stops = 0;
    await tourEveryPage(page, async (stop) => {
      stops += 1;
      for (const width of [320, 375]) {
        await page.setViewportSize({ width, height: 780 });
        const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        if (scrollWidth > width) tooWide.push(`${stop} (${page.url()}) is ${scrollWidth} px wide on a ${width} px screen`);
      }
    });
    expect(tooWide).toEqual([]);
    expect(stops).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });
});
