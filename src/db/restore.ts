import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { backupTable, syncPath } from './backup.ts';
import { isDatabaseBusy } from './check.ts';

export type RestoreOutcome =
  | { ok: true; setAside: string[] }
  | { ok: false; reason: 'running' }
  | { ok: false; reason: 'exists' };

const timestamp = (now: Date) => now.toISOString().replace(/[:.]/g, '-');

/** The prefixes of the files a restore writes in the data folder before renaming them; the sweep at start (backups/leftovers.ts) knows them, the pid says whose they are. */
const restoringPrefixes = ['.dials.db.restoring-', '.secret.key.restoring-'] as const;

/**
 * Takes the lock of a stopped instance's database and keeps it, so that no Dials can start on it
 * until the restore is done: the write-ahead log is moved into the file and the database leaves
 * WAL mode, so the file alone holds everything and can be moved. Throws SQLITE_BUSY when a Dials
 * holds it.
 */
function lockStoppedDatabase(file: string): Database.Database {
  const sqlite = new Database(file, { fileMustExist: true, timeout: 200 });
  try {
    sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.pragma('journal_mode = DELETE');
    sqlite.prepare('select count(*) from sqlite_master').get();
    return sqlite;
  } catch (error) {
    sqlite.close();
    throw error;
  }
}

function removeQuietly(...files: string[]): void {
  for (const file of files) fs.rmSync(file, { force: true });
}

/** Writes the database of the backup (without the backup table) and the key beside their final names, complete and synced. */
async function writeNewFiles(backupFile: string, secretKey: string | null, newDatabase: string, newKey: string): Promise<void> {
  try {
    await pipeline(fs.createReadStream(backupFile), fs.createWriteStream(newDatabase, { mode: 0o600, flags: 'wx' }));
    const copy = new Database(newDatabase, { fileMustExist: true });
    try {
      copy.exec(`DROP TABLE ${backupTable}`);
      copy.exec('VACUUM');
    } finally {
      copy.close();
    }
    syncPath(newDatabase);
    if (secretKey !== null) {
      fs.writeFileSync(newKey, secretKey, { mode: 0o600, flag: 'wx' });
      syncPath(newKey);
    }
  } catch (error) {
    removeQuietly(newDatabase, `${newDatabase}-journal`, newKey);
    throw error;
  }
}

/** Keeps a file aside under a second name (a link: the file stays where it is until it is replaced). */
function keepAside(file: string, aside: string, setAside: string[]): void {
  fs.linkSync(file, aside);
  setAside.push(aside);
}

/**
 * Puts a backup (already read and found good, see readBackup) back into a data folder whose Dials
 * is stopped: the database without the backup table, and secret.key, both mode 0600.
 * Refuses when a Dials holds the database (its lock is kept from the first check to the end, so none
 * can start meanwhile; with no database yet, `dialsRunning` is asked again just before the files are
 * put in place), or when there is a database already and not `force`; with `force` the old database
 * and key are kept aside with a `.before-restore-<time>` suffix.
 * Both new files are written completely beside their final names, then each replaces the old one in
 * one rename, the database last: whenever it stops, the data folder has a whole database.
 */
export async function restoreBackup(
  backupFile: string,
  secretKey: string | null,
  dataDir: string,
  options: { force: boolean; now: Date; dialsRunning: () => Promise<boolean> },
): Promise<RestoreOutcome> {
  const databaseFile = path.join(dataDir, 'dials.db');
  const keyFile = path.join(dataDir, 'secret.key');
  const exists = fs.existsSync(databaseFile);
  let lock: Database.Database | null = null;
  if (exists) {
    if (!options.force) return { ok: false, reason: 'exists' };
    try {
      lock = lockStoppedDatabase(databaseFile);
    } catch (error) {
      if (isDatabaseBusy(error)) return { ok: false, reason: 'running' };
      // Not a database at all, or damaged: it is kept aside as it is, with its log.
    }
  }
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const suffix = `${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    const newDatabase = path.join(dataDir, `${restoringPrefixes[0]}${suffix}`);
    const newKey = path.join(dataDir, `${restoringPrefixes[1]}${suffix}`);
    await writeNewFiles(backupFile, secretKey, newDatabase, newKey);
    // A Dials started on an empty folder during the copy has made its database, or answers on its socket, by now.
    if (!exists && (fs.existsSync(databaseFile) || (await options.dialsRunning()))) {
      removeQuietly(newDatabase, newKey);
      return { ok: false, reason: 'running' };
    }
    const setAside: string[] = [];
    const stamp = timestamp(options.now);
    const logs = ['-wal', '-journal'].map((log) => `${databaseFile}${log}`).filter((log) => fs.existsSync(log));
    if (exists) {
      const aside = `${databaseFile}.before-restore-${stamp}`;
      keepAside(databaseFile, aside, setAside);
      // A locked database holds everything in its file (its journal, if any, is an empty one of the lock's); anything else keeps its logs.
      if (!lock) for (const log of logs) fs.linkSync(log, `${aside}${log.slice(databaseFile.length)}`);
    }
    if (secretKey !== null) {
      if (fs.existsSync(keyFile)) keepAside(keyFile, `${keyFile}.before-restore-${stamp}`, setAside);
      fs.renameSync(newKey, keyFile);
    }
    // A log left beside the old database must never be read as the new database's.
    removeQuietly(...logs, `${databaseFile}-shm`);
    fs.renameSync(newDatabase, databaseFile);
    syncPath(dataDir);
    return { ok: true, setAside };
  } finally {
    lock?.close();
  }
}
