import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';
import { eventually } from './e2e-browser.ts';

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Runs axe-core on the page as it is now and returns the WCAG 2.1 A/AA violations.
 *
 * How axe gets in despite the CSP: Dials sends `script-src 'self'`, which forbids inline
 * <script> and therefore page.addScriptTag({ content }). Instead the source is handed to
 * page.evaluate() as a string: Playwright runs it through the DevTools protocol
 * (Runtime.evaluate), which the page's CSP does not govern. We deliberately do NOT use a
 * context with bypassCSP: true, because then the page under test would no longer run under
 * the CSP it really ships with, and a CSP refusal of the app's own scripts or styles would go
 * unnoticed. This also works with javaScriptEnabled: false, which only stops the page's own
 * scripts.
 */
export async function axeViolations(page: Page): Promise<Result[]> {
  if (!(await timersRun(page))) {
    // With javaScriptEnabled: false, Chromium still runs what DevTools evaluates, but never fires
    // timers or animation frames (nor queueMicrotask callbacks), and axe schedules its work with
    // them. Only then (the page's own scripts are not running, so nothing else sees it) are they
    // replaced by promise callbacks, which do run.
    await page.evaluate(() => {
      const later = (callback: (...args: unknown[]) => void, ...args: unknown[]) => {
        void Promise.resolve().then(() => callback(...args));
        return 0;
      };
      Object.assign(window, {
        setTimeout: (callback: (...args: unknown[]) => void, _ms?: number, ...args: unknown[]) => later(callback, ...args),
        clearTimeout: () => undefined,
        requestAnimationFrame: (callback: (time: number) => void) => later(() => callback(performance.now())),
        cancelAnimationFrame: () => undefined,
      });
    });
  }
  await page.evaluate(axeSource);
  const results = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } }).axe;
    return axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
  }, wcagTags);
  return results.violations;
}

/** Whether the page fires timers (it does not when the context has JavaScript disabled). */
async function timersRun(page: Page): Promise<boolean> {
  const fired = page.evaluate(() => new Promise<boolean>((resolve) => setTimeout(() => resolve(true), 0))).catch(() => false);
  return Promise.race([fired, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 500))]);
}

/** One readable paragraph per violation: rule, impact, help and every offending node. */
export function describeViolations(violations: Result[]): string {
  return violations
    .map((violation) => {
      const nodes = violation.nodes
        .map((node) => `    - ${node.target.map(String).join(' ')}\n      ${node.failureSummary?.replace(/\n/g, '\n      ') ?? ''}\n      html: ${node.html.slice(0, 200)}`)
        .join('\n');
      return `[${violation.impact ?? 'unknown'}] ${violation.id}: ${violation.help}\n  ${violation.helpUrl}\n${nodes}`;
    })
    .join('\n\n');
}

/** Fails with every violation spelled out, so the report says what to fix without rerunning. */
export async function expectNoAxeViolations(page: Page, where: string): Promise<void> {
  const violations = await axeViolations(page);
  if (violations.length > 0) {
    throw new Error(`${violations.length} accessibility violation(s) on ${where} (${page.url()}):\n\n${describeViolations(violations)}`);
  }
}

/**
 * The page background in each theme, from app.css's --bg; reading it proves axe checked the
 * colours of the theme it was meant to.
 */
export const themeBackgrounds = { light: 'rgb(246, 247, 249)', dark: 'rgb(18, 21, 28)' } as const;

/**
 * Runs axe on the page as it is, once with a light and once with a dark system colour scheme,
 * and leaves the page light again. Only tells the themes apart for a person whose theme is
 * "Follow my system" (the default), and for signed-out pages.
 */
export async function expectNoAxeViolationsInBothThemes(page: Page, where: string): Promise<void> {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await eventually(
      () => page.evaluate(() => getComputedStyle(document.body).backgroundColor),
      (colour) => colour === themeBackgrounds[scheme],
      `the ${scheme} theme`,
    );
    await expectNoAxeViolations(page, `${where} (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
