import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from '../auth/tables.ts';
import { notificationScopes } from './registry.ts';

export const notificationEventKinds = ['build', 'deploy', 'issueEvent', 'issueActivity'] as const;
export type NotificationEventKind = (typeof notificationEventKinds)[number];
/** What a delivery is about: a dispatched platform event, or a security event (its notice is delivered at once). */
export const deliveryEventKinds = [...notificationEventKinds, 'security'] as const;
export type DeliveryEventKind = (typeof deliveryEventKinds)[number];
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

/**
 * A person's notification settings, one narrow row per (type, scope, scope id) (DESIGN.md rule
 * 12): no row means the type's default (registry.ts). `scopeId` is the organization's or the
 * project's id, and 0 at `user` scope (so the unique index holds there too: SQLite counts NULLs
 * apart). `emailRouting` rows hold an address. Ids of organizations and projects are not foreign
 * keys: notify/ does not depend on platform/'s tables; a row of a place that is gone decides nothing.
 */
export const notificationSettings = sqliteTable(
  'notification_settings',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    scope: text('scope', { enum: notificationScopes }).notNull(),
    scopeId: integer('scope_id').notNull(),
    value: text('value').notNull(),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [uniqueIndex('notification_settings_key').on(table.userId, table.type, table.scope, table.scopeId)],
);

/**
 * Who was sent what about which event: one row per (event, person), written in the transaction
 * that queues the message, so an event reported twice, or a build reported started and then
 * finished, never reaches anyone a second time.
 */
export const notificationDeliveries = sqliteTable(
  'notification_deliveries',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    eventKind: text('event_kind', { enum: deliveryEventKinds }).notNull(),
    eventRowId: integer('event_row_id').notNull(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    address: text('address').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [uniqueIndex('notification_deliveries_once').on(table.eventKind, table.eventRowId, table.userId)],
);
