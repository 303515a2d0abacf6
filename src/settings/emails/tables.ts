import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from '../../auth/tables.ts';

/**
 * Every confirmation link the E-mails page mailed, kept a day or so to cap them. Rows stay when
 * the address is removed, so removing and adding it again does not reset the count.
 */
export const verificationSends = sqliteTable(
  'email_verification_sends',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    address: text('address').notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('email_verification_sends_user_idx').on(table.userId, table.sentAt)],
);
