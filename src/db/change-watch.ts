import type Database from 'better-sqlite3';
import { sqliteOf, type Db } from './client.ts';
import { transactionInProgress } from './transaction.ts';

/**
 * A reading that moves whenever anything is written: a row changed on this connection
 * (`total_changes()`) or, unless this process holds the file's lock alone, a commit by another
 * connection (`data_version`). Equal readings mean nothing was written in between, so an answer
 * read from the database between them still holds. null while a transaction is open: what is
 * read then may be rolled back, or change before the transaction's writes are counted.
 */
export interface ChangeReading {
  /** Rows written on this connection. */
  changes: number;
  /** Commits by other connections (0 while this process holds the file alone). */
  commitsElsewhere: number;
}

/** Whether nothing was written between two readings. */
export function sameReading(a: ChangeReading, b: ChangeReading): boolean {
  return a.changes === b.changes && a.commitsElsewhere === b.commitsElsewhere;
}

export function createChangeWatch(db: Db): () => ChangeReading | null {
  let reading: Database.Statement<[], [number, number]> | null = null;
  const prepare = () => {
    const sqlite = sqliteOf(db);
    const alone = String(sqlite.pragma('locking_mode', { simple: true })).toLowerCase() === 'exclusive';
    // The pragma's table costs three times the plain count (1.3 against 0.4 µs): asked only when another process can write.
    return sqlite.prepare<[], [number, number]>(alone ? 'SELECT total_changes(), 0' : 'SELECT total_changes(), data_version FROM pragma_data_version').raw();
  };
  return () => {
    if (transactionInProgress(db) !== null) return null;
    reading ??= prepare();
    const [changes, commitsElsewhere] = reading.get() ?? [0, 0];
    // Kept apart: both only grow, but a sum of the two could round away a change once large.
    return { changes, commitsElsewhere };
  };
}

/**
 * Answers read from the database, each kept until anything is written: asked again with nothing
 * written in between, the kept answer is given without a query. The reading is taken before the
 * query, so a write that lands while it runs makes its answer not kept. Only answers `keep` accepts
 * are kept (by default, found ones: unknown keys, which anyone can send, never fill it). Callers
 * must not change a kept answer.
 */
export function createHeldAnswers<K, V>(db: Db, options: { keep?: (answer: V) => boolean; atMost?: number } = {}) {
  const watchChanges = createChangeWatch(db);
  const keep = options.keep ?? ((answer: V) => answer !== undefined && answer !== null);
  const atMost = options.atMost ?? 10_000;
  const held = new Map<K, { answer: V; changes: ChangeReading }>();
  return {
    async get(key: K, read: () => Promise<V>): Promise<V> {
      const changes = watchChanges();
      const kept = changes === null ? undefined : held.get(key);
      if (kept && changes !== null && sameReading(kept.changes, changes)) return kept.answer;
      const answer = await read();
      if (changes !== null && keep(answer)) {
        if (held.size >= atMost) held.clear();
        held.set(key, { answer, changes });
      }
      return answer;
    },
    forget(key: K): void {
      held.delete(key);
    },
  };
}
