import { blob, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from '../../auth/tables.ts';

export const accountSettings = sqliteTable('account_settings', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  stackTraceOrder: text('stack_trace_order', { enum: ['default', 'caller-last', 'caller-first'] })
    .notNull()
    .default('default'),
  language: text('language').notNull().default('en'),
  timezone: text('timezone').notNull().default('UTC'),
  clock24h: integer('clock_24h', { mode: 'boolean' }).notNull().default(false),
  dateFormat: text('date_format', { enum: ['us', 'international', 'iso'] }).notNull().default('us'),
  theme: text('theme', { enum: ['system', 'light', 'dark'] }).notNull().default('system'),
  avatarType: text('avatar_type', { enum: ['initials', 'upload', 'gravatar'] }).notNull().default('initials'),
  /** 256 px square WebP, re-encoded from the upload so no original bytes are ever served back. */
  avatarImage: blob('avatar_image', { mode: 'buffer' }),
  avatarVersion: integer('avatar_version').notNull().default(0),
});
