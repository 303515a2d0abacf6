import { afterEach, describe, expect, it } from 'vitest';
import { setUpAdministrator, signUp, type BrowserSession } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/** /settings/api-keys as a person uses it (forms without JavaScript; the page has no other kind). */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

async function withAda(): Promise<BrowserSession> {
  t = await createTestApp();
  return setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
}

const form = (fields: Record<string, string> = {}) => ({ name: 'Deploy script', expiry: '30', scope_user: 'read', scope_keys: 'write', ...fields });

async function createKey(browser: BrowserSession, fields: Record<string, string> = {}): Promise<string> {
  const created = await browser.post('/settings/api-keys', form(fields));
  expect(created.statusCode, created.body.slice(0, 500)).toBe(303);
  expect(created.headers.location).toBe('/settings/api-keys/new');
  const shown = await browser.get('/settings/api-keys/new');
  const secret = /<code class="secret" translate="no">(dials_[a-z2-7.]+)<\/code>/.exec(shown.body)?.[1];
  if (!secret) throw new Error('no key shown');
  return secret;
}

const api = (secret: string, url = '/api/v1/user') => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${secret}`, 'user-agent': 'release-bot/2.0' } });

describe('API keys page', () => {
  it('is in the navigation and starts empty', async () => {
    const browser = await withAda();
    const page = await browser.get('/settings/api-keys');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('href="/settings/api-keys"');
    expect(page.body).toContain('You have no API keys yet');
    expect(page.body).toMatch(/value="30" checked/);
    expect(page.body).toContain('In 30 days (recommended)');
  });

  it('makes a key shown once, which calls the API at once; the list shows its preview, scopes and last use', async () => {
    const browser = await withAda();
    const secret = await createKey(browser);
    expect(secret).toMatch(/^dials_[a-z2-7]{16}\.[a-z2-7]{39}$/);
    const again = await browser.get('/settings/api-keys/new');
    expect(again.body).not.toContain(secret);
    expect(again.body).toContain('cannot be shown again');

    let list = await browser.get('/settings/api-keys');
    expect(list.body).not.toContain(secret);
    expect(list.body).toContain(`${secret.slice(0, 27)}…`);
    expect(list.body).toContain('<code>user:read</code>');
    expect(list.body).toContain('<code>keys:write</code>');
    expect(list.body).toContain('Not used yet');

    t.clock.advance(5 * 60_000);
    expect((await api(secret)).statusCode).toBe(200);
    list = await browser.get('/settings/api-keys');
    expect(list.body).not.toContain('Not used yet');
    expect(list.body).toContain('release-bot/2.0');
    expect(list.body).toContain('127.0.0.1');
    const mail = await t.mail.waitFor('ada@example.com', /API key/);
    expect(mail.text).toContain('Deploy script');
  });

  it('needs confirmed access to make a key, and keeps the form through "Confirm access"', async () => {
    const browser = await withAda();
    t.clock.advance(2 * 60 * 60 * 1000);
    await browser.get('/settings/api-keys');
    const asked = await browser.post('/settings/api-keys', form());
    expect(asked.statusCode).toBe(303);
    expect(asked.headers.location).toMatch(/^\/sudo\?/);
    const keys = await t.app.services.apiKeys.list({ via: 'system', userId: 1, job: 'test' });
    expect(keys).toEqual([]);
  });

  it('says what is wrong with the form, next to the field, and makes nothing', async () => {
    const browser = await withAda();
    await browser.get('/settings/api-keys');
    const noName = await browser.post('/settings/api-keys', form({ name: ' ' }));
    expect(noName.statusCode).toBe(422);
    expect(noName.body).toContain('Give the key a name');
    const noScopes = await browser.post('/settings/api-keys', form({ scope_user: 'none', scope_keys: 'none' }));
    expect(noScopes.statusCode).toBe(422);
    expect(noScopes.body).toContain('Choose at least one thing');
    const writeEmails = await browser.post('/settings/api-keys', form({ scope_emails: 'write' }));
    expect(writeEmails.statusCode).toBe(422);
    const badDate = await browser.post('/settings/api-keys', form({ expiry: 'date', expiryDate: '2020-01-01' }));
    expect(badDate.statusCode).toBe(422);
    expect(badDate.body).toContain('Choose a date after today');
    const extra = await browser.post('/settings/api-keys', { ...form(), isAdmin: '1' });
    expect(extra.statusCode).toBe(422);
    expect(await t.app.services.apiKeys.list({ via: 'system', userId: 1, job: 'test' })).toEqual([]);
  });

  it('an expiry date gives the end of that day; "never" gives none', async () => {
    const browser = await withAda();
    await browser.get('/settings/api-keys');
    await createKey(browser, { name: 'dated', expiry: 'date', expiryDate: '2026-04-01' });
    await createKey(browser, { name: 'forever', expiry: 'none' });
    const keys = await t.app.services.apiKeys.list({ via: 'system', userId: 1, job: 'test' });
    expect(Object.fromEntries(keys.map((key) => [key.name, key.expiresAt?.toISOString() ?? null]))).toEqual({ dated: '2026-04-01T23:59:59.999Z', forever: null });
  });

  it('renames, changes scopes, shows the trail, and revokes behind a confirmation', async () => {
    const browser = await withAda();
    const secret = await createKey(browser);
    const id = secret.slice(6, 22);
    await api(secret);
    await api(secret, '/api/v1/emails');
    const page = await browser.get(`/settings/api-keys/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('GET /api/v1/emails');
    expect(page.body).toMatch(/<td role="cell"[^>]*>403<\/td>/);

    expect((await browser.post(`/settings/api-keys/${id}/name`, { name: 'Release bot' })).headers.location).toBe(`/settings/api-keys/${id}`);
    const scoped = await browser.post(`/settings/api-keys/${id}/scopes`, { scope_user: 'read', scope_emails: 'read' });
    expect(scoped.statusCode).toBe(303);
    expect((await api(secret, '/api/v1/emails')).statusCode).toBe(200);
    expect((await api(secret, '/api/v1/keys')).statusCode).toBe(403);
    const none = await browser.post(`/settings/api-keys/${id}/scopes`, {});
    expect(none.statusCode).toBe(422);

    const confirm = await browser.get(`/settings/api-keys/${id}/revoke`);
    expect(confirm.body).toMatch(/Revoke (&#34;|&quot;|")Release bot(&#34;|&quot;|")\?/);
    const revoked = await browser.post(`/settings/api-keys/${id}/revoke`, {});
    expect(revoked.headers.location).toBe('/settings/api-keys');
    expect((await api(secret)).statusCode).toBe(401);
    expect((await browser.get('/settings/api-keys')).body).toContain('You have no API keys yet');
  });

  it("another person's key is not found on any of its pages and nothing changes", async () => {
    const ada = await withAda();
    const secret = await createKey(ada);
    const id = secret.slice(6, 22);
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    expect((await grace.get(`/settings/api-keys/${id}`)).statusCode).toBe(404);
    expect((await grace.get(`/settings/api-keys/${id}/revoke`)).statusCode).toBe(404);
    expect((await grace.post(`/settings/api-keys/${id}/revoke`, {})).statusCode).toBe(404);
    expect((await grace.post(`/settings/api-keys/${id}/name`, { name: 'Mine' })).statusCode).toBe(404);
    expect((await grace.post(`/settings/api-keys/${id}/scopes`, { scope_user: 'write' })).statusCode).toBe(404);
    expect((await api(secret)).statusCode).toBe(200);
    expect((await ada.get('/settings/api-keys')).body).toContain('Deploy script');
  });
});
