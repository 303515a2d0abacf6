import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logIn, setUpAdministrator } from '../support/browser-session.ts';
import { databaseContent, fileSnapshot } from '../support/backup-fixtures.ts';
import { freshDataDir, removeDataDir, runDials, serveDials, type ServingDials } from '../support/dials-process.ts';
import { createTestApp } from '../support/test-app.ts';
import { takeBackup } from '../../src/backups/take-backup.ts';
import { readBackup, writeBackup } from '../../src/db/backup.ts';
import { restoreBackup } from '../../src/db/restore.ts';
import { closeDatabase, openDatabase } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { enrolTotp, totpCode } from '../support/totp.ts';

const folders: string[] = [];
const servers: ServingDials[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.child.kill('SIGKILL');
    await server.exited;
  }
  for (const made of folders.splice(0)) removeDataDir(made);
});

function folder(): string {
  const made = freshDataDir();
  folders.push(made);
  return made;
}

async function serve(dataDir: string, environment: Record<string, string> = {}): Promise<ServingDials> {
  const dials = await serveDials(dataDir, environment);
  servers.push(dials);
  return dials;
}

async function stop(dials: ServingDials): Promise<void> {
  dials.child.kill('SIGTERM');
  expect(await dials.exited).toBe(0);
  servers.splice(servers.indexOf(dials), 1);
}

/** A folder only root could write into: /sys for root, a folder without write permission for anyone else. */
function unwritableFolder(): string {
  if (process.getuid?.() === 0) return '/sys';
  const made = path.join(folder(), 'read-only');
  fs.mkdirSync(made, { mode: 0o500 });
  return made;
}

/** A data folder with Ada, the administrator, who has an authenticator app: its secret is sealed with secret.key. */
async function folderWithAda(): Promise<{ dataDir: string; secret: string; clock: number }> {
  const dataDir = folder();
  const t = await createTestApp({ DATA_DIR: dataDir });
  const ada = await setUpAdministrator(t.app, { email: 'ada@example.com' });
  const { secret } = await enrolTotp(ada, () => t.clock.now);
  const clock = t.clock.now;
  await t.close();
  return { dataDir, secret, clock };
}

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

