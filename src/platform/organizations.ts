import { and, asc, count, eq } from 'drizzle-orm';
import type { UserDirectory } from '../auth/users.ts';
import type { Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Actor } from '../lib/actor.ts';
import { membershipOf, pipelineIn, projectIn, type Membership } from './access.ts';
import { memberships, organizations, pipelines, projects, type OrganizationRole } from './tables.ts';
import type { MemberView, NotFound, OrganizationDetail, OrganizationSummary, OwnerOnly, PipelineView, ProjectView, ProjectWithPipelines } from './types.ts';

export type CreateOrganizationResult = { ok: true; organization: OrganizationSummary } | { ok: false; reason: 'slugTaken' };
export type OrganizationResult = { ok: true; organization: OrganizationDetail } | NotFound;
/** Who a question about an organization's members reads: the actor alone, or a page of members by name (`offset`, at most `limit`). */
export type MembersAsked = 'me' | { offset: number; limit: number };
export type QuestionPlaceResult =
  | { ok: true; organization: OrganizationSummary & { projects: ProjectWithPipelines[] }; members: Array<{ userId: number; name: string; email: string }>; memberTotal: number; firstMembers: Array<{ userId: number; name: string; email: string }> }
  | NotFound;
export type MembersResult = { ok: true; members: MemberView[] } | NotFound;
export type ChangeRoleResult = { ok: true; member: MemberView } | NotFound | OwnerOnly | { ok: false; reason: 'noSuchMember' | 'lastOwner' };
export type RemoveMemberResult = { ok: true } | NotFound | OwnerOnly | { ok: false; reason: 'noSuchMember' | 'lastOwner' };
export type ProjectsResult = { ok: true; projects: ProjectView[] } | NotFound;
export type CreateProjectResult = { ok: true; project: ProjectView } | NotFound | OwnerOnly | { ok: false; reason: 'slugTaken' };
export type PipelinesResult = { ok: true; pipelines: PipelineView[] } | NotFound;
export type CreatePipelineResult = { ok: true; pipeline: PipelineView } | NotFound | OwnerOnly | { ok: false; reason: 'nameTaken' };
export type PipelineResult = { ok: true; pipeline: PipelineView } | NotFound | OwnerOnly;

/** Where a pipeline is: its organization, optionally its project, and its id. */
export interface PipelineRef {
  organization: string;
  project?: string;
  pipelineId: number;
}

const notFound: NotFound = { ok: false, reason: 'notFound' };
const ownerOnly: OwnerOnly = { ok: false, reason: 'ownerOnly' };

const summaryOf = (membership: Membership): OrganizationSummary => ({
  id: membership.organization.id,
  name: membership.organization.name,
  slug: membership.organization.slug,
  role: membership.role,
  createdAt: membership.organization.createdAt,
});

const projectView = (row: typeof projects.$inferSelect): ProjectView => ({ id: row.id, name: row.name, slug: row.slug, createdAt: row.createdAt });
const pipelineView = (row: typeof pipelines.$inferSelect): PipelineView => ({
  id: row.id,
  projectId: row.projectId,
  name: row.name,
  notifyManualExecutions: row.notifyManualExecutions,
  createdAt: row.createdAt,
});

/** The organization's members (or the one given), by name, with their names and addresses from the user directory. */
async function membersOf(tx: Db, users: UserDirectory, organizationId: number, userId?: number): Promise<MemberView[]> {
  const rows = await tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), userId === undefined ? undefined : eq(memberships.userId, userId)));
  const profiles = await users.profiles(
    rows.map((row) => row.userId),
    tx,
  );
  return rows
    .flatMap((row) => {
      const profile = profiles.get(row.userId);
      return profile ? [{ userId: row.userId, name: profile.name, email: profile.email, role: row.role, joinedAt: row.joinedAt }] : [];
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.userId - b.userId));
}

async function ownerCount(tx: Db, organizationId: number): Promise<number> {
  const [row] = await tx
    .select({ total: count() })
    .from(memberships)
    .where(and(eq(memberships.organizationId, organizationId), eq(memberships.role, 'owner')));
  return row?.total ?? 0;
}

async function projectsWithPipelines(tx: Db, organizationId: number): Promise<ProjectWithPipelines[]> {
  const rows = await tx
    .select({ project: projects, pipeline: pipelines })
    .from(projects)
    .leftJoin(pipelines, eq(pipelines.projectId, projects.id))
    .where(eq(projects.organizationId, organizationId))
    .orderBy(asc(projects.name), asc(projects.id), asc(pipelines.name), asc(pipelines.id));
  const byId = new Map<number, ProjectWithPipelines>();
  for (const row of rows) {
    let project = byId.get(row.project.id);
    if (!project) {
      project = { ...projectView(row.project), pipelines: [] };
      byId.set(row.project.id, project);
    }
    if (row.pipeline) project.pipelines.push(pipelineView(row.pipeline));
  }
  return [...byId.values()];
}

