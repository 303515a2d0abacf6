import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md rule 10: only db/ touches the SQLite driver, so a PostgreSQL driver can be put in
 * there without touching pages. Rate-limiter stores come from db/ too.
 */

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const driverUses = [/['"]better-sqlite3['"]/, /drizzle-orm\/better-sqlite3/, /\$client\b/, /RateLimiterSQLite/];

describe('the SQLite driver', () => {
  it('is used only in db/', () => {
    const offending = sourceFiles(src)
      .map((file) => path.relative(src, file).split(path.sep).join('/'))
      .filter((file) => !file.startsWith('db/'))
      .flatMap((file) => {
        const code = fs.readFileSync(path.join(src, file), 'utf8');
        return driverUses.filter((pattern) => pattern.test(code)).map((pattern) => `${file}: ${pattern.source}`);
      });
    expect(offending).toEqual([]);
  });
});
