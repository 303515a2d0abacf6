import { sqliteOf, type Db } from './client.ts';

/** Pages the write-ahead log may hold before a write checkpoints it itself; only reached when the timer cannot run. */
const backstopPages = 10_000;

/**
 * Moves the write-ahead log into the database file on a timer, between requests, instead of
 * inside whichever write happens to fill the log past SQLite's default 1000 pages (that write
 * then waits for the copy and two fsyncs, 5 to 30 ms here). A checkpoint with nothing to copy
 * costs microseconds. PASSIVE never waits for a lock; if a transaction happens to be open, the
 * next tick tries again. SQLite's own checkpoint stays as a backstop at `backstopPages`.
 * Returns a function that stops the timer.
 */
export function scheduleWalCheckpoints(db: Db, options: { everyMs?: number } = {}): () => void {
  const sqlite = sqliteOf(db);
  sqlite.pragma(`wal_autocheckpoint = ${backstopPages}`);
  const checkpoint = sqlite.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  const timer = setInterval(() => {
    try {
      if (sqlite.open && !sqlite.inTransaction) checkpoint.get();
    } catch {
      // Busy or locked: the next tick tries again, and the backstop bounds the log meanwhile.
    }
  }, options.everyMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}
