import type { BrowserContext } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { newContext, watchForPageProblems } from '../support/e2e-browser.ts';
import { newPerson, signUpThroughForm } from '../support/e2e-dials.ts';
import { useE2eEnvironment } from '../support/e2e-setup.ts';

// One Dials and one Chromium for the file; if either cannot start, every test fails.
const e2e = useE2eEnvironment();
let context: BrowserContext | undefined;

afterAll(async () => {
  await context?.close();
});

describe('on a phone-sized screen', () => {
  it('no settings page is wider than the screen', async () => {
    context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript: true, colorScheme: 'light' });
    const page = await context.newPage();
    await page.setViewportSize({ width: 320, height: 780 });
    const problems = watchForPageProblems(page);
    await signUpThroughForm(page, newPerson());
    for (const path of ['/settings/account', '/settings/security', '/settings/security/sessions', '/settings/emails', '/settings/security/two-factor/app', '/admin/outbox']) {
      await page.goto(path);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width, `${path} is ${width} px wide`).toBeLessThanOrEqual(320);
    }
    expect(problems).toEqual([]);
  });
});
