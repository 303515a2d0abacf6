import fs from 'node:fs';
import path from 'node:path';

/** A backup's private work folder (db/backup.ts), and the partial file beside the target that earlier versions wrote. */
const backupLeftovers = [/^\..+\.partial-(\d+)-[A-Za-z0-9]{6}$/, /^\..+\.(\d+)-[0-9a-f]{8}\.partial(?:-journal|-wal|-shm)?$/];
/** The files a restore writes beside dials.db and secret.key before renaming them (db/restore.ts); earlier versions named no process. */
const restoreLeftovers = [/^\.(?:dials\.db|secret\.key)\.restoring-(\d+)-[0-9a-f]{8}(?:-journal)?$/, /^\.(?:dials\.db|secret\.key)\.restoring-[0-9a-f]{8}(?:-journal)?$/];

/** Whether the process that made a file may still be writing it. */
function stillRunning(pid: string | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(Number(pid), 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sweep(dir: string, patterns: RegExp[]): string[] {
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    const match = patterns.map((pattern) => pattern.exec(name)).find((found) => found !== null);
    if (!match || stillRunning(match[1])) continue;
    fs.rmSync(path.join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Removes what an interrupted backup left in the backup folder and an interrupted restore left in
 * the data folder, unless the process that made it still runs. Answers the names removed.
 */
export function sweepLeftovers(backupDir: string, dataDir: string): string[] {
  const removed: string[] = [];
  for (const [dir, patterns] of [[backupDir, backupLeftovers], [dataDir, restoreLeftovers]] as const) {
    try {
      removed.push(...sweep(dir, patterns));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return removed;
}
