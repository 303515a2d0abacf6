import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Actor } from '../lib/actor.ts';
import { membershipOf, type Membership } from './access.ts';
import { pageBounds, pageOf } from './paging.ts';
import { builds, deployCommits, deploys, issues, pipelines, projects, type BuildStatus, type IssueStatus } from './tables.ts';
import type { BuildView, DeployView, IssueSummary, NotFound, Page, PageRequest } from './types.ts';

export type BuildsResult = { ok: true; builds: Page<BuildView> } | NotFound;
export type DeploysResult = { ok: true; deploys: Page<DeployView> } | NotFound;
export type IssuesResult = { ok: true; issues: Page<IssueSummary> } | NotFound;

export interface BuildFilter extends PageRequest {
  pipelineId?: number;
  status?: BuildStatus;
}

export interface IssueFilter extends PageRequest {
  status?: IssueStatus;
  project?: string;
}

const notFound: NotFound = { ok: false, reason: 'notFound' };
const projectRef = (row: typeof projects.$inferSelect) => ({ id: row.id, name: row.name, slug: row.slug });

export function buildView(row: typeof builds.$inferSelect, pipeline: typeof pipelines.$inferSelect, project: typeof projects.$inferSelect): BuildView {
  return {
    id: row.id,
    buildId: row.externalId,
    pipeline: { id: pipeline.id, name: pipeline.name },
    project: projectRef(project),
    status: row.status,
    trigger: row.trigger,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    commit: { sha: row.commitSha, message: row.commitMessage, authorName: row.commitAuthorName, authorEmail: row.commitAuthorEmail },
    startedBy: row.startedBy,
  };
}

export function issueSummary(row: typeof issues.$inferSelect, project: typeof projects.$inferSelect): IssueSummary {
  return {
    id: row.id,
    project: projectRef(project),
    title: row.title,
    level: row.level,
    status: row.status,
    assigneeId: row.assigneeId,
    firstSeen: row.firstSeen,
    lastSeen: row.lastSeen,
    eventCount: row.eventCount,
  };
}

/** Deploys with their commits, in the order given: two queries whatever the number. */
export async function deployViews(tx: Db, rows: Array<{ deploy: typeof deploys.$inferSelect; project: typeof projects.$inferSelect }>): Promise<DeployView[]> {
  const ids = rows.map((row) => row.deploy.id);
  const commits = ids.length === 0 ? [] : await tx.select().from(deployCommits).where(inArray(deployCommits.deployId, ids)).orderBy(asc(deployCommits.deployId));
  const byDeploy = new Map<number, Array<{ sha: string; authorEmail: string }>>();
  for (const commit of commits) {
    const list = byDeploy.get(commit.deployId) ?? [];
    list.push({ sha: commit.sha, authorEmail: commit.authorEmail });
    byDeploy.set(commit.deployId, list);
  }
  return rows.map(({ deploy, project }) => ({
    id: deploy.id,
    project: projectRef(project),
    environment: deploy.environment,
    version: deploy.version,
    finishedAt: deploy.finishedAt,
    commits: byDeploy.get(deploy.id) ?? [],
  }));
}

/** What happened in an organization, for its members: builds, deploys and issues, newest first, a page at a time. */
export function createFeedService(db: Db) {
  const asMember = <T>(actor: Actor, slug: string, work: (tx: Db, membership: Membership) => Promise<T>): Promise<T | NotFound> =>
    inTransaction(db, async (tx) => {
      const membership = await membershipOf(tx, actor, slug);
      return membership ? work(tx, membership) : notFound;
    });

  return {
    /** Recent builds, newest start first, optionally of one pipeline and one status. */
    async builds(actor: Actor, slug: string, filter: BuildFilter = {}): Promise<BuildsResult> {
      return asMember(actor, slug, async (tx, { organization }) => {
        const bounds = pageBounds(filter);
        const rows = await tx
          .select({ build: builds, pipeline: pipelines, project: projects })
          .from(builds)
          .innerJoin(pipelines, eq(pipelines.id, builds.pipelineId))
          .innerJoin(projects, eq(projects.id, pipelines.projectId))
          .where(
            and(
              eq(builds.organizationId, organization.id),
              filter.pipelineId === undefined ? undefined : eq(builds.pipelineId, filter.pipelineId),
              filter.status === undefined ? undefined : eq(builds.status, filter.status),
            ),
          )
          .orderBy(desc(builds.startedAt), desc(builds.id))
          .limit(bounds.limit)
          .offset(bounds.offset);
        return { ok: true as const, builds: pageOf(rows.map((row) => buildView(row.build, row.pipeline, row.project)), bounds) };
      });
    },

    /** Recent deploys, newest finish first, with the commits each brought. */
    async deploys(actor: Actor, slug: string, request: PageRequest = {}): Promise<DeploysResult> {
      return asMember(actor, slug, async (tx, { organization }) => {
        const bounds = pageBounds(request);
        const rows = await tx
          .select({ deploy: deploys, project: projects })
          .from(deploys)
          .innerJoin(projects, eq(projects.id, deploys.projectId))
          .where(eq(deploys.organizationId, organization.id))
          .orderBy(desc(deploys.finishedAt), desc(deploys.id))
          .limit(bounds.limit)
          .offset(bounds.offset);
        return { ok: true as const, deploys: pageOf(await deployViews(tx, rows), bounds) };
      });
    },

    /** Issues, the most recently seen first, optionally of one status and one project. */
    async issues(actor: Actor, slug: string, filter: IssueFilter = {}): Promise<IssuesResult> {
      return asMember(actor, slug, async (tx, { organization }) => {
        const bounds = pageBounds(filter);
        const rows = await tx
          .select({ issue: issues, project: projects })
          .from(issues)
          .innerJoin(projects, eq(projects.id, issues.projectId))
          .where(
            and(
              eq(issues.organizationId, organization.id),
              filter.status === undefined ? undefined : eq(issues.status, filter.status),
              filter.project === undefined ? undefined : eq(projects.slug, filter.project),
            ),
          )
          .orderBy(desc(issues.lastSeen), desc(issues.id))
          .limit(bounds.limit)
          .offset(bounds.offset);
        return { ok: true as const, issues: pageOf(rows.map((row) => issueSummary(row.issue, row.project)), bounds) };
      });
    },
  };
}
