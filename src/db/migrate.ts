import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type { MigrationMeta } from 'drizzle-orm/migrator';
import type { SQLiteSyncDialect } from 'drizzle-orm/sqlite-core';
import { projectPath, readProjectText } from '../runtime/project-files.ts';
import { sqliteOf, type Db } from './client.ts';

interface Journal {
  entries: Array<{ tag: string; when: number; breakpoints: boolean }>;
}

/**
 * The committed migrations, read as drizzle's own migrator reads its folder (the same statements,
 * hashes and times), but through project-files.ts, so that the binary reads its embedded copies.
 */
function committedMigrationFiles(): MigrationMeta[] {
  return readJournal().entries.map((entry) => {
    const query = readProjectText(`migrations/${entry.tag}.sql`);
    return {
      sql: query.split('--> statement-breakpoint'),
      bps: entry.breakpoints,
      folderMillis: entry.when,
      hash: crypto.createHash('sha256').update(query).digest('hex'),
    };
  });
}

function readJournal(): Journal {
  return JSON.parse(readProjectText('migrations/meta/_journal.json')) as Journal;
}

/** What drizzle's better-sqlite3 migrator runs the migrations with. */
interface MigratingDatabase {
  dialect: SQLiteSyncDialect;
  session: Parameters<SQLiteSyncDialect['migrate']>[1];
}

/**
 * Applies the committed migrations. Foreign keys are switched off while they run, because
 * a table rebuild under foreign_keys=ON cascades deletes into every referencing table;
 * they are checked before being switched back on.
 */
export function applyMigrations(db: Db): void {
  const sqlite = sqliteOf(db);
  sqlite.pragma('foreign_keys = OFF');
  try {
    const { dialect, session } = db as unknown as MigratingDatabase;
    dialect.migrate(committedMigrationFiles(), session, { migrationsFolder: projectPath('migrations') });
    const violations = sqlite.pragma('foreign_key_check') as unknown[];
    if (violations.length > 0) {
      throw new Error(`Migrations left ${violations.length} foreign-key violation(s): ${JSON.stringify(violations.slice(0, 5))}`);
    }
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
}

let journal: number[] | undefined;

/** The `when` of every committed migration, read once. */
function committedMigrations(): number[] {
  journal ??= readJournal().entries.map((entry) => entry.when);
  return journal;
}

/** How many committed migrations this database has not had yet (all of them for an empty file). */
export function pendingMigrations(db: Db): number {
  return pendingMigrationsOf(sqliteOf(db));
}

/** The same, on a driver connection of db/. */
export function pendingMigrationsOf(sqlite: Database.Database): number {
  const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  if (!table) return committedMigrations().length;
  const last = (sqlite.prepare('select max(created_at) as at from __drizzle_migrations').get() as { at: number | null }).at ?? 0;
  return committedMigrations().filter((when) => when > last).length;
}

/** Whether the database answers a query at all. */
export function databaseAnswers(db: Db): boolean {
  try {
    const sqlite = sqliteOf(db);
    return sqlite.open && sqlite.prepare('select 1 as one').get() !== undefined;
  } catch {
    return false;
  }
}
