import Database from 'better-sqlite3';
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { createHeldAnswers, writeOnly } from '../../src/db/change-watch.ts';
import { sqliteOf } from '../../src/db/client.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { accountSettings } from '../../src/settings/account/tables.ts';
import { logIn, setUpAdministrator, signUp } from '../support/browser-session.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

/**
 * A write explained as one statement to one table (`writeOnly`) leaves kept answers that do not
 * read that table kept; anything else about the write sends the next question to the database.
 */

let t: TestApp;
let userId: number;
beforeEach(async () => {
  t = await createTestApp();
  await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  userId = (await t.app.services.users.findForLogin('ada@example.com'))!.id;
});
afterEach(async () => {
  await t.close();
});

/** Stops the work that writes in the background (the mail worker sending sign-up mail), so that only the test writes. */
async function quiet(): Promise<void> {
  await t.app.services.mailWorker?.stop();
  await new Promise((resolve) => setTimeout(resolve, 20));
}

/** Names of users kept over the users table; `reads` counts the questions that reached the database. */
function keptNames() {
  const held = createHeldAnswers<number, string>(t.db, { reads: [users] });
  const counted = { reads: 0 };
  const nameOf = (id: number) =>
    held.get(id, async () => {
      counted.reads++;
      const [row] = await t.db.select({ name: users.name }).from(users).where(eq(users.id, id));
      return row!.name;
    });
  return { nameOf, counted };
}

/**
 * Names kept over the users table that follow a rename; `reads` counts the questions that reached
 * the database. A read asks at once, in the same turn (nothing else can write in between), and may
 * wait for `until` before it answers.
 */
function followedNames() {
  const held = createHeldAnswers<number, string>(t.db, { reads: [users], follows: [{ table: users, columns: ['name'], follow: (name, id, row) => (id === row.id ? String(row.values.name) : name) }] });
  const counted = { reads: 0 };
  const nameOf = (id: number, until?: Promise<void>) =>
    held.get(id, async () => {
      counted.reads++;
      const name = sqliteOf(t.db).prepare('select name from users where id = ?').pluck().get(id) as string;
      if (until) await until;
      return name;
    });
  return { nameOf, counted };
}

/** Renames Ada as one row of users, explained with its new name. */
const renameAda = (name: string) =>
  writeOnly(t.db, users, 1, () => t.db.update(users).set({ name }).where(eq(users.id, userId)).prepare().execute(), undefined, { id: userId, values: { name } });

// A prepared statement runs when executed; a query builder only when awaited, after writeOnly has looked.
const saveTheme = (theme: 'dark' | 'light') =>
  writeOnly(t.db, accountSettings, 1, () => t.db.update(accountSettings).set({ theme }).where(eq(accountSettings.userId, userId)).prepare().execute());