/**
 * Organizations, their members and roles, projects and pipelines. Anyone may make an
 * organization (and becomes its owner); members read it; owners change it. An organization
 * always keeps an owner: the last one can be neither demoted nor removed, nor leave.
 */
export function createOrganizationService(db: Db, deps: { now: () => number; users: UserDirectory }) {
  /** Runs `work` for a member of the organization in one transaction; not a member → not found. */
  const asMember = <T>(actor: Actor, slug: string, work: (tx: Db, membership: Membership) => Promise<T>): Promise<T | NotFound> =>
    inTransaction(db, async (tx) => {
      const membership = await membershipOf(tx, actor, slug);
      return membership ? work(tx, membership) : notFound;
    });
  /** As asMember, for changes only an owner may make. */
  const asOwner = <T>(actor: Actor, slug: string, work: (tx: Db, membership: Membership) => Promise<T>): Promise<T | NotFound | OwnerOnly> =>
    asMember<T | OwnerOnly>(actor, slug, async (tx, membership) => (membership.role === 'owner' ? work(tx, membership) : ownerOnly));

  return {
    /** The organizations the actor belongs to, by name. */
    async mine(actor: Actor): Promise<OrganizationSummary[]> {
      const rows = await db
        .select({ organization: organizations, role: memberships.role })
        .from(memberships)
        .innerJoin(organizations, eq(organizations.id, memberships.organizationId))
        .where(eq(memberships.userId, actor.userId))
        .orderBy(asc(organizations.name), asc(organizations.id));
      return rows.map(summaryOf);
    },

    async create(actor: Actor, input: { name: string; slug: string }): Promise<CreateOrganizationResult> {
      return inTransaction(db, async (tx) => {
        const [taken] = await tx.select({ id: organizations.id }).from(organizations).where(eq(organizations.slug, input.slug));
        if (taken) return { ok: false, reason: 'slugTaken' } as const;
        const createdAt = new Date(deps.now());
        const [organization] = await tx.insert(organizations).values({ name: input.name, slug: input.slug, createdAt }).returning();
        if (!organization) throw new Error('the organization was not stored');
        await tx.insert(memberships).values({ organizationId: organization.id, userId: actor.userId, role: 'owner', joinedAt: createdAt });
        return { ok: true, organization: summaryOf({ organization, role: 'owner' }) } as const;
      });
    },

    /** One organization with its projects, their pipelines, and its members. */
    async find(actor: Actor, slug: string): Promise<OrganizationResult> {
      return asMember(actor, slug, async (tx, membership) => ({
        ok: true as const,
        organization: { ...summaryOf(membership), projects: await projectsWithPipelines(tx, membership.organization.id), members: await membersOf(tx, deps.users, membership.organization.id) },
      }));
    },

    /**
     * The organization with its projects and pipelines, and only the members asked for: the actor
     * alone (`me`), or, for an owner, one page of members by name with how many there are and the
     * first `limit` by name (for pickers), in a fixed number of queries whatever the member count.
     */
    async forQuestion(actor: Actor, slug: string, asked: MembersAsked): Promise<QuestionPlaceResult> {
      return asMember(actor, slug, async (tx, membership) => {
        const organizationId = membership.organization.id;
        const projects = await projectsWithPipelines(tx, organizationId);
        const organization = { ...summaryOf(membership), projects };
        if (asked === 'me') {
          const me = await membersOf(tx, deps.users, organizationId, actor.userId);
          const members = me.map((member) => ({ userId: member.userId, name: member.name, email: member.email }));
          return { ok: true as const, organization, members, memberTotal: members.length, firstMembers: members };
        }
        // Only owners look at everyone: a member's answer is refused upstream, and reads no one.
        if (membership.role !== 'owner') return { ok: true as const, organization, members: [], memberTotal: 0, firstMembers: [] };
        const memberIds = tx.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.organizationId, organizationId));
        const byName = (offset: number, limit: number) => deps.users.pageByName(memberIds, { offset, limit }, tx);
        const [totalRow] = await tx.select({ total: count() }).from(memberships).where(eq(memberships.organizationId, organizationId));
        const members = await byName(asked.offset, asked.limit);
        const firstMembers = asked.offset === 0 ? members : await byName(0, asked.limit);
        return { ok: true as const, organization, members, memberTotal: totalRow?.total ?? 0, firstMembers };
      });
    },

    /** The organization alone (name, address, the actor's role), for a page's heading and navigation: one query. */
    async summary(actor: Actor, slug: string): Promise<{ ok: true; organization: OrganizationSummary } | NotFound> {
      const membership = await membershipOf(db, actor, slug);
      return membership ? { ok: true, organization: summaryOf(membership) } : notFound;
    },

    async members(actor: Actor, slug: string): Promise<MembersResult> {
      return asMember(actor, slug, async (tx, membership) => ({ ok: true as const, members: await membersOf(tx, deps.users, membership.organization.id) }));
    },

    async changeRole(actor: Actor, slug: string, userId: number, role: OrganizationRole): Promise<ChangeRoleResult> {
      return asOwner(actor, slug, async (tx, { organization }): Promise<ChangeRoleResult> => {
        const [member] = await membersOf(tx, deps.users, organization.id, userId);
        if (!member) return { ok: false, reason: 'noSuchMember' };
        if (member.role === 'owner' && role !== 'owner' && (await ownerCount(tx, organization.id)) <= 1) return { ok: false, reason: 'lastOwner' };
        await tx
          .update(memberships)
          .set({ role })
          .where(and(eq(memberships.organizationId, organization.id), eq(memberships.userId, userId)));
        return { ok: true, member: { ...member, role } };
      });
    },

    /** An owner removes anyone; a member can only leave (remove themselves). Never the last owner. */
    async removeMember(actor: Actor, slug: string, userId: number): Promise<RemoveMemberResult> {
      return asMember(actor, slug, async (tx, membership): Promise<RemoveMemberResult> => {
        const { organization } = membership;
        if (membership.role !== 'owner' && userId !== actor.userId) return ownerOnly;
        const [member] = await membersOf(tx, deps.users, organization.id, userId);
        if (!member) return { ok: false, reason: 'noSuchMember' };
        if (member.role === 'owner' && (await ownerCount(tx, organization.id)) <= 1) return { ok: false, reason: 'lastOwner' };
        await tx.delete(memberships).where(and(eq(memberships.organizationId, organization.id), eq(memberships.userId, userId)));
        return { ok: true };
      });
    },

    async projects(actor: Actor, slug: string): Promise<ProjectsResult> {
      return asMember(actor, slug, async (tx, { organization }) => {
        const rows = await tx.select().from(projects).where(eq(projects.organizationId, organization.id)).orderBy(asc(projects.name), asc(projects.id));
        return { ok: true as const, projects: rows.map(projectView) };
      });
    },

    async createProject(actor: Actor, slug: string, input: { name: string; slug: string }): Promise<CreateProjectResult> {
      return asOwner(actor, slug, async (tx, { organization }): Promise<CreateProjectResult> => {
        if (await projectIn(tx, organization.id, input.slug)) return { ok: false, reason: 'slugTaken' };
        const [row] = await tx.insert(projects).values({ organizationId: organization.id, name: input.name, slug: input.slug, createdAt: new Date(deps.now()) }).returning();
        if (!row) throw new Error('the project was not stored');
        return { ok: true, project: projectView(row) };
      });
    },

    async pipelines(actor: Actor, slug: string, projectSlug: string): Promise<PipelinesResult> {
      return asMember(actor, slug, async (tx, { organization }): Promise<PipelinesResult> => {
        const project = await projectIn(tx, organization.id, projectSlug);
        if (!project) return notFound;
        const rows = await tx.select().from(pipelines).where(eq(pipelines.projectId, project.id)).orderBy(asc(pipelines.name), asc(pipelines.id));
        return { ok: true, pipelines: rows.map(pipelineView) };
      });
    },

    async createPipeline(actor: Actor, slug: string, projectSlug: string, input: { name: string; notifyManualExecutions?: boolean }): Promise<CreatePipelineResult> {
      return asOwner(actor, slug, async (tx, { organization }): Promise<CreatePipelineResult> => {
        const project = await projectIn(tx, organization.id, projectSlug);
        if (!project) return notFound;
        const [taken] = await tx
          .select({ id: pipelines.id })
          .from(pipelines)
          .where(and(eq(pipelines.projectId, project.id), eq(pipelines.name, input.name)));
        if (taken) return { ok: false, reason: 'nameTaken' };
        const [row] = await tx
          .insert(pipelines)
          .values({ projectId: project.id, name: input.name, notifyManualExecutions: input.notifyManualExecutions ?? false, createdAt: new Date(deps.now()) })
          .returning();
        if (!row) throw new Error('the pipeline was not stored');
        return { ok: true, pipeline: pipelineView(row) };
      });
    },

    /** The CI/CD product's "report notifications for manual executions" switch of one pipeline. */
    async setNotifyManualExecutions(actor: Actor, ref: PipelineRef, notifyManualExecutions: boolean): Promise<PipelineResult> {
      return asMember(actor, ref.organization, async (tx, { organization, role }): Promise<PipelineResult> => {
        const found = await pipelineIn(tx, organization.id, ref.pipelineId, ref.project);
        if (!found) return notFound;
        if (role !== 'owner') return ownerOnly;
        const [row] = await tx.update(pipelines).set({ notifyManualExecutions }).where(eq(pipelines.id, found.pipeline.id)).returning();
        if (!row) throw new Error('the pipeline was not updated');
        return { ok: true, pipeline: pipelineView(row) };
      });
    },
  };
}
