import { RateLimiterSQLite, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Db } from './client.ts';

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

/** A limiter whose counters live in the database (the `rate_limits` table of the migrations), so a restart keeps them. */
export function createRateLimiter(db: Db, options: RateLimiterOptions): RateLimiter {
  return new RateLimiterSQLite({
    storeClient: db.$client,
    storeType: 'better-sqlite3',
    tableName: 'rate_limits',
    tableCreated: true,
    keyPrefix: options.keyPrefix,
    points: options.points,
    duration: options.durationSeconds,
  });
}
