import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const notificationEventKinds = ['build', 'deploy', 'issueEvent', 'issueActivity'] as const;
export type NotificationEventKind = (typeof notificationEventKinds)[number];
export const notificationWorkStates = ['pending', 'claimed', 'done'] as const;

/**
 * Work for the notification dispatcher: one row per accepted platform event, written in the
 * transaction that stores the event (work.ts), so neither exists without the other. The
 * dispatcher claims a row (owner and expiry, so a crashed claim is taken over), turns it into
 * recipients and outbox rows, and marks it done.
 *
 * The ids point into the platform's tables without foreign keys: notify/ does not depend on
 * platform/'s tables, and the dispatcher treats a row whose event has gone as done.
 */
export const notificationWork = sqliteTable(
  'notification_work',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventKind: text('event_kind', { enum: notificationEventKinds }).notNull(),
    eventRowId: integer('event_row_id').notNull(),
    organizationId: integer('organization_id').notNull(),
    projectId: integer('project_id'),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    state: text('state', { enum: notificationWorkStates }).notNull().default('pending'),
    claimOwner: text('claim_owner'),
    claimExpiresAt: integer('claim_expires_at', { mode: 'timestamp_ms' }),
  },
  // One index only: each accepted event writes a row here, and each index is one more page written.
  (table) => [index('notification_work_state_idx').on(table.state, table.id)],
);
