import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isInstanceSecretText } from '../lib/instance-secret.ts';
import { sqliteOf, type Db } from './client.ts';
import { appliedMigrationsOf, latestMigrationAt } from './migrate.ts';

/**
 * A Dials backup is one SQLite file: an online copy of the database, plus a `dials_backup` table
 * saying what it is (the format marker, the Dials version, when it was taken, the last migration)
 * and holding `secret.key`, without which the sealed secrets in the copy cannot be read.
 * The file is therefore a secret itself, and written with mode 0600.
 */
export const backupFormat = 'dials-backup/1';
export const backupTable = 'dials_backup';

export interface BackupDetails {
  dialsVersion: string;
  takenAt: Date;
  /** The content of secret.key, exactly as in the file; null when the instance has none yet. */
  secretKey: string | null;
}

/** The prefix of the private folder a backup is built in, beside its target; the sweep at start (backups/leftovers.ts) knows it, the pid says whose it is. */
const workFolderPrefix = (target: string) => `.${path.basename(target)}.partial-${process.pid}-`;

/**
 * A fresh folder, mode 0700, beside `target` (same file system, so publishing is a link): SQLite's
 * side files of the copy are made there, where no other user can have put anything beforehand.
 */
function makeWorkFolder(target: string): string {
  return fs.mkdtempSync(path.join(path.dirname(target), workFolderPrefix(target)));
}

/** Makes a file's (or a folder's) content durable: fsync through a read-only descriptor. */
export function syncPath(file: string): void {
  const descriptor = fs.openSync(file, 'r');
  try {
    fs.fsyncSync(descriptor);
  } finally {
    fs.closeSync(descriptor);
  }
}

