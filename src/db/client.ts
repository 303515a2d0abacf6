import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { BetterSQLite3Database, BetterSQLiteSession, PreparedQuery } from 'drizzle-orm/better-sqlite3';
import type { Cache } from 'drizzle-orm/cache/core';
import type { Logger } from 'drizzle-orm/logger';
import { SQLiteSyncDialect, type BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { plannedOnce } from './planned-once.ts';

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

/** The better-sqlite3 statement of drizzle's query (a private field of drizzle's class). */
const statementOf = (query: GatedQuery) => (query as unknown as { stmt: Database.Statement }).stmt;

/**
 * A statement compiled when it first runs, not when its query is prepared: the services prepare
 * a few hundred queries as Dials starts, most of which a given run never asks, and compiling them
 * all stood between the start and the first answer.
 */
class StatementToCompile {
  readonly connection: Connection;
  readonly sql: string;
  constructor(connection: Connection, sql: string) {
    this.connection = connection;
    this.sql = sql;
  }
}
const statementSlot = Symbol('statement');
// drizzle's constructor assigns `this.stmt`: the accessor keeps what it is given, and compiles it when first read.
Object.defineProperty(GatedQuery.prototype, 'stmt', {
  get(this: { [statementSlot]: Database.Statement | StatementToCompile }): Database.Statement {
    const held = this[statementSlot];
    if (!(held instanceof StatementToCompile)) return held;
    const compiled = statementFor(held.connection, held.sql);
    this[statementSlot] = compiled;
    return compiled;
  },
  set(this: { [statementSlot]: Database.Statement | StatementToCompile }, value: Database.Statement | StatementToCompile) {
    this[statementSlot] = value;
  },
});

// Each way of running the statement asks the gate first; a deferred one asks again when the wait ends.
const runMethods = ['run', 'all', 'get', 'values'] as const;
for (const method of runMethods) {
  const direct = PreparedQuery.prototype[method] as (this: PreparedQuery, values?: Values) => unknown;
  Object.defineProperty(GatedQuery.prototype, method, {
    value: function gated(this: GatedQuery, values?: Values): unknown {
      const wait = this.gate.wait();
      if (wait !== null) return wait.then(() => (this[method] as typeof direct).call(this, values));
      // The statement may be shared (statementFor): drizzle switches rows to arrays when it wants them, so start from objects.
      const statement = statementOf(this);
      if (statement.reader) statement.raw(false);
      return direct.call(this, values);
    },
  });
}

/** How many compiled statements a connection keeps for reuse. */
const statementCacheSize = 500;

/**
 * The compiled statement for this SQL text on the connection: compiling is a good share of a
 * short query's cost, and drizzle asks again for every query it builds, so the connection keeps
 * the last few hundred it compiled. Statements run synchronously, one at a time, so sharing one
 * is safe; SQLite compiles it again by itself after a change of schema.
 */
export function statementFor(connection: Connection, sql: string): Database.Statement {
  const kept = connection.statements.get(sql);
  if (kept) {
    // Most recently used last, so the least recently used is the first to go.
    connection.statements.delete(sql);
    connection.statements.set(sql, kept);
    return kept;
  }
  const compiled = connection.sqlite.prepare(plannedOnce(sql));
  connection.statements.set(sql, compiled);
  if (connection.statements.size > statementCacheSize) {
    const oldest = connection.statements.keys().next();
    if (!oldest.done) connection.statements.delete(oldest.value);
  }
  return compiled;
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
  private readonly connection: Connection;
  private readonly gate: StatementGate;

  constructor(connection: Connection, gate: StatementGate) {
    super(connection.sqlite, connection.dialect, undefined);
    this.connection = connection;
    this.gate = gate;
  }

  override prepareQuery(...[query, fields, executeMethod, isResponseInArrayMode, customResultMapper, queryMetadata, cacheConfig]: PrepareArguments) {
    const own = this as unknown as { logger: Logger; cache: Cache };
    const prepared = new GatedQuery(
      new StatementToCompile(this.connection, query.sql) as unknown as Database.Statement,
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
  /** Compiled statements by SQL text, least recently used first (statementFor). */
  statements: Map<string, Database.Statement>;
}

const connections = new WeakMap<object, Connection>();
const gates = new WeakMap<object, StatementGate>();

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
  const db = new BetterSQLite3Database('sync', connection.dialect, new GatedSession(connection, gate), undefined);
  connections.set(db, connection);
  gates.set(db, gate);
  return db as unknown as Db;
}

/**
 * A query built once per connection (drizzle's `.prepare()`, with `sql.placeholder()` for the
 * values) and run on whichever handle is given: the database, or the `tx` of an open
 * transaction. Building a query costs more than running it on SQLite; a hot path builds each of
 * its queries once. The answer is used at once (`reusableQuery(...)(tx).execute(values)`).
 */
export function reusableQuery<Query extends object>(build: (db: Db) => Query): (handle: Db) => Query {
  const built = new WeakMap<Connection, Query>();
  return (handle) => {
    const connection = connectionOf(handle);
    let query = built.get(connection);
    if (!query) {
      query = build(handle);
      if (!(query instanceof GatedQuery)) throw new Error('reusableQuery: build a query with .prepare()');
      built.set(connection, query);
    }
    const gate = gates.get(handle);
    if (!gate) throw new Error('not a database opened by openDatabase()');
    // The same statement, asking this handle's gate: a transaction's own, or the database's.
    const bound = Object.create(query) as GatedQuery;
    bound.gate = gate;
    return bound as unknown as Query;
  };
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
  const connection: Connection = { sqlite, dialect: new SQLiteSyncDialect(), transactionEnded: null, statements: new Map() };
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
