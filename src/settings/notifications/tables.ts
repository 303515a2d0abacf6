import { integer, sqliteTable } from 'drizzle-orm/sqlite-core';
import { users } from '../../auth/tables.ts';

/**
 * When a person gets their weekly reports: an ISO weekday (1 Monday … 7 Sunday) and a whole hour,
 * in their own time zone (the account's). No row means the default, Monday 09:00.
 */
export const weeklyReportTimes = sqliteTable('weekly_report_times', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  weekday: integer('weekday').notNull(),
  hour: integer('hour').notNull(),
  updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
});
