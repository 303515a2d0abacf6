import { and, eq, sql } from 'drizzle-orm';
import { reusableQuery, type Db } from '../db/client.ts';
import type { Actor } from '../lib/actor.ts';
import { memberships, organizations, pipelines, projects, type OrganizationRole } from './tables.ts';

export type OrganizationRow = typeof organizations.$inferSelect;

export interface Membership {
  organization: OrganizationRow;
  role: OrganizationRole;
}

const membershipQuery = reusableQuery((db) =>
  db
    .select({ organization: organizations, role: memberships.role })
    .from(organizations)
    .innerJoin(memberships, and(eq(memberships.organizationId, organizations.id), eq(memberships.userId, sql.placeholder('userId'))))
    .where(eq(organizations.slug, sql.placeholder('slug')))
    .prepare(),
);

/**
 * The organization with this slug, when the actor is one of its members; otherwise null, whether
 * it does not exist or the actor is not in it. Every platform query starts here, so what is not
 * the actor's is not found (SECURITY.md rule 24).
 */
export async function membershipOf(tx: Db, actor: Actor, slug: string): Promise<Membership | null> {
  const [row] = await membershipQuery(tx).execute({ userId: actor.userId, slug });
  return row ?? null;
}

const memberQuery = reusableQuery((db) =>
  db
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(and(eq(memberships.organizationId, sql.placeholder('organizationId')), eq(memberships.userId, sql.placeholder('userId'))))
    .prepare(),
);

export async function isMember(tx: Db, organizationId: number, userId: number): Promise<boolean> {
  const [row] = await memberQuery(tx).execute({ organizationId, userId });
  return row !== undefined;
}

export async function projectIn(tx: Db, organizationId: number, slug: string): Promise<typeof projects.$inferSelect | null> {
  const [row] = await tx
    .select()
    .from(projects)
    .where(and(eq(projects.organizationId, organizationId), eq(projects.slug, slug)));
  return row ?? null;
}

const pipelineQuery = reusableQuery((db) =>
  db
    .select({ pipeline: pipelines, project: projects })
    .from(pipelines)
    .innerJoin(projects, eq(projects.id, pipelines.projectId))
    .where(and(eq(pipelines.id, sql.placeholder('pipelineId')), eq(projects.organizationId, sql.placeholder('organizationId'))))
    .prepare(),
);

/** A pipeline of the organization (optionally of one of its projects); one of another organization is not found. */
export async function pipelineIn(
  tx: Db,
  organizationId: number,
  pipelineId: number,
  projectSlug?: string,
): Promise<{ pipeline: typeof pipelines.$inferSelect; project: typeof projects.$inferSelect } | null> {
  const [row] =
    projectSlug === undefined
      ? await pipelineQuery(tx).execute({ pipelineId, organizationId })
      : await tx
          .select({ pipeline: pipelines, project: projects })
          .from(pipelines)
          .innerJoin(projects, eq(projects.id, pipelines.projectId))
          .where(and(eq(pipelines.id, pipelineId), eq(projects.organizationId, organizationId), eq(projects.slug, projectSlug)));
  return row ?? null;
}
