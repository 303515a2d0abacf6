import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { upgradeDatabase } from '../../src/backups/upgrade.ts';
import { loadConfig } from '../../src/config.ts';
import { readBackup } from '../../src/db/backup.ts';
import { closeDatabase, openDatabase, sqliteOf } from '../../src/db/client.ts';
import { applyMigrations } from '../../src/db/migrate.ts';
import { committedMigrationCount, databaseContent, migrationsFolder } from '../support/backup-fixtures.ts';
import { freshDataDir, removeDataDir, runDials, serveDials } from '../support/dials-process.ts';

const folders: string[] = [];
afterEach(() => {
  for (const made of folders.splice(0)) removeDataDir(made);
});

function folder(): string {
  const made = freshDataDir();
  folders.push(made);
  return made;
}

/** A data folder as an older Dials left it: its first `count` migrations, and one account. */
function olderDataFolder(count: number): string {
  const dataDir = folder();
  const older = migrationsFolder(count);
  folders.push(older);
  const db = openDatabase(path.join(dataDir, 'dials.db'));
  applyMigrations(db, { migrationsFolder: older });
  closeDatabase(db);
  const sqlite = new Database(path.join(dataDir, 'dials.db'));
  sqlite.prepare("insert into users (email, name, password_hash, created_at) values ('ada@example.com', 'Ada Lovelace', 'a hash', 0)").run();
  sqlite.close();
  fs.writeFileSync(path.join(dataDir, 'secret.key'), `${Buffer.alloc(32, 7).toString('base64')}\n`, { mode: 0o600 });
  return dataDir;
}

function recordingMessages() {
  const messages = { out: '', err: '' };
  return { messages, sink: { out: (text: string) => (messages.out += text), err: (text: string) => (messages.err += text) } };
}

