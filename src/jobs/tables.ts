import { index, integer, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { users } from '../auth/tables.ts';

export const weeklyReportStates = ['pending', 'claimed', 'sent', 'skipped'] as const;
export type WeeklyReportState = (typeof weeklyReportStates)[number];

/** Why a report was not sent. */
export const weeklyReportSkips = ['quietWeek', 'notMember', 'turnedOff', 'noAddress', 'late'] as const;
export type WeeklyReportSkip = (typeof weeklyReportSkips)[number];

/**
 * One weekly report: a row per (person, organization, ISO week), written before any mail
 * (DESIGN.md rule 7), so it is sent once. A job claims it (owner and expiry, so a claim of a
 * process that died is taken over, and nothing is held in memory), and marks it sent in the
 * transaction that queues its mail, or skipped with why. `dueUntil` is the end of the week after
 * the report's week in the reader's zone: after it, the row is never sent.
 *
 * The organization's id is not a foreign key: jobs/ reads the platform through its functions.
 */
export const weeklyReports = sqliteTable(
  'weekly_reports',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    userId: integer('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    organizationId: integer('organization_id').notNull(),
    week: text('week').notNull(),
    dueUntil: integer('due_until', { mode: 'timestamp_ms' }).notNull(),
    state: text('state', { enum: weeklyReportStates }).notNull().default('pending'),
    skipped: text('skipped', { enum: weeklyReportSkips }),
    claimOwner: text('claim_owner'),
    claimExpiresAt: integer('claim_expires_at', { mode: 'timestamp_ms' }),
    createdAt: integer('created_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
  },
  (table) => [uniqueIndex('weekly_reports_once').on(table.userId, table.organizationId, table.week), index('weekly_reports_state_idx').on(table.state, table.dueUntil)],
);

export const jobTriggers = ['schedule', 'hand'] as const;

/** One run of a scheduled job: when it started and finished, by which process, and what it did. */
export const jobRuns = sqliteTable(
  'job_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    job: text('job').notNull(),
    owner: text('owner').notNull(),
    trigger: text('trigger', { enum: jobTriggers }).notNull(),
    startedAt: integer('started_at', { mode: 'timestamp_ms' }).notNull(),
    finishedAt: integer('finished_at', { mode: 'timestamp_ms' }),
    sent: integer('sent').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    failures: integer('failures').notNull().default(0),
  },
  (table) => [index('job_runs_job_idx').on(table.job, table.startedAt)],
);
