import { blob, index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';
import { users } from '../../auth/tables.ts';

/**
 * Personal API keys. The id is the key's `<id>` part; the key itself is never stored, only its
 * SHA-256 and the first characters of its secret to tell keys apart in the list.
 */
export const apiKeys = sqliteTable(
  'api_keys',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** Space-separated, normalised (scopes.ts). */
    scopes: text('scopes').notNull(),
    digest: blob('digest', { mode: 'buffer' }).notNull(),
    preview: text('preview').notNull(),
    /** Whether the key was made by someone who had passed the account's second factor (or a key that had). */
    secondFactor: integer('second_factor', { mode: 'boolean' }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }),
    lastUsedAt: integer('last_used_at', { mode: 'timestamp_ms' }),
    lastUsedIp: text('last_used_ip'),
    lastUsedUserAgent: text('last_used_user_agent'),
    /** When the expiry notice was queued, so it goes out once. */
    expiryNoticeAt: integer('expiry_notice_at', { mode: 'timestamp_ms' }),
  },
  (table) => [index('api_keys_user_idx').on(table.userId), index('api_keys_expires_idx').on(table.expiresAt)],
);

/** The last calls made with each key (at most 100 per key, 30 days), for its owner to read. */
export const apiKeyUses = sqliteTable(
  'api_key_uses',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    keyId: text('key_id')
      .notNull()
      .references(() => apiKeys.id, { onDelete: 'cascade' }),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
    method: text('method').notNull(),
    path: text('path').notNull(),
    status: integer('status').notNull(),
    ipAddress: text('ip_address').notNull(),
  },
  (table) => [index('api_key_uses_key_idx').on(table.keyId, table.id), index('api_key_uses_at_idx').on(table.at)],
);