describe('dials backup and dials restore', () => {
  it('a backup taken while Dials serves, restored into an empty folder: Ada logs in with her password and her authenticator code', async () => {
    const { dataDir, secret, clock } = await folderWithAda();
    const dials = await serve(dataDir);
    // Only this user may ask the serving Dials for a backup.
    expect(modeOf(path.join(dataDir, 'dials.sock'))).toBe(0o600);

    const out = folder();
    const file = path.join(out, 'ada.dials-backup');
    const taken = await runDials(['backup', file], dataDir);
    expect(taken.stderr).toBe('');
    expect(taken.stdout).toContain(`Backup written to ${file}`);
    expect(taken.code).toBe(0);
    expect(fs.readdirSync(out)).toEqual(['ada.dials-backup']);
    expect(modeOf(file)).toBe(0o600);
    expect((await fetch(`${dials.url}/healthz`)).status).toBe(200);
    await stop(dials);
    expect(fs.existsSync(path.join(dataDir, 'dials.sock'))).toBe(false);
    const key = fs.readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim();
    expect(dials.output() + taken.stdout).not.toContain(key);

    const restored = folder();
    const result = await runDials(['restore', file], restored);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`into ${restored}`);
    expect(result.code).toBe(0);
    expect(fs.readdirSync(restored).sort()).toEqual(['dials.db', 'secret.key']);
    expect(modeOf(path.join(restored, 'dials.db'))).toBe(0o600);
    expect(modeOf(path.join(restored, 'secret.key'))).toBe(0o600);
    expect(fs.readFileSync(path.join(restored, 'secret.key'))).toEqual(fs.readFileSync(path.join(dataDir, 'secret.key')));
    const original = databaseContent(path.join(dataDir, 'dials.db'));
    const copy = databaseContent(path.join(restored, 'dials.db'));
    for (const table of ['schema', 'users', 'user_emails', 'totp_credentials', '__drizzle_migrations']) expect(copy[table], table).toEqual(original[table]);
    expect(copy.totp_credentials).toHaveLength(1);

    const t = await createTestApp({ DATA_DIR: restored });
    try {
      t.clock.now = clock + 5 * 60_000;
      const { browser, response } = await logIn(t.app, 'ada@example.com');
      expect(response.headers.location).toBe('/login/two-factor');
      await browser.get('/login/two-factor');
      const final = await browser.post('/login/two-factor', { code: await totpCode(secret, t.clock.now) });
      expect(final.statusCode).toBe(303);
      expect(final.headers.location).not.toMatch(/login/);
      const page = await browser.get('/settings/account');
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('ada@example.com');
    } finally {
      await t.close();
    }
  });

  it('a stopped Dials is backed up from its file; a socket left by a killed Dials is replaced; a data folder too deep for a socket path still answers', async () => {
    const { dataDir } = await folderWithAda();
    const out = folder();
    const stopped = await runDials(['backup', path.join(out, 'stopped.dials-backup')], dataDir);
    expect(stopped.code).toBe(0);

    const killed = await serve(dataDir);
    killed.child.kill('SIGKILL');
    await killed.exited;
    servers.splice(servers.indexOf(killed), 1);
    expect(fs.existsSync(path.join(dataDir, 'dials.sock'))).toBe(true);
    await serve(dataDir);
    expect((await runDials(['backup', path.join(out, 'after-kill.dials-backup')], dataDir)).code).toBe(0);

    const deep = path.join(folder(), 'a-folder-with-a-long-name-'.repeat(4));
    fs.mkdirSync(deep);
    expect((await runDials(['migrate'], deep)).code).toBe(0);
    await serve(deep);
    const result = await runDials(['backup', path.join(out, 'deep.dials-backup')], deep);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['after-kill.dials-backup', 'deep.dials-backup', 'stopped.dials-backup']);
  });

  it('a backup target that cannot be written, stopped or serving: a clear message, exit 1, nothing written or changed', async () => {
    const { dataDir } = await folderWithAda();
    const out = folder();
    fs.writeFileSync(path.join(out, 'taken.dials-backup'), 'an earlier backup');
    fs.mkdirSync(path.join(out, 'a-folder'));
    const cases: Array<[string, RegExp]> = [
      [path.join(out, 'missing', 'b.dials-backup'), /The folder .*missing does not exist/],
      [path.join(unwritableFolder(), 'b.dials-backup'), /Cannot write into .*: permission denied/],
      [path.join(out, 'a-folder'), /a-folder is a folder; give the backup a file name/],
      [path.join(out, 'taken.dials-backup'), /taken.dials-backup exists already/],
    ];
    const check = async () => {
      const before = { data: fileSnapshot(dataDir), out: fileSnapshot(out) };
      for (const [target, message] of cases) {
        const result = await runDials(['backup', target], dataDir);
        expect(result.stderr, target).toMatch(message);
        expect(result.stderr).toContain('Nothing was written');
        expect(result.code, target).toBe(1);
        expect(result.stdout).toBe('');
      }
      expect(fileSnapshot(out)).toEqual(before.out);
      return before.data;
    };
    const before = await check();
    expect(fileSnapshot(dataDir)).toEqual(before);
    const dials = await serve(dataDir);
    await check();
    await stop(dials);

    // Held by a process that does not answer on the socket (as a Dials that could not listen on one).
    const holder = new Database(path.join(dataDir, 'dials.db'));
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.prepare('select count(*) from users').get();
    const held = await runDials(['backup', path.join(out, 'held.dials-backup')], dataDir);
    holder.close();
    expect(held.code).toBe(1);
    expect(held.stderr).toContain('The database is locked by another process');
    expect(fs.existsSync(path.join(out, 'held.dials-backup'))).toBe(false);

    const empty = folder();
    const nothing = await runDials(['backup', path.join(out, 'nothing.dials-backup')], empty);
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toContain('There is no database');
    expect(fs.readdirSync(empty)).toEqual([]);
    const missing = await runDials(['backup'], empty);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('"backup" needs a FILE');
  });

  it('a restore of something that is not a Dials backup, of a missing file, over a database without --force, or while Dials serves: a clear message, exit 1, nothing changed', async () => {
    const { dataDir } = await folderWithAda();
    const out = folder();
    const backup = path.join(out, 'good.dials-backup');
    expect((await runDials(['backup', backup], dataDir)).code).toBe(0);
    const text = path.join(out, 'notes.txt');
    fs.writeFileSync(text, 'not a database, only words. '.repeat(200));
    const plainDatabase = path.join(out, 'plain.db');
    fs.copyFileSync(path.join(dataDir, 'dials.db'), plainDatabase);
    const newer = path.join(out, 'newer.dials-backup');
    fs.copyFileSync(backup, newer);
    const sqlite = new Database(newer);
    sqlite.prepare("insert into __drizzle_migrations (hash, created_at) values ('from the future', 9999999999999)").run();
    sqlite.close();

    const empty = folder();
    const outBefore = fileSnapshot(out);
    for (const [file, message] of [
      [text, /notes.txt is not a Dials backup/],
      [plainDatabase, /plain.db is not a Dials backup/],
      [path.join(out, 'missing.dials-backup'), /missing.dials-backup does not exist/],
      [out, /is not a Dials backup/],
      [newer, /was made by a newer Dials/],
    ] as const) {
      const result = await runDials(['restore', file], empty);
      expect(result.stderr, file).toMatch(message);
      expect(result.stderr).toContain('Nothing was changed');
      expect(result.code, file).toBe(1);
    }
    expect(fs.readdirSync(empty)).toEqual([]);

    const before = fileSnapshot(dataDir);
    const over = await runDials(['restore', backup], dataDir);
    expect(over.code).toBe(1);
    expect(over.stderr).toMatch(/dials.db exists already.*--force/);
    expect(fileSnapshot(dataDir)).toEqual(before);

    const dials = await serve(dataDir);
    const key = fs.readFileSync(path.join(dataDir, 'secret.key'));
    const whileServing = await runDials(['restore', backup, '--force'], dataDir);
    expect(whileServing.code).toBe(1);
    expect(whileServing.stderr).toContain('Dials is running');
    expect(fs.readdirSync(dataDir).filter((name) => name.includes('before-restore'))).toEqual([]);
    expect(fs.readFileSync(path.join(dataDir, 'secret.key'))).toEqual(key);
    expect((await fetch(`${dials.url}/healthz`)).status).toBe(200);
    await stop(dials);
    expect(fileSnapshot(out)).toEqual(outBefore);
  });

  it('restore --force over a stopped instance keeps the old database and key aside, and the backup is what comes back', async () => {
    const { dataDir } = await folderWithAda();
    const out = folder();
    const backup = path.join(out, 'b.dials-backup');
    expect((await runDials(['backup', backup], dataDir)).code).toBe(0);
    const before = databaseContent(path.join(dataDir, 'dials.db'));
    expect((await runDials(['create-admin', '--email', 'grace@example.com'], dataDir)).code).toBe(0);
    const changed = databaseContent(path.join(dataDir, 'dials.db'));
    expect(changed).not.toEqual(before);

    const result = await runDials(['restore', backup, '--force'], dataDir);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const aside = fs.readdirSync(dataDir).filter((name) => name.includes('.before-restore-')).sort();
    expect(aside).toHaveLength(2);
    expect(aside[0]).toMatch(/^dials\.db\.before-restore-/);
    expect(aside[1]).toMatch(/^secret\.key\.before-restore-/);
    expect(result.stdout).toContain(`Kept aside: ${path.join(dataDir, aside[0]!)}`);
    expect(databaseContent(path.join(dataDir, aside[0]!))).toEqual(changed);
    expect(databaseContent(path.join(dataDir, 'dials.db'))).toEqual(before);
    expect((await runDials(['check'], dataDir)).code).toBe(0);
  });

  it('a backup into the data folder itself (under a name SQLite owns, or through a link to the folder) is refused, stopped or serving', async () => {
    const { dataDir } = await folderWithAda();
    const linked = path.join(folder(), 'linked');
    fs.symlinkSync(dataDir, linked);
    const targets = [path.join(dataDir, 'dials.db-wal'), path.join(dataDir, 'dials.db-journal'), path.join(linked, 'b.dials-backup')];
    const check = async () => {
      for (const target of targets) {
        const result = await runDials(['backup', target], dataDir);
        expect(result.stderr, target).toMatch(/is the data folder; write backups to another folder/);
        expect(result.code, target).toBe(1);
      }
      expect(fs.readdirSync(dataDir).filter((name) => name.includes('dials-backup') || name.includes('partial'))).toEqual([]);
    };
    await check();
    const dials = await serve(dataDir);
    await check();
    await stop(dials);
    expect(fs.existsSync(path.join(dataDir, 'dials.db-wal'))).toBe(false);
  });

  it('FILE is never replaced: not when it appears while the backup is written, nor when it is a dangling link', async () => {
    const dataDir = folder();
    const db = openDatabase(path.join(dataDir, 'dials.db'));
    applyMigrations(db);
    const out = folder();
    const target = path.join(out, 'one.dials-backup');
    try {
      const write = (to: string, details: Parameters<typeof writeBackup>[2]) => writeBackup(db, to, details);
      const results = await Promise.all([takeBackup(target, dataDir, write), takeBackup(target, dataDir, write)]);
      expect(results.filter((result) => result.ok)).toHaveLength(1);
      expect(results.find((result) => !result.ok)).toEqual({ ok: false, message: expect.stringContaining(`${target} exists already`) });
    } finally {
      closeDatabase(db);
    }
    expect(fs.readdirSync(out)).toEqual(['one.dials-backup']);

    const dangling = path.join(out, 'dangling.dials-backup');
    fs.symlinkSync(path.join(out, 'nowhere'), dangling);
    const result = await runDials(['backup', dangling], dataDir);
    expect(result.stderr).toContain(`${dangling} exists already`);
    expect(result.code).toBe(1);
    expect(fs.readlinkSync(dangling)).toBe(path.join(out, 'nowhere'));
    expect(fs.readdirSync(out).sort()).toEqual(['dangling.dials-backup', 'one.dials-backup']);
  });

  it('a file that says it is in WAL mode only by its read version (header byte 19) is refused, and nothing appears beside it', async () => {
    const { dataDir } = await folderWithAda();
    const out = folder();
    const backup = path.join(out, 'b.dials-backup');
    expect((await runDials(['backup', backup], dataDir)).code).toBe(0);
    const descriptor = fs.openSync(backup, 'r+');
    fs.writeSync(descriptor, Buffer.from([1, 2]), 0, 2, 18);
    fs.closeSync(descriptor);
    const empty = folder();
    const result = await runDials(['restore', backup], empty);
    expect(result.stderr).toMatch(/is not a Dials backup/);
    expect(result.code).toBe(1);
    expect(fs.readdirSync(out)).toEqual(['b.dials-backup']);
    expect(fs.readdirSync(empty)).toEqual([]);
  });

  it('a backup whose secret.key is not one Dials writes is damaged: exit 1, nothing written', async () => {
    const { dataDir } = await folderWithAda();
    const out = folder();
    const backup = path.join(out, 'b.dials-backup');
    expect((await runDials(['backup', backup], dataDir)).code).toBe(0);
    const empty = folder();
    for (const value of ['', 5, Buffer.alloc(16, 1).toString('base64'), 'not base64 at all, but long enough to be 32 bytes', 'A'.repeat(5000)]) {
      const patched = path.join(out, 'patched.dials-backup');
      fs.copyFileSync(backup, patched);
      const sqlite = new Database(patched);
      sqlite.prepare("update dials_backup set value = ? where name = 'secret_key'").run(value);
      sqlite.close();
      const result = await runDials(['restore', patched], empty);
      expect(result.stderr, String(value)).toMatch(/is a damaged Dials backup \(its secret.key is not one Dials writes\)\. Nothing was changed/);
      expect(result.code).toBe(1);
      expect(fs.readdirSync(empty)).toEqual([]);
      fs.rmSync(patched);
    }
  });

  it('a backup without secret.key, restored over a folder that has one: the message names the key that is kept and used', async () => {
    const { dataDir } = await folderWithAda();
    const out = folder();
    const backup = path.join(out, 'b.dials-backup');
    expect((await runDials(['backup', backup], dataDir)).code).toBe(0);
    const sqlite = new Database(backup);
    sqlite.prepare("update dials_backup set value = null where name = 'secret_key'").run();
    sqlite.close();
    const key = fs.readFileSync(path.join(dataDir, 'secret.key'));
    const result = await runDials(['restore', backup, '--force'], dataDir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Dials uses the one already in the data folder (${path.join(dataDir, 'secret.key')})`);
    expect(result.stdout).not.toContain('makes a new one');
    expect(fs.readFileSync(path.join(dataDir, 'secret.key'))).toEqual(key);
  });
});

describe('files left by an interrupted backup or restore', () => {
  it('are removed when Dials starts, and named in its log; those of a process still running, and other files, stay', async () => {
    const { dataDir } = await folderWithAda();
    const backups = path.join(dataDir, 'backups');
    fs.mkdirSync(backups);
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const leftInBackups = [`.b.dials-backup.partial-${gone}-AbC123`, `.b.dials-backup.${gone}-0123abcd.partial`, `.b.dials-backup.${gone}-0123abcd.partial-journal`];
    fs.mkdirSync(path.join(backups, leftInBackups[0]!));
    fs.writeFileSync(path.join(backups, leftInBackups[0]!, 'backup'), 'half a backup');
    for (const name of leftInBackups.slice(1)) fs.writeFileSync(path.join(backups, name), 'half a backup');
    const leftInData = ['.dials.db.restoring-0123abcd', `.secret.key.restoring-${gone}-0123abcd`];
    for (const name of leftInData) fs.writeFileSync(path.join(dataDir, name), 'half a restore');
    const stillBeingWritten = `.c.dials-backup.partial-${process.pid}-XyZ789`;
    fs.mkdirSync(path.join(backups, stillBeingWritten));
    fs.writeFileSync(path.join(backups, '.hidden'), 'the operator’s');
    fs.writeFileSync(path.join(dataDir, '.dials.db.restoring-notes'), 'the operator’s');

    const dials = await serve(dataDir, { LOG_LEVEL: 'info' });
    await stop(dials);
    const logged = dials.output().split('\n').find((line) => line.includes('removed files left by an interrupted backup or restore'));
    expect(logged).toBeDefined();
    expect(JSON.parse(logged!).removed.sort()).toEqual([...leftInBackups, ...leftInData].sort());
    expect(fs.readdirSync(backups).sort()).toEqual(['.hidden', stillBeingWritten].sort());
    expect(fs.readdirSync(dataDir).filter((name) => name.includes('restoring'))).toEqual(['.dials.db.restoring-notes']);
  });
});

describe('restoreBackup', () => {
  async function backupOfAda(): Promise<{ dataDir: string; backup: string; secretKey: string | null }> {
    const { dataDir } = await folderWithAda();
    const backup = path.join(folder(), 'b.dials-backup');
    expect((await runDials(['backup', backup], dataDir)).code).toBe(0);
    const reading = readBackup(backup);
    if (!reading.ok) throw new Error(reading.detail);
    return { dataDir, backup, secretKey: reading.info.secretKey };
  }
  const stopped = async () => false;

  it('a restore --force stopped just before the database is put in place leaves the old database where it was', async () => {
    const { dataDir, backup, secretKey } = await backupOfAda();
    expect((await runDials(['create-admin', '--email', 'grace@example.com'], dataDir)).code).toBe(0);
    const databaseFile = path.join(dataDir, 'dials.db');
    const before = databaseContent(databaseFile);
    const rename = fs.renameSync;
    const spy = vi.spyOn(fs, 'renameSync').mockImplementation((from, to) => {
      if (to === databaseFile) throw new Error('the machine stops here');
      rename(from, to);
    });
    try {
      await expect(restoreBackup(backup, secretKey, dataDir, { force: true, now: new Date(), dialsRunning: stopped })).rejects.toThrow('the machine stops here');
    } finally {
      spy.mockRestore();
    }
    expect(databaseContent(databaseFile)).toEqual(before);
  });

  it('the database stays locked from the first check until the restore is done; with no database, a Dials started meanwhile is noticed', async () => {
    const { dataDir, backup, secretKey } = await backupOfAda();
    const databaseFile = path.join(dataDir, 'dials.db');
    const restoring = restoreBackup(backup, secretKey, dataDir, { force: true, now: new Date(), dialsRunning: stopped });
    const other = new Database(databaseFile, { timeout: 0 });
    try {
      expect(() => other.prepare('select count(*) from sqlite_master').get()).toThrow(/locked|busy/i);
    } finally {
      other.close();
    }
    expect(await restoring).toMatchObject({ ok: true });

    const empty = folder();
    const outcome = await restoreBackup(backup, secretKey, empty, { force: false, now: new Date(), dialsRunning: async () => true });
    expect(outcome).toEqual({ ok: false, reason: 'running' });
    expect(fs.readdirSync(empty)).toEqual([]);
  });
});
