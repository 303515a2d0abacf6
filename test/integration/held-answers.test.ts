import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { sessionIdFromToken } from '../../src/auth/session-token.ts';
import { userEmails } from '../../src/auth/tables.ts';
import { setUpAdministrator, type BrowserSession } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * A session found alive is not looked up again until something is written: these are the ways
 * it can stop being alive or change, each seen on the very next request.
 */

let t: TestApp;
afterEach(async () => {
  await t.close();
});

async function signedIn(environment: Record<string, string> = {}): Promise<{ browser: BrowserSession; sessionId: string; userId: number }> {
  t = await createTestApp(environment);
  const browser = await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  const token = [...browser.cookies].find(([name]) => name.includes('session'))?.[1];
  if (!token) throw new Error('no session cookie');
  const userId = (await t.app.services.users.findForLogin('ada@example.com'))!.id;
  const page = await browser.get('/settings/account');
  expect(page.statusCode).toBe(200);
  return { browser, sessionId: sessionIdFromToken(token), userId };
}

const isSentToLogIn = (response: { statusCode: number; headers: Record<string, unknown> }) =>
  response.statusCode >= 300 && response.statusCode < 400 && String(response.headers.location).startsWith('/login');

describe('a session found a moment ago', () => {
  it('ends on the next request when it is ended elsewhere in Dials', async () => {
    const { browser, sessionId } = await signedIn();
    await t.app.services.sessions.invalidate(sessionId);
    expect(isSentToLogIn(await browser.get('/settings/account'))).toBe(true);
  });

  it('ends on the next request when another process deletes it from the database file (SQLITE_LOCKING=normal)', async () => {
    const { browser, sessionId } = await signedIn({ SQLITE_LOCKING: 'normal' });
    const other = new Database(t.config.databaseFile);
    try {
      expect(other.prepare('DELETE FROM sessions WHERE id = ?').run(sessionId).changes).toBe(1);
    } finally {
      other.close();
    }
    expect(isSentToLogIn(await browser.get('/settings/account'))).toBe(true);
  });

  it('shows a change to its user at once', async () => {
    const { browser, userId } = await signedIn();
    await t.app.services.users.rename(userId, 'Ada King');
    expect((await browser.get('/settings/account')).body).toContain('Ada King');
  });

  it('is checked against the clock each time: idle too long, it has ended', async () => {
    const { browser } = await signedIn();
    t.clock.advance(60 * 24 * 60 * 60 * 1000);
    expect(isSentToLogIn(await browser.get('/settings/account'))).toBe(true);
  });
});

describe('a primary address that waits for confirmation', () => {
  it('is announced on the account page until it is confirmed, and not after', async () => {
    const { browser, userId } = await signedIn();
    expect((await browser.get('/settings/account')).body).toContain('unconfirmed-primary');
    await t.db.update(userEmails).set({ verifiedAt: new Date(t.clock.now) }).where(eq(userEmails.userId, userId));
    expect((await browser.get('/settings/account')).body).not.toContain('unconfirmed-primary');
  });
});
