import fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { users } from '../../src/auth/tables.ts';
import { redactPath } from '../../src/logging.ts';
import { BrowserSession, setUpAdministrator, signUp, strongPassword } from '../support/browser-session.ts';
import { freshDataDir, removeDataDir, runDials, serveDials } from '../support/dials-process.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(async () => {
  await t.close();
});

const pathOf = (url: string | null) => new URL(url ?? 'http://x/none').pathname;

describe('the administrator set-up link', () => {
  it('is the same link until it is used, makes a logged-in administrator, and then works no more', async () => {
    const first = await t.app.services.adminSetup.startLink();
    expect(first).toMatch(/^http:\/\/localhost:3000\/setup\/[a-z2-7]{32}$/);
    expect(await t.app.services.adminSetup.startLink()).toBe(first);

    const admin = await setUpAdministrator(t.app, { email: 'root@example.com', name: 'Root' });
    const [row] = await t.db.select().from(users).all();
    expect(row).toMatchObject({ email: 'root@example.com', isAdmin: true });
    expect(row?.activatedAt).not.toBeNull();
    expect((await admin.get('/admin/outbox')).statusCode).toBe(200);

    expect(await t.app.services.adminSetup.startLink()).toBeNull();
    const again = new BrowserSession(t.app);
    expect((await again.get(pathOf(first))).statusCode).toBe(410);
    await again.get('/login');
    const reused = await again.post(pathOf(first), { name: 'Mallory', email: 'mallory@example.com', password: strongPassword });
    expect(reused.statusCode).toBe(410);
    expect(await t.db.select().from(users).all()).toHaveLength(1);
  });

  it('a sign-up never makes an administrator, first or not; a made-up link is gone', async () => {
    const ada = await signUp(t.app, { email: 'ada@example.com' });
    expect((await ada.get('/admin/outbox')).statusCode).toBe(404);
    expect((await new BrowserSession(t.app).get(`/setup/${'a'.repeat(32)}`)).statusCode).toBe(410);
    expect((await new BrowserSession(t.app).get('/setup/not-a-token')).statusCode).toBe(410);
  });

  it('refuses a bad form with every reason at once, 422, making nothing and keeping the link', async () => {
    const path = pathOf(await t.app.services.adminSetup.startLink());
    const browser = new BrowserSession(t.app);
    await browser.get(path);
    const response = await browser.post(path, { name: ' ', email: 'not-an-address', password: 'short' });
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('Enter your name.');
    expect(response.body).toContain('Enter an e-mail address like');
    expect(response.body).toContain('Use at least 15 characters.');
    const extra = await browser.post(path, { name: 'Root', email: 'root@example.com', password: strongPassword, is_admin: '0' });
    expect(extra.statusCode).toBe(422);
    expect(await t.db.select().from(users).all()).toHaveLength(0);
    expect(pathOf(await t.app.services.adminSetup.startLink())).toBe(path);
  });

  it('needs the CSRF token', async () => {
    const path = pathOf(await t.app.services.adminSetup.startLink());
    const browser = new BrowserSession(t.app);
    await browser.get(path);
    const response = await browser.post(path, { name: 'Root', email: 'root@example.com', password: strongPassword }, { csrf: false });
    expect(response.statusCode).toBe(403);
    expect(await t.db.select().from(users).all()).toHaveLength(0);
  });

  it('a link for one address (create-admin) makes that address an administrator, whatever the form says', async () => {
    const invited = await t.app.services.adminSetup.invite('second@example.com');
    if (!invited.ok) throw new Error('not invited');
    const browser = new BrowserSession(t.app);
    const page = await browser.get(pathOf(invited.url));
    expect(page.body).toContain('second@example.com');
    expect(page.body).toMatch(/value="second@example.com" readonly/);
    const response = await browser.post(pathOf(invited.url), { name: 'Second', email: 'mallory@example.com', password: strongPassword });
    expect(response.statusCode).toBe(303);
    expect((await t.db.select().from(users).all()).map((row) => [row.email, row.isAdmin])).toEqual([['second@example.com', true]]);
    // With an administrator, the open link printed at start works no more.
    expect(await t.app.services.adminSetup.startLink()).toBeNull();
    expect(await t.app.services.adminSetup.invite('second@example.com')).toEqual({ ok: false, reason: 'address-taken' });
  });

  it('keeps the token out of request logs', () => {
    expect(redactPath('/setup/abcdefghijklmnopqrstuvwxyz234567?x=1')).toBe('/setup/[redacted]');
    expect(redactPath('/unsubscribe/7.buildEmails.p1.AAAAAAAAAAAAAAAAAAAAAA')).toBe('/unsubscribe/[redacted]');
  });
});

describe('the set-up link on the command line', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) removeDataDir(folder);
  });

  it('is printed at every start until used, the same each time', async () => {
    const dataDir = freshDataDir();
    folders.push(dataDir);
    const links: string[] = [];
    for (let start = 0; start < 2; start += 1) {
      const dials = await serveDials(dataDir);
      await new Promise((resolve) => setTimeout(resolve, 300));
      dials.child.kill('SIGTERM');
      expect(await dials.exited).toBe(0);
      const link = /No administrator yet[\s\S]*?(\/setup\/[a-z2-7]{32})/.exec(dials.output())?.[1];
      expect(link).toBeDefined();
      links.push(link ?? '');
    }
    expect(links[0]).toBe(links[1]);
  });

  it('create-admin: a missing or malformed --email, or a taken address, is refused and changes nothing', async () => {
    const dataDir = freshDataDir();
    folders.push(dataDir);
    const missing = await runDials(['create-admin'], dataDir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('"create-admin" needs the account\'s address');
    const malformed = await runDials(['create-admin', '--email', 'root'], dataDir);
    expect(malformed.code).toBe(2);
    expect(fs.readdirSync(dataDir)).toEqual([]);

    const made = await runDials(['create-admin', '--email', 'Root@Example.com'], dataDir);
    expect(made.code).toBe(0);
    const link = /http:\/\/localhost:\d+(\/setup\/[a-z2-7]{32})/.exec(made.stdout)?.[1];
    expect(made.stdout).toContain('root@example.com');

    const app = await createTestApp({ DATA_DIR: dataDir });
    try {
      const root = new BrowserSession(app.app);
      expect((await root.get(link ?? '')).statusCode).toBe(200);
      expect((await root.post(link ?? '', { name: 'Root', email: 'root@example.com', password: strongPassword })).statusCode).toBe(303);
    } finally {
      await app.close();
    }
    const taken = await runDials(['create-admin', '--email', 'root@example.com'], dataDir);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain('exists already');
    expect(taken.stdout).toBe('');
  });
});
