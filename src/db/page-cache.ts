import { connectionOf, type Connection, type Db } from './client.ts';

/**
 * The page cache a bulk job works with, in KiB (SQLite's own default size). better-sqlite3 builds
 * SQLite with a 16 MB cache per connection, which a job writing thousands of rows fills with
 * pages nobody reads again: a hundred thousand weekly reports filled it within a second, and those
 * 16 MB stayed in the process for the rest of the run.
 */
export const bulkJobCacheKiB = 2000;

const held = new WeakMap<Connection, { depth: number; size: number }>();

/**
 * Runs `work` with the connection's page cache held to `bulkJobCacheKiB` (pages beyond it are
 * let go at once), then gives the cache its size back. For jobs that write far more than they read
 * again; requests served meanwhile read the pages they miss from the operating system's cache.
 * Nested or overlapping calls share one hold: the size comes back when the last one ends.
 */
export async function withBulkJobCache<T>(db: Db, work: () => Promise<T>): Promise<T> {
  const connection = connectionOf(db);
  let hold = held.get(connection);
  if (!hold) {
    hold = { depth: 0, size: connection.sqlite.pragma('cache_size', { simple: true }) as number };
    held.set(connection, hold);
    connection.sqlite.pragma(`cache_size = ${-bulkJobCacheKiB}`);
  }
  hold.depth++;
  try {
    return await work();
  } finally {
    hold.depth--;
    if (hold.depth === 0) {
      held.delete(connection);
      if (connection.sqlite.open) connection.sqlite.pragma(`cache_size = ${Math.trunc(hold.size)}`);
    }
  }
}
