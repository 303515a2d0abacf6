import { formContentType } from './scenario.ts';

export interface SignedInBrowser {
  /** The Cookie header a browser would send after signing up (session and CSRF cookies). */
  cookie: string;
  /** The token htmx sends as X-CSRF-Token (from hx-headers on <body>) and forms send as _csrf. */
  csrfToken: string;
}

/**
 * Signs a new person up through the real /signup form over HTTP, as a browser would:
 * fetch the form (CSRF cookie and token), post it, then open the account page.
 */
export async function signUp(baseUrl: string, person: { name: string; email: string; password: string }): Promise<SignedInBrowser> {
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

  const form = await visit('/signup');
  const signupToken = hiddenCsrfToken(form.body);
  if (form.status !== 200 || !signupToken) throw new Error(`GET /signup answered ${form.status} without a CSRF token`);

  const fields = new URLSearchParams({ _csrf: signupToken, name: person.name, email: person.email, password: person.password, timezone: 'Europe/Berlin' });
  const signup = await visit('/signup', { method: 'POST', body: fields.toString(), headers: { 'content-type': formContentType } });
  if (signup.status !== 303) throw new Error(`POST /signup answered ${signup.status}, not 303:\n${signup.body.slice(0, 800)}`);

  const page = await visit('/settings/account');
  const csrfToken = htmxCsrfToken(page.body) ?? hiddenCsrfToken(page.body);
  if (page.status !== 200 || !csrfToken) throw new Error(`GET /settings/account after sign-up answered ${page.status} without a CSRF token`);
  return { cookie: cookie(), csrfToken };
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
