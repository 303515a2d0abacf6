import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, vi } from 'vitest';
import { launchChromium, newContext, watchForPageProblems } from './e2e-browser.ts';
import { startDials, type E2eServer } from './e2e-server.ts';

export interface E2eEnvironment {
  /** The Dials of this test file; only read inside tests and their hooks. */
  readonly server: E2eServer;
  /** The one Chromium of this test file; each scenario opens its own context in it. */
  readonly browser: Browser;
}

/**
 * Registers the hooks of an e2e test file: one listening Dials and one Chromium for the whole
 * file, started in parallel, closed at the end.
 *
 * If either cannot start, every test of the file FAILS with that error (it is rethrown in
 * beforeEach), rather than being reported as skipped the way a failing beforeAll leaves them.
 */
export function useE2eEnvironment(): E2eEnvironment {
  // A scenario signs up (argon2) and loads several pages; on a loaded 2-core machine that can
  // take well over 10 s, so the file's tests get more room than unit tests need.
  vi.setConfig({ testTimeout: 60_000 });

  let server: Promise<E2eServer> | undefined;
  let browser: Promise<Browser> | undefined;
  const ready: { server?: E2eServer; browser?: Browser } = {};

  beforeAll(async () => {
    server = startDials();
    browser = launchChromium();
    // Failures are reported by beforeEach, once per test.
    await Promise.allSettled([server, browser]);
  });
  beforeEach(async () => {
    if (!server || !browser) throw new Error('The e2e environment was not started');
    ready.server = await server;
    ready.browser = await browser;
  });
  afterAll(async () => {
    await Promise.allSettled([browser?.then((started) => started.close()), server?.then((started) => started.close())]);
  });

  return {
    get server() {
      if (!ready.server) throw new Error('The Dials server is only available inside tests');
      return ready.server;
    },
    get browser() {
      if (!ready.browser) throw new Error('Chromium is only available inside tests');
      return ready.browser;
    },
  };
}

export interface WatchedPages {
  /** A fresh browser profile and a page in it, watched for breakage. */
  openPage(options?: { javaScript?: boolean; expectedStatuses?: number[] }): Promise<{ context: BrowserContext; page: Page }>;
  /** Another watched page (a second tab) in a context the test already has. */
  newWatchedPage(context: BrowserContext, options?: { expectedStatuses?: number[] }): Promise<Page>;
}

/**
 * Every context a test opens, and what each of its pages showed as breakage (script errors, CSP
 * refusals, failed loads: things a person would meet); closed and checked after each test.
 */
export function useWatchedPages(e2e: E2eEnvironment): WatchedPages {
  let contexts: BrowserContext[] = [];
  let problems: string[][] = [];

  afterEach(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    contexts = [];
    const seen = problems.flat();
    problems = [];
    expect(seen).toEqual([]);
  });

  const newWatchedPage: WatchedPages['newWatchedPage'] = async (context, options = {}) => {
    const page = await context.newPage();
    problems.push(watchForPageProblems(page, { expectedStatuses: options.expectedStatuses ?? [] }));
    return page;
  };

  return {
    newWatchedPage,
    async openPage(options = {}) {
      const context = await newContext(e2e.browser, { baseUrl: e2e.server.url, javaScript: options.javaScript ?? true });
      contexts.push(context);
      return { context, page: await newWatchedPage(context, options) };
    },
  };
}
