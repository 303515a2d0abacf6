import { RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { sqliteOf, type Db } from './client.ts';
import { transactionInProgress } from './transaction.ts';

/**
 * What the rest of Dials uses of a limiter: count an attempt (rejects with a RateLimiterRes
 * when over the limit), give points back, forget a key. Only db/ knows which store keeps the
 * counters, so a PostgreSQL store can take the SQLite one's place here alone.
 */
export type RateLimiter = Pick<RateLimiterAbstract, 'consume' | 'reward' | 'delete' | 'get'>;

export interface RateLimiterOptions {
  /** Keeps one limiter's counters apart from another's in the shared table. */
  keyPrefix: string;
  points: number;
  durationSeconds: number;
}

/**
 * A limiter whose counters live in the database (the `rate_limits` table of the migrations), so a
 * restart keeps them. Its store talks to the connection itself, so each call first waits for a
 * transaction of another caller to end, like every other statement outside that transaction.
 */
export function createRateLimiter(db: Db, options: RateLimiterOptions): RateLimiter {
  const store = new RateLimiterSQLite({
    storeClient: sqliteOf(db),
    storeType: 'better-sqlite3',
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
  });
  const outsideTransactions = <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      const busy = transactionInProgress(db);
      return busy === null ? call(...args) : busy.then(() => outsideTransactions(call)(...args));
    };
  return {
    consume: outsideTransactions(store.consume.bind(store)),
    reward: outsideTransactions(store.reward.bind(store)),
    delete: outsideTransactions(store.delete.bind(store)),
    get: outsideTransactions(store.get.bind(store)),
  };
}
