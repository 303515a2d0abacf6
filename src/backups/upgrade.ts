import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { writeBackup } from '../db/backup.ts';
import type { Db } from '../db/client.ts';
import { applyMigrations, hasAppliedMigrations, MigrationFailedError, pendingMigrations, type MigrationOptions } from '../db/migrate.ts';
import { dialsVersion } from '../version.ts';
import { fileTime } from './nightly.ts';
import { removeSupersededUpgradeBackups } from './superseded-upgrade-backups.ts';
import { takeBackup } from './take-backup.ts';

export interface Messages {
  out(text: string): void;
  err(text: string): void;
}

/**
 * Brings the database up to this version of Dials, at every start (serve, migrate and the other
 * commands). A database that already holds an instance's data and lacks migrations is backed up
 * first, to `<BACKUP_DIR>/before-<version>-<time>.dials-backup` (an earlier one of the same version and
 * the same last migration, from a start whose update failed, is then removed); then every pending migration is
 * applied in one transaction. If the backup or a migration fails, the database is as it was, and
 * the message says which migration failed, where the backup is, and how to go back.
 * Answers whether Dials may go on.
 */
export async function upgradeDatabase(db: Db, config: Config, messages: Messages, options: MigrationOptions & { now?: Date } = {}): Promise<boolean> {
  const pending = pendingMigrations(db, options);
  if (pending === 0) return true;
  let backup: string | null = null;
  if (hasAppliedMigrations(db)) {
    const version = dialsVersion();
    const now = options.now ?? new Date();
    try {
      fs.mkdirSync(config.backups.dir, { recursive: true, mode: 0o700 });
    } catch {
      // takeBackup names the problem with the folder.
    }
    const target = path.join(config.backups.dir, `before-${version}-${fileTime(now)}.dials-backup`);
    const taken = await takeBackup(target, config.dataDir, (file, details) => writeBackup(db, file, details), now);
    if (!taken.ok) {
      messages.err(
        `Dials ${version} has ${pending} database update(s) to apply to ${config.databaseFile}, and takes a backup first, which failed:\n` +
          `${taken.message}\nNo update was applied: the database is unchanged. Make room or fix the folder (BACKUP_DIR, now ${config.backups.dir}), then start again.\n`,
      );
      return false;
    }
    backup = taken.file;
    messages.out(`Backup taken before the database update: ${backup}\n`);
    try {
      const removed = removeSupersededUpgradeBackups(backup, version);
      if (removed.length > 0) messages.out(`Removed the earlier backup(s) of the same database state: ${removed.join(', ')}\n`);
    } catch (error) {
      messages.err(`Earlier backups in ${config.backups.dir} could not be looked at: ${(error as Error).message}\n`);
    }
  }
  try {
    const applied = applyMigrations(db, options);
    if (backup && applied.length > 0) messages.out(`Database updated (${applied.join(', ')}).\n`);
    return true;
  } catch (error) {
    if (!(error instanceof MigrationFailedError)) throw error;
    const cause = error.cause instanceof Error ? error.cause.message : String(error.cause);
    messages.err(
      `Dials ${dialsVersion()} could not update the database: migration ${error.migration} failed: ${cause}\n` +
        `Nothing was changed: the pending updates run in one transaction, which was rolled back, so ${config.databaseFile} is as it was before this start.\n` +
        (backup
          ? `A backup taken just before is at ${backup}.\n` +
            'To go back, run the previous version of Dials on this data folder: it works with the database as it is. ' +
            `To put the database back exactly as in that backup instead, stop Dials and run "dials restore ${backup} --force".\n`
          : ''),
    );
    return false;
  }
}
