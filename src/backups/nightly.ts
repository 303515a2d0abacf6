import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import { takeBackup, type BackupResult, type BackupWriter } from './take-backup.ts';

export interface BackupLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** A time as it appears in backup file names: sortable, and valid on every file system. */
export const fileTime = (when: Date) => when.toISOString().replace(/[:.]/g, '-');

const scheduledName = /^nightly-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.dials-backup$/;

/**
 * The file names of the scheduled backups in `dir`, oldest first by modification time (a name says
 * what the clock said, which may have been wrong). Other files there are never counted or removed.
 */
export function scheduledBackups(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => scheduledName.test(name))
    .map((name) => ({ name, modified: fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => a.modified - b.modified || a.name.localeCompare(b.name))
    .map(({ name }) => name);
}

/**
 * One scheduled backup: `nightly-<time>.dials-backup` in the backup folder, then the oldest
 * scheduled backups beyond `keep` removed. A failure is logged as an error; it never throws.
 */
export async function runScheduledBackup(options: {
  dir: string;
  keep: number;
  dataDir: string;
  write: BackupWriter;
  now: Date;
  log: BackupLog;
}): Promise<BackupResult> {
  const { dir, keep, log } = options;
  let result: BackupResult;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    result = await takeBackup(path.join(dir, `nightly-${fileTime(options.now)}.dials-backup`), options.dataDir, options.write, options.now);
  } catch (error) {
    result = { ok: false, message: (error as Error).message };
  }
  if (!result.ok) {
    log.error({ dir }, `scheduled backup failed: ${result.message}`);
    return result;
  }
  log.info({ file: result.file, bytes: result.bytes }, 'scheduled backup taken');
  try {
    // The backup just written is always one of those kept.
    const earlier = scheduledBackups(dir).filter((name) => name !== path.basename(result.file));
    for (const name of earlier.slice(0, Math.max(0, earlier.length - (keep - 1)))) fs.rmSync(path.join(dir, name), { force: true });
  } catch (error) {
    log.error({ dir }, `removing old scheduled backups failed: ${(error as Error).message}`);
  }
  return result;
}

/** What is wrong with a cron expression, in node-cron's words, or null. node-cron loads only when asked. */
export async function scheduleProblem(expression: string): Promise<string | null> {
  const cron = await import('node-cron');
  const validation = cron.validateDetailed(expression);
  return validation.valid ? null : validation.errors.map((error) => `${error.field}: ${error.message}`).join('; ') || 'not a cron expression';
}

/**
 * Runs the scheduled backup at BACKUP_SCHEDULE, one at a time. node-cron is imported only here,
 * so an instance without scheduled backups never loads it. Returns a function that stops it.
 */
export async function scheduleBackups(config: Config, dataDir: string, write: BackupWriter, log: BackupLog & { warn(details: object, message: string): void }): Promise<() => Promise<void>> {
  const schedule = config.backups.schedule;
  if (!schedule) return async () => {};
  const cron = await import('node-cron');
  let running: Promise<unknown> | null = null;
  const task = cron.schedule(
    schedule,
    async () => {
      if (running) return;
      running = runScheduledBackup({ dir: config.backups.dir, keep: config.backups.keep, dataDir, write, now: new Date(), log });
      try {
        await running;
      } finally {
        running = null;
      }
    },
    {
      name: 'scheduled-backup',
      logger: {
        info: (message) => log.info({}, `backup schedule: ${message}`),
        warn: (message) => log.warn({}, `backup schedule: ${message}`),
        error: (message, error) => log.error({ err: error }, `backup schedule: ${String(message)}`),
        debug: () => {},
      },
    },
  );
  log.info({ schedule, dir: config.backups.dir, keep: config.backups.keep }, 'scheduled backups on');
  // Stopping lets a backup being written finish, before the database closes.
  return async () => {
    await task.destroy();
    await running;
  };
}