describe('writeOnly', () => {
  it('keeps answers over other tables through a one-row write of its table', async () => {
    const { nameOf, counted } = keptNames();
    expect(await nameOf(userId)).toBe('Ada Lovelace');
    await saveTheme('dark');
    await saveTheme('light');
    expect(await nameOf(userId)).toBe('Ada Lovelace');
    expect(counted.reads).toBe(1);
    // The write did land.
    expect(sqliteOf(t.db).prepare('select theme from account_settings where user_id = ?').pluck().get(userId)).toBe('light');
  });

  it('ends them when the write is to a table they read', async () => {
    const { nameOf, counted } = keptNames();
    await nameOf(userId);
    await writeOnly(t.db, users, 1, () => t.db.update(users).set({ name: 'Ada King' }).where(eq(users.id, userId)).prepare().execute());
    expect(await nameOf(userId)).toBe('Ada King');
    expect(counted.reads).toBe(2);
  });

  it('ends them when the statement changed other than the one row it was said to', async () => {
    await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const { nameOf, counted } = keptNames();
    await nameOf(userId);
    // No such person: no row changed, nothing was written, the answer still holds.
    await writeOnly(t.db, accountSettings, 1, () => t.db.update(accountSettings).set({ theme: 'dark' }).where(eq(accountSettings.userId, userId + 1000)).prepare().execute());
    await nameOf(userId);
    expect(counted.reads).toBe(1);
    // Every person's row: two changed, more than it said.
    await writeOnly(t.db, accountSettings, 1, () => t.db.update(accountSettings).set({ theme: sql`'dark'` }).prepare().execute());
    expect(await nameOf(userId)).toBe('Ada Lovelace');
    expect(counted.reads).toBe(2);
  });

  it('is an ordinary write inside a transaction', async () => {
    const { nameOf, counted } = keptNames();
    await nameOf(userId);
    await inTransaction(t.db, async (tx) => {
      await writeOnly(tx, accountSettings, 1, () => tx.update(accountSettings).set({ theme: 'dark' }).where(eq(accountSettings.userId, userId)).prepare().execute());
      await tx.update(users).set({ name: 'Ada King' }).where(eq(users.id, userId));
    });
    expect(await nameOf(userId)).toBe('Ada King');
    expect(counted.reads).toBe(2);
  });

  it('keeps answers that follow a one-row write of a table they read, changed as the row was', async () => {
    await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const graceId = (await t.app.services.users.findForLogin('grace@example.com'))!.id;
    await quiet();
    const { nameOf, counted } = followedNames();
    await nameOf(userId);
    await nameOf(graceId);
    await renameAda('Ada King');
    expect(await nameOf(userId)).toBe('Ada King');
    expect(await nameOf(graceId)).toBe('Grace Hopper');
    expect(counted.reads).toBe(2);
    expect(sqliteOf(t.db).prepare('select name from users where id = ?').pluck().get(userId)).toBe('Ada King');
  });

  it('does not keep an answer read before a followed write and arriving after it', async () => {
    await quiet();
    const { nameOf, counted } = followedNames();
    let release = () => {};
    const arrived = new Promise<void>((resolve) => (release = resolve));
    // The read has run its query; the rename lands while its answer is on the way.
    const slow = nameOf(userId, arrived);
    await renameAda('Ada King');
    release();
    expect(await slow).toBe('Ada Lovelace');
    expect(await nameOf(userId)).toBe('Ada King');
    expect(counted.reads).toBe(2);
  });

  it('ends answers that follow a table when the write changed a column they do not follow', async () => {
    await quiet();
    const held = createHeldAnswers<number, string>(t.db, { reads: [users], follows: [{ table: users, columns: ['name'], follow: (name) => name }] });
    let reads = 0;
    const emailOf = (id: number) =>
      held.get(id, async () => {
        reads++;
        const [row] = await t.db.select({ email: users.email }).from(users).where(eq(users.id, id));
        return row!.email;
      });
    await emailOf(userId);
    await writeOnly(t.db, users, 1, () => t.db.update(users).set({ email: 'ada@example.org' }).where(eq(users.id, userId)).prepare().execute(), undefined, { id: userId, values: { email: 'ada@example.org' } });
    expect(await emailOf(userId)).toBe('ada@example.org');
    expect(reads).toBe(2);
  });

  it('keeps nothing for answers that did not say what they read', async () => {
    const held = createHeldAnswers<number, number>(t.db);
    let reads = 0;
    const ask = () => held.get(1, async () => ++reads);
    await ask();
    await saveTheme('dark');
    expect(await ask()).toBe(2);
  });
});

