import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { projectPath, readProjectText } from '../runtime/project-files.ts';
import { sqliteOf, type Db } from './client.ts';

/** The committed migrations; tests give a folder of their own. */
export const committedMigrationsFolder = projectPath('migrations');

/** A file of a migrations folder: the committed one through project-files.ts (the binary reads its embedded copies). */
function readMigrationsFile(folder: string, relative: string): string {
  if (folder === committedMigrationsFolder) return readProjectText(`migrations/${relative}`);
  return fs.readFileSync(path.join(folder, relative), 'utf8');
}

export interface MigrationOptions {
  migrationsFolder?: string;
}

/** One migration of a drizzle-kit folder: its name, its statements, and the `when` that orders it. */
interface Migration {
  tag: string;
  when: number;
  statements: string[];
  hash: string;
}

/** A migration's statement failed (or the migrations broke a foreign key): nothing was applied. */
export class MigrationFailedError extends Error {
  readonly migration: string;
  constructor(migration: string, cause: unknown) {
    super(`migration ${migration} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'MigrationFailedError';
    this.migration = migration;
  }
}

const journals = new Map<string, Array<{ tag: string; when: number }>>();

/** The migrations' journal (meta/_journal.json) of a folder, read once. */
function journalOf(folder: string): Array<{ tag: string; when: number }> {
  let journal = journals.get(folder);
  if (!journal) {
    journal = (JSON.parse(readMigrationsFile(folder, 'meta/_journal.json')) as { entries: Array<{ tag: string; when: number }> }).entries;
    journals.set(folder, journal);
  }
  return journal;
}

function readMigration(folder: string, entry: { tag: string; when: number }): Migration {
  const text = readMigrationsFile(folder, `${entry.tag}.sql`);
  // The same hash and statement split as drizzle's migrator, so databases migrated by either agree.
  return { tag: entry.tag, when: entry.when, statements: text.split('--> statement-breakpoint'), hash: crypto.createHash('sha256').update(text).digest('hex') };
}

/** The `created_at` of the last migration applied to this database, or null when it has none. */
function lastApplied(sqlite: Database.Database): number | null {
  const table = sqlite.prepare("select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'").get();
  if (!table) return null;
  const last = (sqlite.prepare('select max(created_at) as at from __drizzle_migrations').get() as { at: number | null }).at;
  return last === null ? null : Number(last);
}

/**
 * Applies the pending migrations, all of them in one transaction: when one fails, or they leave a
 * foreign-key violation, everything is rolled back and the database is as it was
 * (MigrationFailedError names the migration). Foreign keys are switched off while they run,
 * because a table rebuild under foreign_keys=ON cascades deletes into every referencing table;
 * they are checked before the commit, and switched back on after it.
 * Returns the names of the migrations applied.
 */
export function applyMigrations(db: Db, options: MigrationOptions = {}): string[] {
  const folder = options.migrationsFolder ?? committedMigrationsFolder;
  const sqlite = sqliteOf(db);
  sqlite.pragma('foreign_keys = OFF');
  try {
    sqlite.prepare('BEGIN IMMEDIATE').run();
    let current = '(the migrations table)';
    let migrations: Migration[] = [];
    try {
      // Read under the write lock: another process may have applied them since this one looked.
      const last = lastApplied(sqlite);
      migrations = journalOf(folder)
        .filter((entry) => last === null || entry.when > last)
        .map((entry) => readMigration(folder, entry));
      if (migrations.length === 0) {
        sqlite.prepare('ROLLBACK').run();
        return [];
      }
      sqlite.prepare('CREATE TABLE IF NOT EXISTS "__drizzle_migrations" (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at numeric)').run();
      const record = sqlite.prepare('INSERT INTO "__drizzle_migrations" ("hash", "created_at") VALUES (?, ?)');
      for (const migration of migrations) {
        current = migration.tag;
        for (const statement of migration.statements) if (statement.trim()) sqlite.prepare(statement).run();
        record.run(migration.hash, migration.when);
      }
      current = migrations.at(-1)?.tag ?? current;
      const violations = sqlite.pragma('foreign_key_check') as unknown[];
      if (violations.length > 0) throw new Error(`${violations.length} foreign-key violation(s): ${JSON.stringify(violations.slice(0, 5))}`);
      sqlite.prepare('COMMIT').run();
    } catch (error) {
      if (sqlite.inTransaction) sqlite.prepare('ROLLBACK').run();
      throw new MigrationFailedError(current, error);
    }
    return migrations.map((migration) => migration.tag);
  } finally {
    sqlite.pragma('foreign_keys = ON');
  }
}

/** How many committed migrations this database has not had yet (all of them for an empty file). */
export function pendingMigrations(db: Db, options: MigrationOptions = {}): number {
  return pendingMigrationsOf(sqliteOf(db), options);
}

/** The same, on a driver connection of db/. */
export function pendingMigrationsOf(sqlite: Database.Database, options: MigrationOptions = {}): number {
  const last = lastApplied(sqlite);
  return journalOf(options.migrationsFolder ?? committedMigrationsFolder).filter((entry) => last === null || entry.when > last).length;
}

/** Whether the database has had migrations before (so it holds an instance's data), or is brand-new. */
export function hasAppliedMigrations(db: Db): boolean {
  return lastApplied(sqliteOf(db)) !== null;
}

/** The names of the migrations applied to a database, oldest first, as far as `folder` knows them. */
export function appliedMigrationsOf(sqlite: Database.Database, options: MigrationOptions = {}): { applied: string[]; lastAppliedAt: number | null } {
  const last = lastApplied(sqlite);
  const applied = last === null ? [] : journalOf(options.migrationsFolder ?? committedMigrationsFolder).filter((entry) => entry.when <= last).map((entry) => entry.tag);
  return { applied, lastAppliedAt: last };
}

/** The `when` of the newest migration this version of Dials has. */
export function latestMigrationAt(options: MigrationOptions = {}): number | null {
  return journalOf(options.migrationsFolder ?? committedMigrationsFolder).at(-1)?.when ?? null;
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
