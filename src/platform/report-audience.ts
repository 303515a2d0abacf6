import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { memberships, organizations, projects } from './tables.ts';

export interface ReportOrganization {
  id: number;
  slug: string;
  name: string;
}

export type ReportAudience = ReturnType<typeof createReportAudience>;

/**
 * Who belongs where, read a page at a time for the weekly reports: organizations in id order, each
 * one's projects, its members in id order, so a run never holds everyone in memory.
 */
export function createReportAudience(db: Db) {
  const organizationsPage = db
    .select({ id: organizations.id, slug: organizations.slug, name: organizations.name })
    .from(organizations)
    .where(gt(organizations.id, sql.placeholder('after')))
    .orderBy(asc(organizations.id))
    .limit(sql.placeholder('limit'))
    .prepare();
  const projectsOf = db
    .select({ id: projects.id })
    .from(projects)
    .where(eq(projects.organizationId, sql.placeholder('organizationId')))
    .prepare();
  const membersPage = db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, sql.placeholder('organizationId')), gt(memberships.userId, sql.placeholder('after'))))
    .orderBy(asc(memberships.userId))
    .limit(sql.placeholder('limit'))
    .prepare();
  const membersAmongQuery = db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, sql.placeholder('organizationId')), sql`${memberships.userId} in (select value from json_each(${sql.placeholder('userIds')}))`))
    .prepare();

  return {
    /** Up to `limit` organizations with an id above `after`, by id. */
    organizationsAfter: (after: number, limit: number): Promise<ReportOrganization[]> => organizationsPage.execute({ after, limit }),

    /** The ids of an organization's projects. */
    projectIdsOf: async (organizationId: number): Promise<number[]> => (await projectsOf.execute({ organizationId })).map((row) => row.id),

    /** Up to `limit` members of an organization with a user id above `after`, by id. */
    membersAfter: async (organizationId: number, after: number, limit: number): Promise<number[]> =>
      (await membersPage.execute({ organizationId, after, limit })).map((row) => row.userId),

    /** Which of these people are members of the organization, in one query. */
    membersAmong: async (organizationId: number, userIds: readonly number[]): Promise<Set<number>> =>
      new Set((await membersAmongQuery.execute({ organizationId, userIds: JSON.stringify(userIds) })).map((row) => row.userId)),
  };
}
