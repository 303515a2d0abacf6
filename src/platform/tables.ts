import { sql } from 'drizzle-orm';
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from '../auth/tables.ts';

/**
 * The platform the settings act on: organizations and their members, projects, pipelines, and
 * what happens in them (builds, deploys, issues). Events reported through the API land here;
 * every accepted one also leaves a row of notification work (notify/tables.ts) in the same
 * transaction.
 */

export const organizationRoles = ['owner', 'member'] as const;
export type OrganizationRole = (typeof organizationRoles)[number];

export const organizations = sqliteTable('organizations', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  /** Lower-case letters, digits and dashes; the organization's name in URLs. */
  slug: text('slug').notNull().unique(),
  createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
});

export const memberships = sqliteTable(
  'organization_members',
  {
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: organizationRoles }).notNull(),
    joinedAt: integer('joined_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.organizationId, table.userId] }), index('organization_members_user_idx').on(table.userId)],
);

/**
 * An owner's invitation of an e-mail address (stored as users' addresses are: trimmed, lower-case).
 * Whoever confirmed that address sees it and accepts or declines; until then nobody is added and
 * nothing is sent. One per address and organization: inviting again changes its role.
 */
export const organizationInvitations = sqliteTable(
  'organization_invitations',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    address: text('address').notNull(),
    role: text('role', { enum: organizationRoles }).notNull(),
    invitedBy: integer('invited_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    uniqueIndex('organization_invitations_organization_address_idx').on(table.organizationId, table.address),
    index('organization_invitations_address_idx').on(table.address),
  ],
);

export const projects = sqliteTable(
  'projects',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [uniqueIndex('projects_organization_slug_idx').on(table.organizationId, table.slug)],
);

export const pipelines = sqliteTable(
  'pipelines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** The CI/CD product's "report notifications for manual executions": builds started by hand notify only when on. */
    notifyManualExecutions: integer('notify_manual_executions', { mode: 'boolean' }).notNull().default(false),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [uniqueIndex('pipelines_project_name_idx').on(table.projectId, table.name)],
);

export const buildStatuses = ['running', 'success', 'failed', 'terminated'] as const;
export type BuildStatus = (typeof buildStatuses)[number];
export const buildTriggers = ['push', 'schedule', 'manual', 'api'] as const;
export type BuildTrigger = (typeof buildTriggers)[number];

/**
 * One row per build. The CI/CD side names a build (`external_id`); its "started" and "finished"
 * reports carry the same name and update the one row. The organization is kept on the row so a
 * page lists an organization's builds with one index.
 */
export const builds = sqliteTable(
  'builds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    pipelineId: integer('pipeline_id')
      .notNull()
      .references(() => pipelines.id, { onDelete: 'cascade' }),
    externalId: text('external_id').notNull(),
    status: text('status', { enum: buildStatuses }).notNull(),
    trigger: text('trigger', { enum: buildTriggers }).notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    /** Null while the build runs. */
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
    commitSha: text('commit_sha').notNull(),
    commitMessage: text('commit_message').notNull(),
    commitAuthorName: text('commit_author_name').notNull(),
    commitAuthorEmail: text('commit_author_email').notNull(),
    /** The member who started it by hand or through the API; null for pushes and schedules, or someone no longer here. */
    startedBy: integer('started_by').references(() => users.id, { onDelete: 'set null' }),
    updatedAt: integer('updated_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    uniqueIndex('builds_pipeline_external_idx').on(table.pipelineId, table.externalId),
    // Every index is one more page written by each report: a pipeline's builds are found through the organization's.
    index('builds_organization_started_idx').on(table.organizationId, table.startedAt, table.id),
  ],
);

export const deploys = sqliteTable(
  'deploys',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    environment: text('environment').notNull(),
    version: text('version').notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }).notNull(),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('deploys_organization_finished_idx').on(table.organizationId, table.finishedAt, table.id)],
);

/** The commits a deploy brought, so "only deploys with my commits" can match their authors' addresses. */
export const deployCommits = sqliteTable(
  'deploy_commits',
  {
    deployId: integer('deploy_id')
      .notNull()
      .references(() => deploys.id, { onDelete: 'cascade' }),
    sha: text('sha').notNull(),
    /** Stored lower-cased, as user addresses are. */
    authorEmail: text('author_email').notNull(),
  },
  (table) => [primaryKey({ columns: [table.deployId, table.sha] }), index('deploy_commits_author_idx').on(table.authorEmail)],
);

export const issueLevels = ['debug', 'info', 'warning', 'error', 'fatal'] as const;
export type IssueLevel = (typeof issueLevels)[number];
export const issueStatuses = ['unresolved', 'resolved'] as const;
export type IssueStatus = (typeof issueStatuses)[number];

