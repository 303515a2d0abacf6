import { and, eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { isMember } from './access.ts';
import { memberships, organizations, projects } from './tables.ts';

/** An organization a person belongs to, with its projects: the places their settings can name. */
export interface Place {
  organizationId: number;
  name: string;
  slug: string;
  projects: Array<{ id: number; name: string; slug: string }>;
}

/** Where a person can see things: for settings that name an organization or a project. */
export function createPlaces(db: Db) {
  return {
    /** Whether the person belongs to the organization, or to the organization of the project. */
    async canSee(userId: number, scope: 'organization' | 'project', id: number): Promise<boolean> {
      if (scope === 'organization') return isMember(db, id, userId);
      const [row] = await db
        .select({ organizationId: projects.organizationId })
        .from(projects)
        .innerJoin(memberships, and(eq(memberships.organizationId, projects.organizationId), eq(memberships.userId, userId)))
        .where(eq(projects.id, id));
      return row !== undefined;
    },

    /** The organization with this slug, when the person belongs to it; null otherwise, whether it exists or not. */
    async organizationOfMember(userId: number, slug: string): Promise<{ id: number; slug: string; name: string } | null> {
      const [row] = await db
        .select({ id: organizations.id, slug: organizations.slug, name: organizations.name })
        .from(organizations)
        .innerJoin(memberships, and(eq(memberships.organizationId, organizations.id), eq(memberships.userId, userId)))
        .where(eq(organizations.slug, slug));
      return row ?? null;
    },

    /** An organization's name, or a project's with its organization's ("Acme / Web"); null when it is gone. */
    async nameOf(scope: 'organization' | 'project', id: number): Promise<string | null> {
      if (scope === 'organization') {
        const [row] = await db.select({ name: organizations.name }).from(organizations).where(eq(organizations.id, id));
        return row?.name ?? null;
      }
      const [row] = await db
        .select({ organization: organizations.name, project: projects.name })
        .from(projects)
        .innerJoin(organizations, eq(organizations.id, projects.organizationId))
        .where(eq(projects.id, id));
      return row ? `${row.organization} / ${row.project}` : null;
    },

    /** The person's organizations with their projects, by name. */
    async of(userId: number): Promise<Place[]> {
      const rows = await db
        .select({ organizationId: organizations.id, name: organizations.name, slug: organizations.slug, projectId: projects.id, projectName: projects.name, projectSlug: projects.slug })
        .from(memberships)
        .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
        .leftJoin(projects, eq(projects.organizationId, organizations.id))
        .where(eq(memberships.userId, userId))
        .orderBy(organizations.name, projects.name);
      const places = new Map<number, Place>();
      for (const row of rows) {
        let place = places.get(row.organizationId);
        if (!place) {
          place = { organizationId: row.organizationId, name: row.name, slug: row.slug, projects: [] };
          places.set(row.organizationId, place);
        }
        if (row.projectId !== null && row.projectName !== null && row.projectSlug !== null) place.projects.push({ id: row.projectId, name: row.projectName, slug: row.projectSlug });
      }
      return [...places.values()];
    },
  };
}
