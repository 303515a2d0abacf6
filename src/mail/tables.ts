import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Every outgoing message is a row here before it is an SMTP conversation. Bodies are sealed
 * (they hold links with tokens) and dropped once the message has been handed over.
 */
export const mailOutbox = sqliteTable(
  'mail_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    messageId: text('message_id').notNull().unique(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    kind: text('kind').notNull(),
    sealedText: text('sealed_text'),
    sealedHtml: text('sealed_html'),
    /** The one-click unsubscribe link (RFC 8058) of a notification, sealed like the bodies: it changes a setting. */
    sealedUnsubscribeUrl: text('sealed_unsubscribe_url'),
    status: text('status', { enum: ['queued', 'sending', 'sent', 'failed'] }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at', { mode: 'timestamp_ms' }).notNull(),
    lockedUntil: integer('locked_until', { mode: 'timestamp_ms' }),
    lastError: text('last_error'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    sentAt: integer('sent_at', { mode: 'timestamp_ms' }),
  },
  (table) => [index('mail_outbox_due_idx').on(table.status, table.nextAttemptAt)],
);
