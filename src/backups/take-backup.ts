import fs from 'node:fs';
import path from 'node:path';
import type { BackupDetails } from '../db/backup.ts';
import { dialsVersion } from '../version.ts';

export type BackupResult = { ok: true; file: string; bytes: number } | { ok: false; message: string };

/** Writes a backup to a target with the given details and answers its size (db/backup.ts, from an open database or from the file). */
export type BackupWriter = (target: string, details: BackupDetails) => Promise<number>;

const existsMessage = (target: string) => `${target} exists already; choose another name, or remove it first. Nothing was written.`;

/** Whether two paths are the same folder, symbolic links resolved. */
function sameFolder(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/** What is wrong with a backup's target before anything is written, or null. */
export function targetProblem(target: string, dataDir: string): string | null {
  const folder = path.dirname(target);
  const folderStat = fs.statSync(folder, { throwIfNoEntry: false });
  if (!folderStat) return `The folder ${folder} does not exist. Nothing was written.`;
  if (!folderStat.isDirectory()) return `${folder} is not a folder. Nothing was written.`;
  // SQLite owns names there (dials.db-wal, dials.db-journal) and would remove a backup written under one of them.
  if (sameFolder(folder, dataDir)) return `${folder} is the data folder; write backups to another folder, such as ${path.join(dataDir, 'backups')}. Nothing was written.`;
  const targetStat = fs.statSync(target, { throwIfNoEntry: false });
  if (targetStat?.isDirectory()) return `${target} is a folder; give the backup a file name inside it, e.g. ${path.join(target, 'dials.dials-backup')}. Nothing was written.`;
  if (targetStat) return existsMessage(target);
  return null;
}

/** A failure to write, in the operator's words. */
function writeProblem(target: string, error: unknown): string {
  const folder = path.dirname(target);
  const code = (error as { code?: string }).code ?? '';
  if (['EACCES', 'EPERM', 'EROFS', 'SQLITE_CANTOPEN', 'SQLITE_READONLY'].includes(code)) return `Cannot write into ${folder}: permission denied. Nothing was written.`;
  if (['ENOSPC', 'EDQUOT', 'SQLITE_FULL'].includes(code)) return `Not enough space in ${folder} for the backup. Nothing was left behind.`;
  if (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_LOCKED') {
    return 'The database is locked by another process: a Dials serving it answers "dials backup" itself over its control socket, and this one did not (its log says why at start). Nothing was written.';
  }
  if (code === 'ENOENT') return `The folder ${folder} does not exist. Nothing was written.`;
  if (code === 'EEXIST') return existsMessage(target);
  return `The backup could not be written to ${target}: ${(error as Error).message}. Nothing was left behind.`;
}

/** The content of the instance's secret.key, or null when it has none yet. Never logged. */
export function readSecretKey(dataDir: string): string | null {
  try {
    return fs.readFileSync(path.join(dataDir, 'secret.key'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Takes a backup of the instance in `dataDir` to `target` (absolute), or says clearly why not. */
export async function takeBackup(target: string, dataDir: string, write: BackupWriter, now: Date = new Date()): Promise<BackupResult> {
  const problem = targetProblem(target, dataDir);
  if (problem) return { ok: false, message: problem };
  try {
    const bytes = await write(target, { dialsVersion: dialsVersion(), takenAt: now, secretKey: readSecretKey(dataDir) });
    return { ok: true, file: target, bytes };
  } catch (error) {
    return { ok: false, message: writeProblem(target, error) };
  }
}

/** What `dials backup` prints once the backup is written. */
export const backupWritten = (file: string, bytes: number) =>
  `Backup written to ${file} (${Math.max(1, Math.round(bytes / 1024))} KiB): the database and secret.key. Keep it as safe as secret.key itself.`;
