import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { backupTable } from './backup.ts';
import { isDatabaseBusy } from './check.ts';

export type RestoreOutcome =
  | { ok: true; setAside: string[] }
  | { ok: false; reason: 'running' }
  | { ok: false; reason: 'exists' };

const timestamp = (now: Date) => now.toISOString().replace(/[:.]/g, '-');

/**
 * Moves the write-ahead log of a stopped instance's database into the file, so that the file
 * alone holds everything and can be moved. Throws SQLITE_BUSY when a Dials still holds it.
 */
function settleDatabase(file: string): void {
  const sqlite = new Database(file, { fileMustExist: true, timeout: 200 });
  try {
    sqlite.pragma('locking_mode = EXCLUSIVE');
    sqlite.pragma('wal_checkpoint(TRUNCATE)');
    sqlite.prepare('select count(*) from sqlite_master').get();
  } finally {
    sqlite.close();
  }
}

function removeQuietly(...files: string[]): void {
  for (const file of files) fs.rmSync(file, { force: true });
}

/**
 * Puts a backup (already read and found good, see readBackup) back into a data folder whose Dials
 * is stopped: the database without the backup table, and secret.key, both mode 0600.
 * Refuses when a Dials holds the database, or when there is a database already and not `force`;
 * with `force` the old database and key are kept aside with a `.before-restore-<time>` suffix.
 * Both new files are written completely before anything is moved, then renamed into place.
 */
export async function restoreBackup(
  backupFile: string,
  secretKey: string | null,
  dataDir: string,
  options: { force: boolean; now: Date },
): Promise<RestoreOutcome> {
  const databaseFile = path.join(dataDir, 'dials.db');
  const keyFile = path.join(dataDir, 'secret.key');
  const exists = fs.existsSync(databaseFile);
  if (exists) {
    if (!options.force) return { ok: false, reason: 'exists' };
    try {
      settleDatabase(databaseFile);
    } catch (error) {
      if (isDatabaseBusy(error)) return { ok: false, reason: 'running' };
      // Not a database at all, or damaged: it is kept aside as it is, with its log.
    }
  }
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const suffix = crypto.randomBytes(4).toString('hex');
  const newDatabase = path.join(dataDir, `.dials.db.restoring-${suffix}`);
  const newKey = path.join(dataDir, `.secret.key.restoring-${suffix}`);
  try {
    await pipeline(fs.createReadStream(backupFile), fs.createWriteStream(newDatabase, { mode: 0o600, flags: 'wx' }));
    const copy = new Database(newDatabase, { fileMustExist: true });
    try {
      copy.exec(`DROP TABLE ${backupTable}`);
      copy.exec('VACUUM');
    } finally {
      copy.close();
    }
    if (secretKey !== null) fs.writeFileSync(newKey, secretKey, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    removeQuietly(newDatabase, `${newDatabase}-journal`, newKey);
    throw error;
  }
  const setAside: string[] = [];
  const stamp = timestamp(options.now);
  if (exists) {
    const aside = `${databaseFile}.before-restore-${stamp}`;
    fs.renameSync(databaseFile, aside);
    setAside.push(aside);
    for (const log of ['-wal', '-journal']) {
      if (fs.existsSync(`${databaseFile}${log}`)) fs.renameSync(`${databaseFile}${log}`, `${aside}${log}`);
    }
  }
  if (secretKey !== null && fs.existsSync(keyFile)) {
    const aside = `${keyFile}.before-restore-${stamp}`;
    fs.renameSync(keyFile, aside);
    setAside.push(aside);
  }
  // A log left beside a database that is gone must never be read as the new database's.
  removeQuietly(`${databaseFile}-wal`, `${databaseFile}-shm`, `${databaseFile}-journal`);
  if (secretKey !== null) fs.renameSync(newKey, keyFile);
  fs.renameSync(newDatabase, databaseFile);
  return { ok: true, setAside };
}
