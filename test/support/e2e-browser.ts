import fs from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { chromiumPath } from './chromium-path.ts';

export { chromiumPath };

export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Starts headless Chromium. Throws (so every test of the file fails) when it cannot start:
 * a missing browser must never turn into silently skipped browser tests.
 */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(chromiumPath)) {
    throw new Error(`No Chromium at ${chromiumPath}. Install Debian's: apt-get update && apt-get install -y chromium`);
  }
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs, timeout: 60_000 });
}

export interface ContextOptions {
  baseUrl: string;
  javaScript: boolean;
  colorScheme?: 'light' | 'dark';
}

/**
 * A fresh browser profile (cookies, storage) for one scenario. The locale and zone are fixed
 * so the language Dials picks at sign-up (from Accept-Language) and the example timestamp are
 * predictable.
 */
export async function newContext(browser: Browser, options: ContextOptions): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: options.baseUrl,
    javaScriptEnabled: options.javaScript,
    colorScheme: options.colorScheme ?? 'light',
    locale: 'en-US',
    timezoneId: 'Europe/Berlin',
    viewport: { width: 1200, height: 900 },
  });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  return context;
}

/**
 * Collects what a person would see as breakage in the browser's console: uncaught script
 * errors, blocked resources (Content-Security-Policy refusals are reported as console errors)
 * and failed requests for the page's own assets.
 */
export function watchForPageProblems(page: Page, options: { expectedStatuses?: number[] } = {}): string[] {
  const problems: string[] = [];
  // A 422 answer (a field the person has to correct) is logged by Chromium as a failed resource; it is expected.
  const expected = new Set([422, ...(options.expectedStatuses ?? [])]);
  page.on('pageerror', (error) => problems.push(`uncaught error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = message.text();
    const status = /the server responded with a status of (\d{3})/.exec(text)?.[1];
    if (status && expected.has(Number(status))) return;
    problems.push(`console error: ${text}`);
  });
  page.on('requestfailed', (request) => {
    const reason = request.failure()?.errorText ?? '?';
    // ERR_ABORTED: the browser dropped the request itself because the page went away (a reload, a
    // form sent while the favicon was still loading, the context closing); nothing a person notices.
    if (reason === 'net::ERR_ABORTED') return;
    problems.push(`request failed: ${request.method()} ${request.url()} (${reason})`);
  });
  return problems;
}

/** Clicks something that loads a new page (a form's submit button) and waits until that page has loaded. */
export async function clickAndWaitForPage(page: Page, target: Locator): Promise<void> {
  const loaded = page.waitForEvent('load');
  await target.click();
  await loaded;
}

/**
 * Waits until `read` returns a value that `accept` likes; returns it. For things htmx changes
 * in place, where there is no page load to wait for.
 */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (accept(last)) return last;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
