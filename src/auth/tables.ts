import { sql } from 'drizzle-orm';
import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const users = sqliteTable('users', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  /** Stored trimmed and lower-cased, so one address is one account. */
  email: text('email').notNull().unique(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  isAdmin: integer('is_admin', { mode: 'boolean' }).notNull().default(false),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  /** Set when sign-up is finished (the link in the first mail was followed); until then the account cannot log in. */
  activatedAt: integer('activated_at', { mode: 'timestamp_ms' }),
});

/** One row per signed-in browser. The id is the SHA-256 of the cookie token; the token itself is never stored. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    /** When the person last proved themselves (password, and second factor when enrolled): starts sudo mode. */
    reauthenticatedAt: integer('reauthenticated_at', { mode: 'timestamp_ms' }),
    ipAddress: text('ip_address').notNull(),
    userAgent: text('user_agent').notNull(),
  },
  (table) => [index('sessions_user_id_idx').on(table.userId)],
);

/** How a session ended, for the session history. */
export const sessionEndReasons = [
  'logged-out',
  'expired',
  'idle',
  'ended-elsewhere',
  'logged-out-everywhere',
  'password-changed',
  'password-reset',
  'primary-email-changed',
  'second-factor-added',
  'replaced',
] as const;
export type SessionEndReason = (typeof sessionEndReasons)[number];

/**
 * Sessions that have ended, kept 90 days for the session history. A row here holds no token
 * digest (the live row, and with it the only way to use the session, is deleted when it ends).
 */
export const endedSessions = sqliteTable(
  'ended_sessions',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    lastSeenAt: integer('last_seen_at', { mode: 'timestamp_ms' }).notNull(),
    endedAt: integer('ended_at', { mode: 'timestamp_ms' }).notNull(),
    reason: text('reason', { enum: sessionEndReasons }).notNull(),
    ipAddress: text('ip_address').notNull(),
    userAgent: text('user_agent').notNull(),
  },
  (table) => [index('ended_sessions_user_ended_idx').on(table.userId, table.endedAt), index('ended_sessions_ended_idx').on(table.endedAt)],
);

/** What happened to an account's security, for the person to read on the security page. */
export const securityEvents = sqliteTable(
  'security_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    ipAddress: text('ip_address').notNull(),
    userAgent: text('user_agent').notNull(),
  },
  (table) => [index('security_events_user_created_idx').on(table.userId, table.createdAt)],
);

/** The authenticator app of an account: its secret, encrypted with a key kept outside the database. */
export const totpCredentials = sqliteTable('totp_credentials', {
  userId: integer('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  /** Set once a correct code has confirmed the enrolment; until then the secret is only pending. */
  enabledAt: integer('enabled_at', { mode: 'timestamp_ms' }),
  encryptedSecret: text('encrypted_secret'),
  pendingEncryptedSecret: text('pending_encrypted_secret'),
  pendingCreatedAt: integer('pending_created_at', { mode: 'timestamp_ms' }),
  /** The last time step a code was accepted for; that step and older ones are refused from then on. */
  lastUsedStep: integer('last_used_step').notNull().default(0),
});

/** Single-use recovery codes, kept as keyed digests. */
export const recoveryCodes = sqliteTable(
  'recovery_codes',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeDigest: text('code_digest').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (table) => [index('recovery_codes_user_idx').on(table.userId)],
);

/** Between a correct password and a correct second factor: a short-lived, single-use log-in step. */
export const loginChallenges = sqliteTable('login_challenges', {
  id: text('id').primaryKey(),
  userId: integer('user_id')
    .notNull()
    .references(() => users.id, { onDelete: 'cascade' }),
  next: text('next').notNull(),
  expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
});

/**
 * Every address of an account; exactly one is primary, and it is also users.email (the log-in name).
 * Several accounts may claim one address while it is unconfirmed; once confirmed (or primary) it
 * belongs to one account only, and the other claims give way.
 */
export const userEmails = sqliteTable(
  'user_emails',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    address: text('address').notNull(),
    verifiedAt: integer('verified_at', { mode: 'timestamp_ms' }),
    isPrimary: integer('is_primary', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    index('user_emails_user_idx').on(table.userId),
    index('user_emails_address_idx').on(table.address),
    uniqueIndex('user_emails_user_address_unique').on(table.userId, table.address),
    uniqueIndex('user_emails_owned_address_unique')
      .on(table.address)
      .where(sql`verified_at is not null or is_primary = 1`),
  ],
);

/** Links sent by e-mail: single purpose, single use, expiring; only the SHA-256 of the token is kept. */
export const emailTokens = sqliteTable(
  'email_tokens',
  {
    id: text('id').primaryKey(),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: ['verify-email', 'reset-password'] }).notNull(),
    emailId: integer('email_id').references(() => userEmails.id, { onDelete: 'cascade' }),
    /** A verification link that also signs in the account it finishes creating. */
    signsIn: integer('signs_in', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    expiresAt: integer('expires_at', { mode: 'timestamp_ms' }).notNull(),
    usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  },
  (table) => [index('email_tokens_user_idx').on(table.userId, table.purpose)],
);

/**
 * Links that create an administrator account. The token is an HMAC of `nonce` under a key derived
 * from the instance secret (outside the database), so the link printed at start can be printed
 * again at the next start; the row keeps the token's SHA-256 to find it. `email` binds a link made
 * by `dials create-admin --email` to that address; a link without one is the instance's first.
 */
export const adminSetupLinks = sqliteTable('admin_setup_links', {
  id: text('id').primaryKey(),
  nonce: text('nonce').notNull(),
  email: text('email'),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  usedAt: integer('used_at', { mode: 'timestamp_ms' }),
  usedBy: integer('used_by').references(() => users.id, { onDelete: 'set null' }),
});
