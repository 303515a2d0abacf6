import type Database from 'better-sqlite3';
import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import RateLimiterRes from 'rate-limiter-flexible/lib/RateLimiterRes.js';
import RateLimiterSQLite from 'rate-limiter-flexible/lib/RateLimiterSQLite.js';
import type { WindowCount } from '../lib/window-counter.ts';
import { sqliteOf, type Db } from './client.ts';
import { transactionInProgress } from './transaction.ts';

/** What a limiter rejects with when the limit is reached (its wait is `msBeforeNext`). */
export { RateLimiterRes };

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

/** A fixed-window count: whether this call is within the limit, what remains, and when the window starts over. */

/**
 * A limiter for every request of a kind (API calls), in the same table and with the same fixed
 * windows as createRateLimiter's, counted with one prepared UPSERT … RETURNING: the store of
 * rate-limiter-flexible prepares its statement and opens a savepoint on every call, which cost
 * more than the rest of an API request.
 */
export function createWindowCounter(db: Db, options: RateLimiterOptions): { consume(key: string): Promise<WindowCount> } {
  let upsert: Database.Statement<[string, number, number, number], { points: number; expire: number }> | null = null;
  // The UPSERT always answers one row.
  const durationMs = options.durationSeconds * 1000;
  const count = (key: string): WindowCount => {
    upsert ??= sqliteOf(db).prepare(
      `INSERT INTO rate_limits (key, points, expire) VALUES (?, 1, ?)
       ON CONFLICT(key) DO UPDATE SET
         points = CASE WHEN expire > ? THEN points + 1 ELSE 1 END,
         expire = CASE WHEN expire > ? THEN expire ELSE excluded.expire END
       RETURNING points, expire`,
    );
    const now = Date.now();
    const row = upsert.get(`${options.keyPrefix}:${key}`, now + durationMs, now, now) ?? { points: 1, expire: now + durationMs };
    return { allowed: row.points <= options.points, remaining: Math.max(options.points - row.points, 0), msBeforeNext: Math.max(row.expire - now, 0) };
  };
  return {
    consume(key) {
      const busy = transactionInProgress(db);
      return busy === null ? Promise.resolve(count(key)) : busy.then(() => this.consume(key));
    },
  };
}
