import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { fileSnapshot } from '../support/backup-fixtures.ts';
import { signUp } from '../support/browser-session.ts';
import { freshDataDir, removeDataDir, runDials, serveDials } from '../support/dials-process.ts';
import { createTestApp } from '../support/test-app.ts';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) removeDataDir(folder);
});

function folder(): string {
  const made = freshDataDir();
  folders.push(made);
  return made;
}

/** A data folder with Ada's account in it, made through the pages. */
async function folderWithAda(): Promise<string> {
  const dataDir = folder();
  const t = await createTestApp({ DATA_DIR: dataDir });
  await signUp(t.app, { email: 'ada@example.com', name: 'Ada Lovelace' });
  await t.close();
  return dataDir;
}

describe('the command line', () => {
  it('an unknown command or option: a clear message, exit 2, nothing made', async () => {
    const dataDir = folder();
    for (const args of [['frobnicate'], ['--frobnicate'], ['check', '--email', 'a@example.com'], ['migrate', 'extra']]) {
      const result = await runDials(args, dataDir);
      expect(result.code, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/Unknown command "frobnicate"|Unknown option "--frobnicate"|has no option "--email"|takes no argument "extra"/);
      expect(result.stderr).toContain('dials help');
      expect(result.stdout).toBe('');
    }
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('help lists every command; --version says the version', async () => {
    const dataDir = folder();
    const help = await runDials(['help'], dataDir);
    expect(help.code).toBe(0);
    for (const command of ['serve', 'migrate', 'check', 'create-admin --email', 'reset-password --email', 'backup FILE', 'restore FILE [--force]', '--version', 'help']) expect(help.stdout).toContain(command);
    const version = await runDials(['--version'], dataDir);
    const { version: expected } = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(version.code).toBe(0);
    expect(version.stdout).toContain(`Dials ${expected}`);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('a bad setting: the setting named, exit 2', async () => {
    const result = await runDials(['check'], folder(), { PORT: 'eighty' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('PORT');
  });
});

describe('dials check', () => {
  it('on a folder without a database: says so, exit 1, makes nothing', async () => {
    const dataDir = folder();
    const result = await runDials(['check'], dataDir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/PROBLEM .*does not exist yet/);
    expect(fs.readdirSync(dataDir)).toEqual([]);
  });

  it('after migrate: every check passes, exit 0', async () => {
    const dataDir = folder();
    expect((await runDials(['migrate'], dataDir)).code).toBe(0);
    const result = await runDials(['check'], dataDir);
    expect(result.stdout).toContain('integrity_check: ok');
    expect(result.stdout).toContain('foreign_key_check: ok');
    expect(result.stdout).toContain('migrations: all applied');
    expect(result.code).toBe(0);
  });

  it('a pending migration, a foreign-key violation, a file that is not a database: each named, exit 1', async () => {
    const dataDir = folder();
    await runDials(['migrate'], dataDir);
    const file = path.join(dataDir, 'dials.db');
    const sqlite = new Database(file);
    sqlite.prepare('delete from __drizzle_migrations where created_at = (select max(created_at) from __drizzle_migrations)').run();
    sqlite.pragma('foreign_keys = OFF');
    sqlite.prepare("insert into user_emails (user_id, address, is_primary, created_at) values (999, 'ghost@example.com', 0, 0)").run();
    sqlite.close();
    const result = await runDials(['check'], dataDir);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/PROBLEM +database foreign_key_check: 1 violation/);
    expect(result.stdout).toMatch(/PROBLEM +database migrations: 1 pending/);

    fs.writeFileSync(file, 'this is not a database, only words that fill a page. '.repeat(100));
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });
    const broken = await runDials(['check'], dataDir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/PROBLEM +database: .* cannot be read: file is not a database/);
  });
});

describe('dials reset-password', () => {
  it('without --email, with something that is not an address, or an address no account has: a clear message, non-zero, nothing changed', async () => {
    const dataDir = await folderWithAda();
    const before = fileSnapshot(dataDir);
    const missing = await runDials(['reset-password'], dataDir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('--email ADDRESS');
    const empty = await runDials(['reset-password', '--email'], dataDir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('"--email" needs a value');
    const notAnAddress = await runDials(['reset-password', '--email', 'ada'], dataDir);
    expect(notAnAddress.code).toBe(2);
    expect(notAnAddress.stderr).toContain('"ada" is not an e-mail address');
    const adminWithout = await runDials(['create-admin'], dataDir);
    expect(adminWithout.code).toBe(2);
    expect(adminWithout.stderr).toContain('"create-admin" needs the account\'s address: dials create-admin --email ADDRESS');
    expect(fileSnapshot(dataDir)).toEqual(before);

    const unknown = await runDials(['reset-password', '--email=grace@example.com'], dataDir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('No account has the address grace@example.com');
    expect(unknown.stdout).toBe('');
    const sqlite = new Database(path.join(dataDir, 'dials.db'), { readonly: true });
    expect(sqlite.prepare("select count(*) as n from email_tokens where purpose = 'reset-password'").get()).toEqual({ n: 0 });
    sqlite.close();
  });

  it('prints a one-time link that opens the reset page, and the owner sees it in their security log', async () => {
    const dataDir = await folderWithAda();
    const result = await runDials(['reset-password', '--email', 'Ada@Example.com'], dataDir);
    expect(result.code).toBe(0);
    const link = /http:\/\/localhost:\d+(\/reset-password\/\S+)/.exec(result.stdout)?.[1];
    expect(link).toBeDefined();
    const t = await createTestApp({ DATA_DIR: dataDir });
    try {
      t.clock.now = Date.now();
      const page = await t.app.inject({ method: 'GET', url: link! });
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('ada@example.com');
      const events = await t.app.services.securityLog.list((await t.app.services.users.findForLogin('ada@example.com'))!.id, 1, 20);
      expect(JSON.stringify(events)).toContain('password.resetLinkIssued');
    } finally {
      await t.close();
    }
  });

  it('while Dials serves (and holds the database): says so, exit 1', async () => {
    const dataDir = await folderWithAda();
    const dials = await serveDials(dataDir);
    try {
      const result = await runDials(['reset-password', '--email', 'ada@example.com'], dataDir);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('in use by a running Dials');
      const check = await runDials(['check'], dataDir);
      expect(check.code).toBe(1);
      expect(check.stdout).toContain('locked by a running Dials');
    } finally {
      dials.child.kill('SIGTERM');
      await dials.exited;
    }
  });
});
