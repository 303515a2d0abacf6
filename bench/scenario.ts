import type { SignedInBrowser } from './browser.ts';
/** One kind of request the bench fires, and what a sample answer must look like before it is measured. */
export interface Scenario {
  label: string;
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Bodies sent in turn (counted over all connections), instead of `body`: a save that changes a choice back and forth. */
  alternateBodies?: string[];
  /** Each request's body gets a fresh id wherever it says `[<id>]` (a report's event id must be new each time). */
  freshIds?: boolean;
  expect: { status: number; bodyIncludes: string };
}

/** The body as one request of the scenario sends it (`[<id>]` made fresh, as autocannon does). */
export function sampleBody(scenario: Scenario): string | null {
  if (scenario.body === undefined) return null;
  return scenario.freshIds ? scenario.body.replaceAll('[<id>]', `sample-${Date.now().toString(36)}`) : scenario.body;
}

export const formContentType = 'application/x-www-form-urlencoded';

/** Sends the scenario's request once (each of its bodies in turn) and throws, showing the answer, unless it is what the scenario expects. */
export async function checkSample(scenario: Scenario): Promise<void> {
  for (const body of scenario.alternateBodies ?? [sampleBody(scenario)]) {
    const response = await fetch(scenario.url, { method: scenario.method, headers: scenario.headers, body, redirect: 'manual' });
    const text = await response.text();
    if (response.status !== scenario.expect.status || !text.includes(scenario.expect.bodyIncludes)) {
      throw new Error(
        `${scenario.label}: expected ${scenario.expect.status} with "${scenario.expect.bodyIncludes}", ` +
          `got ${response.status}${response.headers.get('location') ? ` → ${response.headers.get('location')}` : ''}:\n${text.slice(0, 800)}`,
      );
    }
  }
}

/** What htmx sends when a field of the account page changes: the whole form block (its hidden _csrf included), the token header from <body hx-headers>. */
export function autoSave(url: string, browser: SignedInBrowser, label: string, blockPath: string, fields: Record<string, string>): Scenario {
  return {
    label,
    url: `${url}${blockPath}`,
    method: 'POST',
    headers: {
      cookie: browser.cookie,
      'content-type': formContentType,
      'hx-request': 'true',
      'hx-current-url': `${url}/settings/account`,
      'x-csrf-token': browser.csrfToken,
    },
    body: new URLSearchParams({ _csrf: browser.csrfToken, ...fields }).toString(),
    expect: { status: 200, bodyIncludes: 'Saved' },
  };
}
