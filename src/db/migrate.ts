import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type Database from 'better-sqlite3';
import { sqliteOf, type Db } from './client.ts';

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

/**
 * Applies the committed migrations. Foreign keys are switched off while they run, because
 * a table rebuild under foreign_keys=ON cascades deletes into every referencing table;
 * they are checked before being switched back on.
 */
export function applyMigrations(db: Db): void {
  const sqlite = sqliteOf(db);
  sqlite.pragma('foreign_keys = OFF');
  try {
    migrate(db as unknown as Parameters<typeof migrate>[0], { migrationsFolder });
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
  journal ??= (JSON.parse(fs.readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: Array<{ when: number }> }).entries.map(
    (entry) => entry.when,
  );
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
