import fs from 'node:fs';
import Database from 'better-sqlite3';
import { pendingMigrationsOf } from './migrate.ts';

export type DatabaseCheck =
  | { state: 'missing' }
  | { state: 'busy' }
  | { state: 'unreadable'; message: string }
  | { state: 'checked'; integrity: string[]; foreignKeyViolations: number; pendingMigrations: number };

/** Whether an error says that another process holds the database file's lock. */
export function isDatabaseBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY_'));
}

/**
 * Checks a database file without creating or changing it: SQLite's `integrity_check` and
 * `foreign_key_check`, and the migrations it lacks. A file locked by a serving Dials is `busy`.
 */
export function checkDatabaseFile(file: string): DatabaseCheck {
  if (!fs.existsSync(file)) return { state: 'missing' };
  let sqlite: Database.Database | undefined;
  try {
    sqlite = new Database(file, { fileMustExist: true, timeout: 500 });
    const integrity = (sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>).map((row) => row.integrity_check);
    const foreignKeyViolations = (sqlite.pragma('foreign_key_check') as unknown[]).length;
    return { state: 'checked', integrity, foreignKeyViolations, pendingMigrations: pendingMigrationsOf(sqlite) };
  } catch (error) {
    if (isDatabaseBusy(error)) return { state: 'busy' };
    return { state: 'unreadable', message: error instanceof Error ? error.message : String(error) };
  } finally {
    sqlite?.close();
  }
}
