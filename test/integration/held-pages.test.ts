import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { logIn, setUpAdministrator, signUp, type BrowserSession } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * The account page is given again as last sent to a session while nothing is written
 * (src/web/held-pages.ts). These are the ways what it shows can change; each must show on the
 * very next request.
 */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

async function adaSignedIn(environment: Record<string, string> = {}): Promise<BrowserSession> {
  t = await createTestApp(environment);
  const ada = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  // Twice: the second is the page kept from the first.
  expect((await ada.get('/settings/account')).body).toContain('value="Ada Lovelace"');
  expect((await ada.get('/settings/account')).body).toContain('value="Ada Lovelace"');
  return ada;
}

const csrfTokenIn = (html: string) => /name="_csrf" value="([^"]+)"/.exec(html)?.[1];

describe('the account page given again', () => {
  it('is the same page while nothing changed', async () => {
    const ada = await adaSignedIn();
    const first = await ada.get('/settings/account');
    const second = await ada.get('/settings/account');
    expect(second.statusCode).toBe(200);
    expect(second.body).toBe(first.body);
    expect(second.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(second.headers['cache-control']).toBe('no-store');
  });

  it('shows a name saved on the page at once', async () => {
    const ada = await adaSignedIn();
    await ada.post('/settings/account/details', { name: 'Ada King' }, { htmx: true });
    const page = await ada.get('/settings/account');
    expect(page.body).toContain('value="Ada King"');
    expect(page.body).not.toContain('Ada Lovelace');
  });

  it('shows a change made by another process to the database file (SQLITE_LOCKING=normal)', async () => {
    const ada = await adaSignedIn({ SQLITE_LOCKING: 'normal' });
    const other = new Database(t.config.databaseFile);
    try {
      expect(other.prepare("UPDATE users SET name = 'Countess of Lovelace' WHERE email = 'ada@example.com'").run().changes).toBe(1);
    } finally {
      other.close();
    }
    expect((await ada.get('/settings/account')).body).toContain('value="Countess of Lovelace"');
  });

  it('shows a flash once, then the page without it', async () => {
    const ada = await adaSignedIn();
    const saved = await ada.post('/settings/account/details', { name: 'Ada King' });
    expect(saved.statusCode).toBe(303);
    const withFlash = await ada.get('/settings/account');
    expect(withFlash.body).toContain('Saved');
    const after = await ada.get('/settings/account');
    expect(after.body).toContain('value="Ada King"');
    expect(after.body).not.toContain('role="status">Saved');
    expect(after.body).not.toMatch(/class="flash[^"]*"/);
  });

  it('is kept for each session apart: another session of the same person gets its own form token', async () => {
    const ada = await adaSignedIn();
    const { browser: elsewhere } = await logIn(t.app, 'ada@example.com');
    const here = await ada.get('/settings/account');
    const there = await elsewhere.get('/settings/account');
    expect(csrfTokenIn(there.body)).toBe(elsewhere.csrfToken);
    expect(csrfTokenIn(here.body)).not.toBe(csrfTokenIn(there.body));
    // And the other session's token is the one its saves are accepted with.
    expect((await elsewhere.post('/settings/account/details', { name: 'Ada King' }, { htmx: true })).statusCode).toBe(200);
  });

  it('is never given to anyone else, nor to a session that ended', async () => {
    const ada = await adaSignedIn();
    const grace = await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const graces = await grace.get('/settings/account');
    expect(graces.body).toContain('value="Grace Hopper"');
    expect(graces.body).not.toContain('Ada Lovelace');
    const signedOut = await t.app.inject({ method: 'GET', url: '/settings/account' });
    expect(signedOut.statusCode).toBe(303);
    await ada.post('/logout', {});
    const afterLogOut = await t.app.inject({ method: 'GET', url: '/settings/account', headers: { cookie: ada.cookieHeader() } });
    expect(afterLogOut.statusCode).toBe(303);
    expect(String(afterLogOut.headers.location)).toMatch(/^\/login/);
  });

  it('is rendered as usual when the address carries anything', async () => {
    const ada = await adaSignedIn();
    const page = await ada.get('/settings/account?saved=language');
    expect(page.body).toContain('Saved');
    expect((await ada.get('/settings/account')).body).not.toMatch(/class="flash[^"]*"/);
  });

  it('is rendered as usual at another spelling of its address, and does not stand in for it', async () => {
    const ada = await adaSignedIn();
    // A write, so that nothing is kept and the next page rendered could be.
    await ada.post('/settings/account/details', { name: 'Ada King' }, { htmx: true });
    const spelled = await ada.get('/settings/%61ccount');
    expect(spelled.statusCode).toBe(200);
    const page = await ada.get('/settings/account');
    expect(page.body).toContain('<a href="/settings/account" aria-current="page">');
  });
});