describe('upgrading an older data folder', () => {
  it('a newer Dials takes a backup, applies the migrations, then serves; the backup holds the older database', async () => {
    const dataDir = olderDataFolder(3);
    const dials = await serveDials(dataDir);
    try {
      expect(dials.output()).toMatch(/Backup taken before the database update: \S+before-0\.\d+\.\d+-\S+\.dials-backup/);
      expect((await fetch(`${dials.url}/readyz`)).status).toBe(200);
    } finally {
      dials.child.kill('SIGTERM');
    }
    expect(await dials.exited).toBe(0);
    const backups = fs.readdirSync(path.join(dataDir, 'backups'));
    expect(backups).toHaveLength(1);
    const reading = readBackup(path.join(dataDir, 'backups', backups[0]!));
    expect(reading.ok && reading.info.lastMigration).toBe('0002_mail_and_addresses');
    const check = await runDials(['check'], dataDir);
    expect(check.stdout).toContain('migrations: all applied');
    expect(databaseContent(path.join(dataDir, 'dials.db')).users).toHaveLength(1);

    // Up to date now: the next start takes no backup.
    expect((await runDials(['migrate'], dataDir)).stdout).not.toContain('Backup taken');
    expect(fs.readdirSync(path.join(dataDir, 'backups'))).toHaveLength(1);
  });

  it('a brand-new data folder gets its migrations without a backup', async () => {
    const dataDir = folder();
    const result = await runDials(['migrate'], dataDir);
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('Backup');
    expect(fs.existsSync(path.join(dataDir, 'backups'))).toBe(false);
  });

  it('a migration that fails leaves the database as it was, says which one, where the backup is, and how to go back', async () => {
    const dataDir = olderDataFolder(committedMigrationCount());
    const file = path.join(dataDir, 'dials.db');
    const bytesBefore = fs.readFileSync(file);
    const contentBefore = databaseContent(file);
    const newer = migrationsFolder(committedMigrationCount(), [
      { tag: '0006_works', sql: 'CREATE TABLE `first_new_thing` (`id` integer PRIMARY KEY);' },
      { tag: '0007_broken', sql: 'CREATE TABLE `second_new_thing` (`id` integer);--> statement-breakpoint\nALTER TABLE `no_such_table` ADD `x` text;' },
    ]);
    folders.push(newer);
    const config = loadConfig({ DATA_DIR: dataDir });
    const db = openDatabase(file, { exclusive: true });
    const { messages, sink } = recordingMessages();
    const goOn = await upgradeDatabase(db, config, sink, { migrationsFolder: newer });
    closeDatabase(db);

    expect(goOn).toBe(false);
    expect(messages.err).toMatch(/^Dials \S+ could not update the database: migration 0007_broken failed: no such table: no_such_table\n/);
    expect(messages.err).toContain(`Nothing was changed`);
    const backup = /A backup taken just before is at (\S+)\.\n/.exec(messages.err)?.[1];
    expect(backup).toBeDefined();
    expect(messages.err).toContain('run the previous version of Dials on this data folder');
    expect(messages.err).toContain(`dials restore ${backup} --force`);
    expect(fs.readFileSync(file)).toEqual(bytesBefore);
    expect(databaseContent(file)).toEqual(contentBefore);
    expect(readBackup(backup!).ok).toBe(true);
  });

  it('a migration that leaves a foreign-key violation is rolled back too', async () => {
    const dataDir = olderDataFolder(committedMigrationCount());
    const file = path.join(dataDir, 'dials.db');
    const contentBefore = databaseContent(file);
    const newer = migrationsFolder(committedMigrationCount(), [
      { tag: '0006_orphan', sql: "INSERT INTO `user_emails` (`user_id`, `address`, `is_primary`, `created_at`) VALUES (999, 'ghost@example.com', 0, 0);" },
    ]);
    folders.push(newer);
    const db = openDatabase(file);
    const { messages, sink } = recordingMessages();
    expect(await upgradeDatabase(db, loadConfig({ DATA_DIR: dataDir }), sink, { migrationsFolder: newer })).toBe(false);
    closeDatabase(db);
    expect(messages.err).toContain('migration 0006_orphan failed: 1 foreign-key violation(s)');
    expect(databaseContent(file)).toEqual(contentBefore);
  });

  it('a backup that cannot be taken stops the upgrade before any migration', async () => {
    const dataDir = olderDataFolder(3);
    const blocked = path.join(dataDir, 'a-file');
    fs.writeFileSync(blocked, 'in the way');
    const contentBefore = databaseContent(path.join(dataDir, 'dials.db'));
    // At start, as serve: Dials stops instead of serving.
    const result = await runDials([], dataDir, { BACKUP_DIR: path.join(blocked, 'backups') });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/takes a backup first, which failed:\n.*\nNo update was applied/);
    expect(databaseContent(path.join(dataDir, 'dials.db'))).toEqual(contentBefore);
  });

  it('migrations another process applied while this one waited for the write lock are not applied twice', () => {
    const dataDir = folder();
    const file = path.join(dataDir, 'dials.db');
    const first = openDatabase(file, { exclusive: false });
    const second = openDatabase(file, { exclusive: false });
    try {
      const sqlite = sqliteOf(first);
      const prepare = sqlite.prepare.bind(sqlite);
      let overtaken = false;
      // The other process gets the write lock first, just before this one asks for it.
      sqlite.prepare = ((source: string) => {
        if (source === 'BEGIN IMMEDIATE' && !overtaken) {
          overtaken = true;
          expect(applyMigrations(second).length).toBe(committedMigrationCount());
        }
        return prepare(source);
      }) as typeof sqlite.prepare;
      expect(applyMigrations(first)).toEqual([]);
      expect(overtaken).toBe(true);
    } finally {
      closeDatabase(first);
      closeDatabase(second);
    }
    expect(databaseContent(file).__drizzle_migrations).toHaveLength(committedMigrationCount());
  });

  it('a migration that fails at every start keeps one backup before it: the newest', async () => {
    const dataDir = olderDataFolder(committedMigrationCount());
    const newer = migrationsFolder(committedMigrationCount(), [{ tag: '0006_broken', sql: 'ALTER TABLE `no_such_table` ADD `x` text;' }]);
    folders.push(newer);
    const config = loadConfig({ DATA_DIR: dataDir });
    fs.mkdirSync(config.backups.dir, { recursive: true });
    const otherVersion = 'before-0.0.1-2026-01-01T00-00-00-000Z.dials-backup';
    fs.writeFileSync(path.join(config.backups.dir, otherVersion), 'a backup before another version');
    const starts = [Date.parse('2026-05-01T10:00:00Z'), Date.parse('2026-05-01T10:00:05Z'), Date.parse('2026-05-01T10:00:10Z')];
    let last = '';
    for (const start of starts) {
      const db = openDatabase(path.join(dataDir, 'dials.db'));
      const { messages, sink } = recordingMessages();
      expect(await upgradeDatabase(db, config, sink, { migrationsFolder: newer, now: new Date(start) })).toBe(false);
      closeDatabase(db);
      last = /A backup taken just before is at (\S+)\.\n/.exec(messages.err)?.[1] ?? '';
    }
    expect(last).toContain('2026-05-01T10-00-10-000Z');
    expect(fs.readdirSync(config.backups.dir).sort()).toEqual([path.basename(last), otherVersion].sort());
  });
});
