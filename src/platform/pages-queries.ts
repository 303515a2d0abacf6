import { count, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { Actor } from '../lib/actor.ts';
import { memberships, projects } from './tables.ts';

export interface OrganizationCounts {
  projects: number;
  members: number;
}

/** What the platform's pages read besides the services' own answers: small counts, scoped like everything else. */
export function createPlatformPageQueries(db: Db) {
  return {
    /** For each organization the actor belongs to (by id), how many projects and members it has. */
    async countsForMember(actor: Actor): Promise<Map<number, OrganizationCounts>> {
      const mine = await db.select({ id: memberships.organizationId }).from(memberships).where(eq(memberships.userId, actor.userId));
      const ids = mine.map((row) => row.id);
      const counts = new Map<number, OrganizationCounts>(ids.map((id) => [id, { projects: 0, members: 0 }]));
      if (ids.length === 0) return counts;
      const projectRows = await db
        .select({ id: projects.organizationId, total: count() })
        .from(projects)
        .where(inArray(projects.organizationId, ids))
        .groupBy(projects.organizationId);
      const memberRows = await db
        .select({ id: memberships.organizationId, total: count() })
        .from(memberships)
        .where(inArray(memberships.organizationId, ids))
        .groupBy(memberships.organizationId);
      for (const row of projectRows) counts.set(row.id, { ...(counts.get(row.id) ?? { members: 0 }), projects: row.total });
      for (const row of memberRows) counts.set(row.id, { ...(counts.get(row.id) ?? { projects: 0 }), members: row.total });
      return counts;
    },
  };
}

export type PlatformPageQueries = ReturnType<typeof createPlatformPageQueries>;
