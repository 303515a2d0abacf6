import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { linkIn } from './mailbox.ts';
import { mailboxOf } from './test-app.ts';

/**
 * Plays a browser against app.inject(): keeps cookies, reads the CSRF token from the
 * last page, and posts forms the way a browser would.
 */
export class BrowserSession {
  readonly cookies = new Map<string, string>();
  csrfToken = '';
  readonly app: FastifyInstance;

  constructor(app: FastifyInstance) {
    this.app = app;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(response: LightMyRequestResponse): void {
    for (const cookie of response.cookies as Array<{ name: string; value: string; expires?: Date; maxAge?: number }>) {
      // Cleared cookies come back dated 1970; the app's own clock may be anywhere, so other dates are kept.
      const expired = (cookie.expires && cookie.expires.getTime() < 86_400_000) || cookie.maxAge === 0 || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body);
    if (token?.[1]) this.csrfToken = token[1];
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } });
    this.remember(response);
    return response;
  }

  /** Posts an urlencoded form; `fields` may repeat a key by giving an array. Adds the CSRF token unless told not to. */
  async post(
    url: string,
    fields: Record<string, string | string[]>,
    options: { headers?: Record<string, string>; csrf?: boolean; htmx?: boolean } = {},
  ): Promise<LightMyRequestResponse> {
    const form = new URLSearchParams();
    if (options.csrf !== false) form.append('_csrf', this.csrfToken);
    for (const [key, value] of Object.entries(fields)) {
      for (const item of Array.isArray(value) ? value : [value]) form.append(key, item);
    }
    const headers: Record<string, string> = {
      'content-type': 'application/x-www-form-urlencoded',
      cookie: this.cookieHeader(),
      ...(options.htmx ? { 'hx-request': 'true' } : {}),
      ...options.headers,
    };
    const response = await this.app.inject({ method: 'POST', url, payload: form.toString(), headers });
    this.remember(response);
    return response;
  }
}

export const strongPassword = 'correct horse battery staple';

export async function signUp(
  app: FastifyInstance,
  person: { name?: string; email: string; password?: string; timezone?: string },
  headers: Record<string, string> = {},
): Promise<BrowserSession> {
  const browser = new BrowserSession(app);
  await browser.get('/signup', headers);
  const response = await browser.post(
    '/signup',
    { name: person.name ?? 'Ada Lovelace', email: person.email, password: person.password ?? strongPassword, timezone: person.timezone ?? '' },
    { headers },
  );
  if (response.statusCode !== 303) throw new Error(`sign-up failed with ${response.statusCode}: ${response.body.slice(0, 500)}`);
  if (response.headers.location === '/signup/check-inbox') {
    // Every account but the first finishes signing up through the link in its verification mail.
    const mail = await mailboxOf(app).waitFor(person.email.trim(), /finish signing up|Registrierung|inscription/i);
    const link = linkIn(mail, '/verify-email/');
    await browser.get(link, headers);
    const confirmed = await browser.post(link, { password: person.password ?? strongPassword }, { headers });
    if (confirmed.headers.location !== '/settings/account') throw new Error(`verification failed: ${confirmed.statusCode} ${confirmed.body.slice(0, 300)}`);
  }
  await browser.get('/settings/account', headers);
  return browser;
}

/**
 * Makes the instance's administrator the way its operator does: through the set-up link printed at
 * start (no sign-up makes anyone administrator). Like the first account of old, the administrator
 * is logged in at once and its address waits for confirmation by the link mailed to it.
 */
export async function setUpAdministrator(
  app: FastifyInstance,
  person: { name?: string; email: string; password?: string; timezone?: string },
  headers: Record<string, string> = {},
): Promise<BrowserSession> {
  const link = await app.services.adminSetup.startLink();
  if (!link) throw new Error('this Dials has an administrator already');
  const path = new URL(link).pathname;
  const browser = new BrowserSession(app);
  await browser.get(path, headers);
  const response = await browser.post(
    path,
    { name: person.name ?? 'Ada Lovelace', email: person.email, password: person.password ?? strongPassword, timezone: person.timezone ?? '' },
    { headers },
  );
  if (response.statusCode !== 303) throw new Error(`administrator set-up failed with ${response.statusCode}: ${response.body.slice(0, 500)}`);
  await browser.get('/settings/account', headers);
  return browser;
}

export async function logIn(app: FastifyInstance, email: string, password = strongPassword): Promise<{ browser: BrowserSession; response: LightMyRequestResponse }> {
  const browser = new BrowserSession(app);
  await browser.get('/login');
  const response = await browser.post('/login', { email, password });
  return { browser, response };
}
