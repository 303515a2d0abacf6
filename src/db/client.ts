import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';

/**
 * The database as every service sees it. It carries no schema index: queries name their tables,
 * imported from the part of Dials that owns them, so db/ depends on no page (DESIGN.md rule 2).
 */
export type Db = BetterSQLite3Database & { $client: Database.Database };

/**
 * Opens (creating if needed) the SQLite file with the pragmas Dials relies on.
 *
 * With `exclusive`, this process holds the file's lock for as long as it runs: every query then
 * skips two lock system calls, which made a primary-key read six times faster here. Other
 * processes cannot open the file meanwhile (stop Dials, or use its own commands, to inspect it).
 */
export function openDatabase(file: string, options: { exclusive?: boolean } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  // Must come before WAL mode is entered, so that the WAL index lives in this process's memory.
  if (options.exclusive ?? true) sqlite.pragma('locking_mode = EXCLUSIVE');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return drizzle({ client: sqlite });
}

/** Closes the database file (at shutdown, or at the end of a command). */
export function closeDatabase(db: Db): void {
  db.$client.close();
}