describe('a saved name', () => {
  it('shows at once in every session of the person, and nowhere else', async () => {
    await signUp(t.app, { email: 'grace@example.com', name: 'Grace Hopper' });
    const first = (await logIn(t.app, 'ada@example.com')).browser;
    const second = (await logIn(t.app, 'ada@example.com')).browser;
    const grace = (await logIn(t.app, 'grace@example.com')).browser;
    for (const browser of [first, second, grace]) await browser.get('/settings/account');
    const saved = await first.post('/settings/account/details', { name: 'Ada King' }, { htmx: true });
    expect(saved.statusCode).toBe(200);
    for (const browser of [first, second]) {
      const page = (await browser.get('/settings/security')).body;
      expect(page).toContain('Ada King');
      expect(page).not.toContain('Ada Lovelace');
    }
    const other = (await grace.get('/settings/security')).body;
    expect(other).toContain('Grace Hopper');
    expect(other).not.toContain('Ada King');
    expect((await t.app.services.users.profile(userId))?.name).toBe('Ada King');
    expect(sqliteOf(t.db).prepare('select name from users where id = ?').pluck().get(userId)).toBe('Ada King');
  });

  it('keeps the sessions held through the save: the next request does not read them again', async () => {
    const { browser } = await logIn(t.app, 'ada@example.com');
    await quiet();
    await browser.get('/settings/account');
    expect((await browser.get('/admin/outbox')).statusCode).toBe(200);
    // A change the held session cannot see, passed off as a write to another table: it shows whether the session is read again.
    await writeOnly(t.db, accountSettings, 1, () => Promise.resolve(sqliteOf(t.db).prepare('update users set is_admin = 0 where id = ?').run(userId)));
    expect((await browser.get('/admin/outbox')).statusCode).toBe(200);
    expect((await browser.post('/settings/account/details', { name: 'Ada King' }, { htmx: true })).statusCode).toBe(200);
    expect((await browser.get('/admin/outbox')).statusCode).toBe(200);
    expect((await browser.get('/settings/security')).body).toContain('Ada King');
    // Any other write, and the session is read again as it now is.
    await t.app.services.users.rename(userId, 'Ada Lovelace');
    sqliteOf(t.db).prepare('update users set email = email where id = ?').run(userId);
    expect((await browser.get('/admin/outbox')).statusCode).toBe(404);
  });
});

describe('a saved preference', () => {
  it('leaves the session kept, and a change to the person still shows at once', async () => {
    const { browser } = await logIn(t.app, 'ada@example.com');
    await browser.get('/settings/account');
    const saved = await browser.post('/settings/account/preferences', { shownLanguage: 'en', language: 'en', timezone: 'UTC', dateFormat: 'iso', theme: 'dark', stackTraceOrder: 'default' }, { htmx: true });
    expect(saved.statusCode).toBe(200);
    await t.app.services.users.rename(userId, 'Ada King');
    const page = await browser.get('/settings/account');
    expect(page.body).toContain('value="Ada King"');
    expect(page.body).toContain('data-theme="dark"');
  });

  it('shows every field saved on the next page, as the row holds it', async () => {
    const { browser } = await logIn(t.app, 'ada@example.com');
    await browser.get('/settings/account');
    const saved = await browser.post('/settings/account/preferences', { shownLanguage: 'en', language: 'en', timezone: 'Asia/Kolkata', clock24h: 'on', dateFormat: 'international', theme: 'light', stackTraceOrder: 'caller-first' }, { htmx: true });
    expect(saved.statusCode).toBe(200);
    const page = (await browser.get('/settings/account')).body;
    expect(page).toContain('value="Asia/Kolkata (UTC+05:30)"');
    expect(page).toMatch(/id="pref-clock" name="clock24h" checked/);
    expect(page).toMatch(/value="international" checked/);
    expect(page).toContain('data-theme="light"');
    expect(page).toMatch(/<option value="caller-first" selected>/);
    const row = sqliteOf(t.db).prepare('select timezone, clock_24h as clock24h, date_format, theme, stack_trace_order from account_settings where user_id = ?').get(userId);
    expect(row).toEqual({ timezone: 'Asia/Kolkata', clock24h: 1, date_format: 'international', theme: 'light', stack_trace_order: 'caller-first' });
  });

  it('is read again after the save when another process may write the file (SQLITE_LOCKING=normal)', async () => {
    await t.close();
    t = await createTestApp({ SQLITE_LOCKING: 'normal' });
    await setUpAdministrator(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
    const { browser } = await logIn(t.app, 'ada@example.com');
    await browser.get('/settings/account');
    const other = new Database(t.config.databaseFile);
    try {
      other.prepare("update account_settings set avatar_type = 'gravatar'").run();
    } finally {
      other.close();
    }
    await browser.post('/settings/account/preferences', { shownLanguage: 'en', language: 'en', timezone: 'UTC', dateFormat: 'iso', theme: 'dark', stackTraceOrder: 'default' }, { htmx: true });
    const page = (await browser.get('/settings/account')).body;
    expect(page).toMatch(/id="avatar-type-gravatar" name="avatarType" value="gravatar" checked/);
  });
});