/** Gives the finished file its final name; never replaces anything there (EEXIST then, with the target named). */
function publish(partial: string, target: string): void {
  try {
    fs.linkSync(partial, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw Object.assign(new Error(`${target} exists`), { code: 'EEXIST', path: target });
    throw error;
  }
  syncPath(path.dirname(target));
}

/**
 * Copies the database of `source` with SQLite's online backup (it steps between turns of the event
 * loop, so a serving Dials keeps answering, and the copy is consistent), adds the backup table, and
 * links the finished file to `target`. Whatever fails, nothing remains but what was at `target`; the error is thrown.
 */
async function writeBackupFrom(source: Database.Database, target: string, details: BackupDetails): Promise<number> {
  const workFolder = makeWorkFolder(target);
  const partial = path.join(workFolder, 'backup');
  try {
    // Made first with mode 0600, so the copy and the key in it are never readable by others.
    fs.writeFileSync(partial, '', { mode: 0o600, flag: 'wx' });
    await source.backup(partial);
    const copy = new Database(partial, { fileMustExist: true });
    try {
      // One file, without a write-ahead log beside it.
      copy.pragma('journal_mode = DELETE');
      const { applied } = appliedMigrationsOf(copy);
      copy.exec(`CREATE TABLE ${backupTable} (name TEXT PRIMARY KEY, value TEXT)`);
      const put = copy.prepare(`INSERT INTO ${backupTable} (name, value) VALUES (?, ?)`);
      copy.transaction(() => {
        put.run('format', backupFormat);
        put.run('dials_version', details.dialsVersion);
        put.run('taken_at', details.takenAt.toISOString());
        put.run('last_migration', applied.at(-1) ?? null);
        put.run('secret_key', details.secretKey);
      })();
    } finally {
      copy.close();
    }
    syncPath(partial);
    publish(partial, target);
    return fs.statSync(target).size;
  } finally {
    fs.rmSync(workFolder, { recursive: true, force: true });
  }
}

/** A backup of the database this process has open (a serving Dials, or a command's own connection). Returns its size in bytes. */
export function writeBackup(db: Db, target: string, details: BackupDetails): Promise<number> {
  return writeBackupFrom(sqliteOf(db), target, details);
}

/**
 * A backup of a database file no Dials process has open. Throws SQLITE_BUSY (see isDatabaseBusy)
 * when a serving Dials holds it; throws ENOENT when there is no database file.
 */
export async function writeBackupOfFile(databaseFile: string, target: string, details: BackupDetails): Promise<number> {
  if (!fs.existsSync(databaseFile)) throw Object.assign(new Error(`${databaseFile} does not exist`), { code: 'ENOENT', path: databaseFile });
  const source = new Database(databaseFile, { fileMustExist: true, timeout: 1000 });
  try {
    // Reading first makes a lock held by another process show here, before any file is made.
    source.prepare('select count(*) from sqlite_master').get();
    return await writeBackupFrom(source, target, details);
  } finally {
    source.close();
  }
}

export interface BackupInfo {
  dialsVersion: string;
  takenAt: string;
  lastMigration: string | null;
  /** Whether the database in the backup has migrations this version of Dials does not know. */
  fromNewerDials: boolean;
  secretKey: string | null;
}

export type BackupReading =
  | { ok: true; info: BackupInfo }
  | { ok: false; reason: 'missing' | 'not-a-backup' | 'other-format' | 'damaged'; detail: string };

const sqliteMagic = Buffer.from('SQLite format 3\0', 'latin1');

/** Reads what a backup file says about itself, opening it read-only: the file is never changed. */
export function readBackup(file: string): BackupReading {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (error) {
    return { ok: false, reason: 'missing', detail: (error as Error).message };
  }
  if (!stat.isFile()) return { ok: false, reason: 'not-a-backup', detail: 'not a file' };
  // Read before SQLite opens it: a database in WAL mode (never a backup) would get files made beside it.
  const header = Buffer.alloc(20);
  try {
    const descriptor = fs.openSync(file, 'r');
    try {
      fs.readSync(descriptor, header, 0, header.length, 0);
    } finally {
      fs.closeSync(descriptor);
    }
  } catch (error) {
    return { ok: false, reason: 'missing', detail: (error as Error).message };
  }
  if (!header.subarray(0, 16).equals(sqliteMagic)) return { ok: false, reason: 'not-a-backup', detail: 'not a SQLite file' };
  // SQLite reads a file as WAL unless both the write (18) and the read (19) version are 1.
  if (header[18] !== 1 || header[19] !== 1) return { ok: false, reason: 'not-a-backup', detail: 'a SQLite database in WAL mode' };
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(file, { readonly: true, fileMustExist: true });
    const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(backupTable);
    if (!table) return { ok: false, reason: 'not-a-backup', detail: `a SQLite database without a ${backupTable} table` };
    const rows = sqlite.prepare(`select name, value from ${backupTable}`).all() as Array<{ name: string; value: unknown }>;
    const value = (name: string) => {
      const found = rows.find((row) => row.name === name)?.value;
      return found === undefined || found === null ? null : String(found);
    };
    const format = value('format');
    if (format !== backupFormat) {
      return format?.startsWith('dials-backup/')
        ? { ok: false, reason: 'other-format', detail: format }
        : { ok: false, reason: 'not-a-backup', detail: 'no Dials backup marker' };
    }
    const check = sqlite.pragma('quick_check', { simple: true });
    const { lastAppliedAt } = appliedMigrationsOf(sqlite);
    const latest = latestMigrationAt();
    if (check !== 'ok') return { ok: false, reason: 'damaged', detail: String(check) };
    const secretKey = rows.find((row) => row.name === 'secret_key')?.value ?? null;
    if (secretKey !== null && !isInstanceSecretText(secretKey)) return { ok: false, reason: 'damaged', detail: 'its secret.key is not one Dials writes' };
    return {
      ok: true,
      info: { dialsVersion: value('dials_version') ?? 'unknown', takenAt: value('taken_at') ?? 'unknown', lastMigration: value('last_migration'),
        fromNewerDials: lastAppliedAt !== null && latest !== null && lastAppliedAt > latest,
        secretKey },
    };
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return { ok: false, reason: 'not-a-backup', detail: (error as Error).message };
    return { ok: false, reason: 'damaged', detail: (error as Error).message };
  } finally {
    sqlite?.close();
  }
}