/** Errors grouped by fingerprint within a project. */
export const issues = sqliteTable(
  'issues',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    projectId: integer('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    fingerprint: text('fingerprint').notNull(),
    title: text('title').notNull(),
    level: text('level', { enum: issueLevels }).notNull(),
    status: text('status', { enum: issueStatuses }).notNull().default('unresolved'),
    assigneeId: integer('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    firstSeen: integer('first_seen', { mode: 'timestamp_ms' }).notNull(),
    lastSeen: integer('last_seen', { mode: 'timestamp_ms' }).notNull(),
    eventCount: integer('event_count').notNull().default(0),
  },
  (table) => [
    uniqueIndex('issues_project_fingerprint_idx').on(table.projectId, table.fingerprint),
    index('issues_organization_last_seen_idx').on(table.organizationId, table.lastSeen, table.id),
  ],
);

/** One frame of a stack trace, outermost call first, as reported. */
export interface StackFrame {
  file: string;
  function: string;
  line: number | null;
  inApp: boolean;
}

/**
 * Each reported error event. Its frames are one JSON column, not a child table: a trace is
 * always written and read whole, with its event, and never searched frame by frame; one row
 * instead of up to 200 keeps reporting an event a single insert and showing an issue a single
 * read. The API bounds the column (200 frames, 64 KB).
 */
export const issueEvents = sqliteTable(
  'issue_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id, { onDelete: 'cascade' }),
    occurredAt: integer('occurred_at', { mode: 'timestamp_ms' }).notNull(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
    level: text('level', { enum: issueLevels }).notNull(),
    message: text('message').notNull(),
    frames: text('frames', { mode: 'json' }).$type<StackFrame[]>().notNull(),
  },
  (table) => [index('issue_events_issue_idx').on(table.issueId, table.id)],
);

export const issueActivityKinds = ['assigned', 'unassigned', 'resolved', 'unresolved', 'regressed', 'comment'] as const;
export type IssueActivityKind = (typeof issueActivityKinds)[number];

/** What happened to an issue, and who did it (null: Dials itself, e.g. a regression). */
export const issueActivity = sqliteTable(
  'issue_activity',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: issueActivityKinds }).notNull(),
    actorId: integer('actor_id').references(() => users.id, { onDelete: 'set null' }),
    /** For `assigned`: who was assigned. */
    assigneeId: integer('assignee_id').references(() => users.id, { onDelete: 'set null' }),
    /** For `comment`: its text. */
    comment: text('comment'),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [index('issue_activity_issue_idx').on(table.issueId, table.at, table.id)],
);

export const subscriptionReasons = ['assigned', 'commented', 'subscribed', 'unsubscribed'] as const;
export type SubscriptionReason = (typeof subscriptionReasons)[number];

/**
 * Who follows an issue, and why. Being assigned or commenting subscribes a person only when they
 * have no row yet; pressing Subscribe or Unsubscribe always writes theirs. Unsubscribing is kept
 * as a row (`subscribed` false) rather than deleted, so a later comment or assignment does not
 * silently subscribe again someone who asked not to follow the issue.
 */
export const issueSubscriptions = sqliteTable(
  'issue_subscriptions',
  {
    issueId: integer('issue_id')
      .notNull()
      .references(() => issues.id, { onDelete: 'cascade' }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    subscribed: integer('subscribed', { mode: 'boolean' }).notNull(),
    reason: text('reason', { enum: subscriptionReasons }).notNull(),
    at: integer('at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.issueId, table.userId] }), index('issue_subscriptions_user_idx').on(table.userId)],
);

export const reportKinds = ['build', 'deploy', 'issueEvent', 'issueActivity'] as const;
export type ReportKind = (typeof reportKinds)[number];

/**
 * Every accepted report, by the event id its sender gave (and the `Idempotency-Key` header, when
 * sent): a retry is answered with the first answer, status and body, and changes nothing. The
 * digest of the first request tells a retry from a different report that reuses an id.
 */
export const receivedEvents = sqliteTable(
  'received_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: reportKinds }).notNull(),
    organizationId: integer('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    idempotencyKey: text('idempotency_key'),
    requestDigest: text('request_digest').notNull(),
    status: integer('status').notNull(),
    body: text('body').notNull(),
    receivedAt: integer('received_at', { mode: 'timestamp_ms' }).notNull(),
  },
  (table) => [
    uniqueIndex('received_events_event_idx').on(table.kind, table.organizationId, table.eventId),
    // Partial: a report without the header writes no entry in it.
    uniqueIndex('received_events_idempotency_key_idx')
      .on(table.kind, table.organizationId, table.idempotencyKey)
      .where(sql`${table.idempotencyKey} is not null`),
  ],
);
