import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
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
