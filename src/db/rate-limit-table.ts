import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/** Counters kept by rate-limiter-flexible's SQLite store; the column names are the ones it expects. */
export const rateLimits = sqliteTable('rate_limits', {
  key: text('key').primaryKey(),
  points: integer('points').notNull().default(0),
  expire: integer('expire'),
});
