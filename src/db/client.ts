import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BetterSQLite3Database, BetterSQLiteSession, PreparedQuery } from 'drizzle-orm/better-sqlite3';
import type { Cache } from 'drizzle-orm/cache/core';
import type { Logger } from 'drizzle-orm/logger';
import { SQLiteSyncDialect, type BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';

/**
 * The database as every service sees it: drizzle's query builders, awaited. It carries no schema
 * index: queries name their tables, imported from the part of Dials that owns them, so db/
 * depends on no page (DESIGN.md rule 2).
 *
 * It is typed as an asynchronous database, the way a PostgreSQL driver answers: every query is
 * awaited (`await db.select()…`, the first row as `[0]`, changed rows through `.returning()`), and
 * transactions go through `inTransaction()` (./transaction.ts). With SQLite a query still runs at
 * once, on the one connection, when it is awaited. Nothing outside db/ sees the driver.
 */
export type Db = BaseSQLiteDatabase<'async', unknown>;

/**
 * Whether a statement may run now. The connection's gate defers statements while a transaction
 * of another caller is open (they run once it ends); a transaction's gate refuses statements
 * once that transaction has ended.
 */
export interface StatementGate {
  /** null to run now; otherwise a Promise to wait for before asking again (or an exception). */
  wait(): Promise<void> | null;
}

type Values = Record<string, unknown> | undefined;

/** drizzle's better-sqlite3 query, asking its gate before each statement. */
class GatedQuery extends PreparedQuery {
  gate!: StatementGate;
}

// Each way of running the statement asks the gate first; a deferred one asks again when the wait ends.
const runMethods = ['run', 'all', 'get', 'values'] as const;
for (const method of runMethods) {
  const direct = PreparedQuery.prototype[method] as (this: PreparedQuery, values?: Values) => unknown;
  Object.defineProperty(GatedQuery.prototype, method, {
    value: function gated(this: GatedQuery, values?: Values): unknown {
      const wait = this.gate.wait();
      return wait === null ? direct.call(this, values) : wait.then(() => (this[method] as typeof direct).call(this, values));
    },
  });
}

/**
 * `await prepared.execute(values)`, the call both dialects have, as a plain Promise of the answer:
 * drizzle's own wraps the synchronous answer in a thenable, which costs several more allocations
 * and turns of the microtask queue on every request's session lookup.
 */
Object.defineProperty(GatedQuery.prototype, 'execute', {
  value: function execute(this: GatedQuery, values?: Values): Promise<unknown> {
    const query = this as unknown as { executeMethod: (typeof runMethods)[number] } & Record<(typeof runMethods)[number], (values?: Values) => unknown>;
    try {
      const answer = query[query.executeMethod](values);
      return answer instanceof Promise ? answer : Promise.resolve(answer);
    } catch (error) {
      return Promise.reject(error as Error);
    }
  },
});

type PrepareArguments = Parameters<BetterSQLiteSession<Record<string, never>, never>['prepareQuery']>;

class GatedSession extends BetterSQLiteSession<Record<string, never>, never> {
  private readonly sqlite: Database.Database;
  private readonly gate: StatementGate;

  constructor(sqlite: Database.Database, dialect: SQLiteSyncDialect, gate: StatementGate) {
    super(sqlite, dialect, undefined);
    this.sqlite = sqlite;
    this.gate = gate;
  }

  override prepareQuery(...[query, fields, executeMethod, isResponseInArrayMode, customResultMapper, queryMetadata, cacheConfig]: PrepareArguments) {
    const own = this as unknown as { logger: Logger; cache: Cache };
    const prepared = new GatedQuery(
      this.sqlite.prepare(query.sql),
      query,
      own.logger,
      own.cache,
      queryMetadata,
      cacheConfig,
      fields,
      executeMethod,
      isResponseInArrayMode,
      customResultMapper,
    );
    prepared.gate = this.gate;
    return prepared;
  }
}

/** What db/ keeps about an open connection: the driver, and the transaction open on it, if any. */
export interface Connection {
  sqlite: Database.Database;
  dialect: SQLiteSyncDialect;
  /** Resolves when the open transaction ends; null while none is open. */
  transactionEnded: Promise<void> | null;
}

const connections = new WeakMap<object, Connection>();

/** The connection a database handle (or a transaction's handle) works on. Only for db/. */
export function connectionOf(db: Db): Connection {
  const connection = connections.get(db);
  if (!connection) throw new Error('not a database opened by openDatabase()');
  return connection;
}

/** The SQLite driver behind a handle, for db/ alone (pragmas, the limiter store, checkpoints, closing). */
export function sqliteOf(db: Db): Database.Database {
  return connectionOf(db).sqlite;
}

/** A drizzle database over the connection whose statements ask `gate` first. */
export function gatedDatabase(connection: Connection, gate: StatementGate): Db {
  const db = new BetterSQLite3Database('sync', connection.dialect, new GatedSession(connection.sqlite, connection.dialect, gate), undefined);
  connections.set(db, connection);
  return db as unknown as Db;
}

/**
 * Opens (creating if needed) the SQLite file with the pragmas Dials relies on.
 *
 * With `exclusive`, this process holds the file's lock for as long as it runs: every query then
 * skips two lock system calls, which made a primary-key read six times faster here. Other
 * processes cannot open the file meanwhile (stop Dials, or use its own commands, to inspect it).
 */
export function openDatabase(file: string, options: { exclusive?: boolean; busyTimeoutMs?: number } = {}): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file, { timeout: options.busyTimeoutMs ?? 5000 });
  // Must come before WAL mode is entered, so that the WAL index lives in this process's memory.
  if (options.exclusive ?? true) sqlite.pragma('locking_mode = EXCLUSIVE');
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  const connection: Connection = { sqlite, dialect: new SQLiteSyncDialect(), transactionEnded: null };
  // Outside a transaction's callback, a statement waits for the open transaction (of another caller) to end.
  return gatedDatabase(connection, { wait: () => connection.transactionEnded });
}

/**
 * Closes the database file (at shutdown, or at the end of a command), after moving the whole
 * write-ahead log into it, so the file alone holds everything.
 */
export function closeDatabase(db: Db): void {
  const sqlite = sqliteOf(db);
  if (!sqlite.open) return;
  try {
    if (!sqlite.inTransaction) sqlite.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    sqlite.close();
  }
}
