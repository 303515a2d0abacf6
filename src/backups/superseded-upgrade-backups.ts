import fs from 'node:fs';
import path from 'node:path';
import { readBackup } from '../db/backup.ts';

/** What follows `before-<version>-` in the name of a backup taken before an update. */
const timeAndExtension = /^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z\.dials-backup$/;

/**
 * Removes the earlier `before-<version>-<time>` backups that the one just written supersedes: those of
 * the same Dials version whose database is at the same last migration (taken at an earlier start whose
 * update failed, e.g. under a restart policy). Backups before other versions or migrations stay.
 * Answers the names removed.
 */
export function removeSupersededUpgradeBackups(latest: string, version: string): string[] {
  const reading = readBackup(latest);
  if (!reading.ok) return [];
  const dir = path.dirname(latest);
  const prefix = `before-${version}-`;
  const sameVersion = (name: string) => name.startsWith(prefix) && timeAndExtension.test(name.slice(prefix.length));
  const removed: string[] = [];
  for (const name of fs.readdirSync(dir)) {
    if (!sameVersion(name) || name === path.basename(latest)) continue;
    const earlier = readBackup(path.join(dir, name));
    if (earlier.ok && earlier.info.lastMigration === reading.info.lastMigration) {
      fs.rmSync(path.join(dir, name), { force: true });
      removed.push(name);
    }
  }
  return removed;
}
