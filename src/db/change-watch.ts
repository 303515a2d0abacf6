import type Database from 'better-sqlite3';
import { getTableName } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { connectionOf, sqliteOf, type Db } from './client.ts';
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

/** Whether this process holds the database file alone (exclusive locking): then only Dials writes it. */
export function holdsFileAlone(db: Db): boolean {
  return String(sqliteOf(db).pragma('locking_mode', { simple: true })).toLowerCase() === 'exclusive';
}

export function createChangeWatch(db: Db): () => ChangeReading | null {
  let reading: Database.Statement<[], [number, number]> | null = null;
  const prepare = () => {
    const sqlite = sqliteOf(db);
    const alone = holdsFileAlone(db);
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
 * A run of readings over which a set of kept answers still holds. It ends when the reading moves,
 * unless the move was a write explained to it (`writeOnly`) to a table its answers do not read, or
 * to a row its answers follow (then its kept answers are changed to match and move to a new epoch).
 */
interface Epoch {
  number: number;
  reading: ChangeReading | null;
  /** The tables its answers read; null for "any" (every write ends the epoch). */
  reads: ReadonlySet<string> | null;
  /** Changes its kept answers as an explained write to one of the tables they read changed its row; false when it cannot. */
  follow: ((table: string, row: RowWritten) => boolean) | null;
}

/**
 * What an explained write to one row did: the row with this id now holds these values, by the
 * names its table's columns have in the schema (`name`, `isAdmin`). Built from the same values as
 * the statement, so the two cannot differ.
 */
export interface RowWritten {
  id: number;
  values: Readonly<Record<string, unknown>>;
}

const epochsByConnection = new WeakMap<object, Set<Epoch>>();
const watches = new WeakMap<Db, () => ChangeReading | null>();

function epochAt(epoch: Epoch, reading: ChangeReading): number {
  if (epoch.reading === null || !sameReading(epoch.reading, reading)) {
    epoch.number++;
    epoch.reading = reading;
  }
  return epoch.number;
}

/**
 * Runs `write`: one statement that changes exactly `rows` rows of `table` and nothing else (no
 * trigger, no cascade). When the rows it changed are all that moved the reading, answers kept
 * that do not read `table` stay kept: a saved preference does not send the next request to the
 * database for its session. Otherwise (a transaction open, the statement made to wait, any other
 * change counted) it is an ordinary write, after which nothing kept is given again. `write` must
 * start its statement when called (a prepared statement's `execute`, not a query builder, which
 * runs only once awaited). `written` is called when the write was explained, at once, before
 * anything else runs: what it learns of the row is what the row now holds. With `row` (one row
 * written, its id and new values), answers that read `table` and follow its writes
 * (`createHeldAnswers`' `follow`) are changed to match and stay kept too.
 */
export function writeOnly<T>(db: Db, table: SQLiteTable, rows: number, write: () => Promise<T>, written?: () => void, row?: RowWritten): Promise<T> {
  let watch = watches.get(db);
  if (watch === undefined) {
    watch = createChangeWatch(db);
    watches.set(db, watch);
  }
  const before = watch();
  // The statement runs synchronously inside, unless its gate makes it wait (then nothing moved yet).
  const pending = write();
  const after = watch();
  if (before === null || after === null || after.changes - before.changes !== rows || after.commitsElsewhere !== before.commitsElsewhere) return pending;
  const name = getTableName(table);
  for (const epoch of epochsByConnection.get(connectionOf(db)) ?? []) {
    if (epoch.reading === null || !sameReading(epoch.reading, before)) continue;
    const unread = epoch.reads !== null && !epoch.reads.has(name);
    if (unread || (rows === 1 && row !== undefined && Object.keys(row.values).length > 0 && epoch.follow !== null && epoch.follow(name, row))) epoch.reading = after;
  }
  // Still in the same turn as the statement: nothing else can have run in between.
  written?.();
  return pending;
}

export interface HeldAnswersOptions<K, V> {
  /** Whether an answer is kept; by default, found ones (unknown keys, which anyone can send, never fill it). */
  keep?: (answer: V) => boolean;
  atMost?: number;
  /** Every table the answers are read from. */
  reads?: readonly SQLiteTable[];
  /**
   * For tables among `reads` whose one-row writes the answers can follow, when the write changed only
   * `columns` (as `RowWritten` names them): the answer as it is after `row` was written (a new object;
   * the kept one is never changed).
   */
  follows?: ReadonlyArray<{ table: SQLiteTable; columns: readonly string[]; follow: (answer: V, key: K, row: RowWritten) => V }>;
}

/**
 * Answers read from the database, each kept until anything is written: asked again with nothing
 * written in between, the kept answer is given without a query. The reading is taken before the
 * query, so a write that lands while it runs makes its answer not kept. Only answers `keep` accepts
 * are kept (by default, found ones: unknown keys, which anyone can send, never fill it). Callers
 * must not change a kept answer. `reads`, every table the answers are read from, lets them outlive
 * a write explained with `writeOnly` to another table (or, with `follows`, to a row of one of
 * them); without it, any write ends them.
 */
export function createHeldAnswers<K, V>(db: Db, options: HeldAnswersOptions<K, V> = {}) {
  const watchChanges = createChangeWatch(db);
  const keep = options.keep ?? ((answer: V) => answer !== undefined && answer !== null);
  const atMost = options.atMost ?? 10_000;
  const held = new Map<K, { answer: V; epoch: number }>();
  const followed = new Map((options.follows ?? []).map((follows) => [getTableName(follows.table), follows]));
  const follow = (table: string, row: RowWritten): boolean => {
    const follows = followed.get(table);
    if (follows === undefined || Object.keys(row.values).some((column) => !follows.columns.includes(column))) return false;
    // The kept answers move to a new epoch, changed as the row was: an answer read before the write
    // and arriving after it is filed under the old one, so it is never given. Older ones are left to be read afresh.
    const before = epoch.number++;
    for (const [key, kept] of held) {
      if (kept.epoch !== before) continue;
      kept.answer = follows.follow(kept.answer, key, row);
      kept.epoch = epoch.number;
    }
    return true;
  };
  const epoch: Epoch = {
    number: 0,
    reading: null,
    reads: options.reads ? new Set(options.reads.map((table) => getTableName(table))) : null,
    follow: followed.size > 0 ? follow : null,
  };
  const connection = connectionOf(db);
  let epochs = epochsByConnection.get(connection);
  if (epochs === undefined) {
    epochs = new Set();
    epochsByConnection.set(connection, epochs);
  }
  epochs.add(epoch);
  return {
    async get(key: K, read: () => Promise<V>): Promise<V> {
      const changes = watchChanges();
      if (changes === null) return read();
      const current = epochAt(epoch, changes);
      const kept = held.get(key);
      if (kept && kept.epoch === current) return kept.answer;
      const answer = await read();
      if (keep(answer)) {
        if (held.size >= atMost) held.clear();
        held.set(key, { answer, epoch: current });
      }
      return answer;
    },
    forget(key: K): void {
      held.delete(key);
    },
  };
}
