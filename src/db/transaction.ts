import { connectionOf, gatedDatabase, statementFor, type Connection, type Db } from './client.ts';

/** A transaction's callback awaited something that was not one of its own queries. */
export class TransactionAwaitedError extends Error {
  constructor() {
    super(
      'inTransaction(): the callback was still waiting after its turn of the event loop, so it awaited something ' +
        'other than its queries on `tx` (a timer, a password hash, the network, or a query on the database handle instead of `tx`). ' +
        'The transaction was rolled back. Do that work before or after the transaction.',
    );
    this.name = 'TransactionAwaitedError';
  }
}

/** A statement on a transaction's handle after the transaction ended. */
export class TransactionClosedError extends Error {
  constructor() {
    super('a statement on a transaction that has already ended (committed, rolled back or refused)');
    this.name = 'TransactionClosedError';
  }
}

interface OpenTransaction {
  connection: Connection;
  open: boolean;
  savepoints: number;
}

const transactions = new WeakMap<object, OpenTransaction>();
const closed = Promise.reject(new TransactionClosedError());
closed.catch(() => undefined);
// Kept from before any test replaces them with fake timers.
const nextTick = process.nextTick.bind(process);
const queueTask = queueMicrotask;

/**
 * Runs `work` in one transaction: committed when it resolves, rolled back when it throws. Give
 * it the database, or, to nest, the `tx` of an open transaction (the inner one becomes a
 * SAVEPOINT, rolled back alone when it throws).
 *
 * The rule for `work`: await only queries on `tx`. With SQLite every query runs on the one
 * connection as soon as it is awaited, so such a callback finishes within the turn of the
 * event loop it started in, and no other request's statement can land in the open
 * transaction: statements on the database handle wait until the transaction ends, and so do
 * other transactions. A callback still waiting once that turn's microtasks have run awaited
 * something else (a hash, a timer, the network): the transaction is rolled back at once and the
 * call rejects with `TransactionAwaitedError`; whatever the callback does on `tx` later throws.
 * A PostgreSQL driver implements the same function with a real asynchronous transaction.
 */
export async function inTransaction<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  const outer = transactions.get(db);
  if (outer) return inSavepoint(outer, db, work);
  const connection = connectionOf(db);
  while (connection.transactionEnded) await connection.transactionEnded;
  return begin(connection, work);
}

function begin<T>(connection: Connection, work: (tx: Db) => Promise<T>): Promise<T> {
  const { sqlite } = connection;
  const state: OpenTransaction = { connection, open: true, savepoints: 0 };
  const tx = gatedDatabase(connection, { wait: () => (state.open ? null : closed) });
  transactions.set(tx, state);
  // Begun before it is marked open: a BEGIN that fails (the file locked by another process for
  // longer than the busy timeout) must not leave every later statement waiting for an end.
  statementFor(connection, 'BEGIN IMMEDIATE').run();
  let ended!: () => void;
  connection.transactionEnded = new Promise((resolve) => (ended = resolve));

  const end = (statement: 'COMMIT' | 'ROLLBACK') => {
    state.open = false;
    try {
      if (sqlite.inTransaction) statementFor(connection, statement).run();
    } finally {
      connection.transactionEnded = null;
      ended();
    }
  };

  return new Promise<T>((resolve, reject) => {
    // What the end-of-turn check needs, and nothing more once the work has settled: in a long run
    // of awaited work that never waits for I/O (a job's loop), these checks queue up until the
    // loop yields, and each would otherwise keep its whole transaction (handle, session, answer) alive.
    const watch: { refuse: (() => void) | null } = {
      refuse: () => {
        refused = true;
        end('ROLLBACK');
        reject(new TransactionAwaitedError());
      },
    };
    let refused = false;
    let running: Promise<T>;
    try {
      running = work(tx);
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      (value) => {
        watch.refuse = null;
        if (refused) return;
        try {
          end('COMMIT');
          resolve(value);
        } catch (error) {
          if (sqlite.inTransaction) statementFor(connection, 'ROLLBACK').run();
          reject(error);
        }
      },
      (error: unknown) => {
        watch.refuse = null;
        if (refused) return;
        end('ROLLBACK');
        reject(error);
      },
    );
    // A tick queued from a microtask runs once every microtask queued so far, and every one
    // those queue, has run: the end of this turn, before any timer or I/O callback.
    queueTask(() => nextTick(refuseIfStillWaiting, watch));
  });
}

function refuseIfStillWaiting(watch: { refuse: (() => void) | null }): void {
  watch.refuse?.();
}

async function inSavepoint<T>(state: OpenTransaction, tx: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  if (!state.open) throw new TransactionClosedError();
  const { sqlite } = state.connection;
  const name = `dials_${++state.savepoints}`;
  sqlite.prepare(`SAVEPOINT ${name}`).run();
  try {
    const value = await work(tx);
    if (state.open) sqlite.prepare(`RELEASE ${name}`).run();
    return value;
  } catch (error) {
    if (state.open) {
      sqlite.prepare(`ROLLBACK TO ${name}`).run();
      sqlite.prepare(`RELEASE ${name}`).run();
    }
    throw error;
  }
}

/**
 * null when no transaction is open; otherwise a Promise resolved when it ends. For db/'s own
 * users of the connection outside drizzle (the limiter store), so that they too keep out of
 * another caller's transaction.
 */
export function transactionInProgress(db: Db): Promise<void> | null {
  return connectionOf(db).transactionEnded;
}
