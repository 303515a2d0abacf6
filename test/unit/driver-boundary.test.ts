import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * DESIGN.md rule 10: only db/ touches the SQLite driver, so a PostgreSQL driver can be put in
 * there without touching pages. Rate-limiter stores come from db/ too. Outside db/, queries are
 * awaited the way both dialects answer them, and transactions go through `inTransaction()`.
 */

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Every file outside db/, with its code. */
const outsideDb = () =>
  sourceFiles(src)
    .map((file) => path.relative(src, file).split(path.sep).join('/'))
    .filter((file) => !file.startsWith('db/'))
    .map((file) => ({ file, code: fs.readFileSync(path.join(src, file), 'utf8') }));

const offending = (patterns: RegExp[]) =>
  outsideDb().flatMap(({ file, code }) => patterns.filter((pattern) => pattern.test(code)).map((pattern) => `${file}: ${pattern.source}`));

const driverUses = [/['"]better-sqlite3['"]/, /drizzle-orm\/better-sqlite3/, /\$client\b/, /RateLimiterSQLite/];

/**
 * SQLite's synchronous ways of running a query (better-sqlite3 answers at once; PostgreSQL cannot)
 * and its synchronous transactions: a query ending in `.get()`, `.run()`, `.all()` or `.values()`,
 * a prepared query run with them, or `.transaction(` called directly. (A Map's `.get(key)` and
 * `.values()`, and an insert's `.values({ … })`, are not queries run.)
 */
const synchronousQueries = [/\.(get|run|all)\((\s*\)|\{)/, /\)\s*\.values\(\s*\)/, /\.transaction\(/];

describe('the SQLite driver', () => {
  it('is used only in db/', () => {
    expect(offending(driverUses)).toEqual([]);
  });

  it('is never asked for a synchronous answer or a synchronous transaction outside db/', () => {
    expect(offending(synchronousQueries)).toEqual([]);
  });

  it('is noticed when it is (the patterns catch what they are meant to)', () => {
    const samples = [
      'db.select().from(users).get()',
      'tx.insert(x).values(v).run()',
      'query.all({ userId })',
      'db.select().from(users).values()',
      'db.transaction((tx) => {',
      'tx\n  .select()\n  .from(users)\n  .all()',
    ];
    expect(samples.filter((sample) => synchronousQueries.some((pattern) => pattern.test(sample)))).toEqual(samples);
  });
});
