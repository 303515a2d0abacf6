import { formContentType } from './scenario.ts';

export interface SignedInBrowser {
  /** The Cookie header a browser would send after signing up (session and CSRF cookies). */
  cookie: string;
  /** The token htmx sends as X-CSRF-Token (from hx-headers on <body>) and forms send as _csrf. */
  csrfToken: string;
}

/**
 * Makes the first (administrator) account through the set-up link the server printed, as a
 * browser would: fetch the form (CSRF cookie and token), post it, then open the account page.
 * Only this account is logged in at once; a sign-up waits for its address to be confirmed.
 */
export async function setUpAdministrator(baseUrl: string, setupPath: string | null, person: { name: string; email: string; password: string }): Promise<SignedInBrowser> {
  if (!setupPath) throw new Error('the server printed no set-up link (it has an administrator already)');
  const jar = new Map<string, string>();
  const cookie = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const visit = async (path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}) => {
    const response = await fetch(new URL(path, baseUrl), { ...init, headers: { ...init.headers, cookie: cookie() }, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';', 1);
      const separator = pair.indexOf('=');
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      if (value === '' || /max-age=0\b|expires=Thu, 01 Jan 1970/i.test(line)) jar.delete(name);
      else jar.set(name, value);
    }
    return { status: response.status, body: await response.text() };
  };

  const form = await visit(setupPath);
  const formToken = hiddenCsrfToken(form.body);
  if (form.status !== 200 || !formToken) throw new Error(`GET ${setupPath} answered ${form.status} without a CSRF token`);

  const fields = new URLSearchParams({ _csrf: formToken, name: person.name, email: person.email, password: person.password, timezone: 'Europe/Berlin' });
  const made = await visit(setupPath, { method: 'POST', body: fields.toString(), headers: { 'content-type': formContentType } });
  if (made.status !== 303) throw new Error(`POST ${setupPath} answered ${made.status}, not 303:\n${made.body.slice(0, 800)}`);

  const page = await visit('/settings/account');
  const csrfToken = htmxCsrfToken(page.body) ?? hiddenCsrfToken(page.body);
  if (page.status !== 200 || !csrfToken) throw new Error(`GET /settings/account after set-up answered ${page.status} without a CSRF token`);
  return { cookie: cookie(), csrfToken };
}

/**
 * Makes an API key on the API keys page as the signed-in browser (just set up, so within its sudo
 * window): posts the form, then opens the page that shows the key once.
 */
export async function makeApiKey(baseUrl: string, browser: SignedInBrowser, scopes: Record<string, 'read' | 'write'> = { user: 'read' }): Promise<string> {
  const choices = Object.fromEntries(Object.entries(scopes).map(([resource, access]) => [`scope_${resource}`, access]));
  const fields = new URLSearchParams({ _csrf: browser.csrfToken, name: 'bench', expiry: '7', ...choices });
  const made = await fetch(new URL('/settings/api-keys', baseUrl), {
    method: 'POST',
    body: fields.toString(),
    headers: { cookie: browser.cookie, 'content-type': formContentType },
    redirect: 'manual',
  });
  await made.text();
  const shownOnce = made.headers.getSetCookie().map((line) => line.split(';', 1)[0]).join('; ');
  if (made.status !== 303 || !shownOnce) throw new Error(`POST /settings/api-keys answered ${made.status}, not 303 with the key`);
  const page = await fetch(new URL('/settings/api-keys/new', baseUrl), { headers: { cookie: `${browser.cookie}; ${shownOnce}` } });
  const key = /<code class="secret" translate="no">(dials_[a-z2-7.]+)<\/code>/.exec(await page.text())?.[1];
  if (!key) throw new Error('the new API key was not shown');
  return key;
}

function hiddenCsrfToken(html: string): string | null {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? null;
}

function htmxCsrfToken(html: string): string | null {
  const attribute = /<body[^>]*\shx-headers="([^"]*)"/.exec(html)?.[1];
  if (!attribute) return null;
  const json = attribute.replaceAll('&quot;', '"').replaceAll('&#34;', '"').replaceAll('&amp;', '&');
  const token = (JSON.parse(json) as Record<string, unknown>)['X-CSRF-Token'];
  return typeof token === 'string' ? token : null;
}
