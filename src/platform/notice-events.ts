import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { builds, memberships, organizations, pipelines, projects } from './tables.ts';

/** A finished or running build as a notice about it needs it: where, what, and who may hear of it. */
export interface BuildNotice {
  buildId: number;
  externalId: string;
  organizationId: number;
  organizationSlug: string;
  organizationName: string;
  projectId: number;
  projectName: string;
  pipelineName: string;
  pipelineReportsManual: boolean;
  status: 'running' | 'success' | 'failed' | 'terminated';
  trigger: 'push' | 'schedule' | 'manual' | 'api';
  startedBy: number | null;
  finishedAt: Date | null;
  commit: { sha: string; message: string; authorName: string };
  /** Everyone in the organization: every member can see every pipeline of it. */
  memberIds: number[];
}

/** What the dispatcher reads of the platform's events, in a fixed number of queries whatever the member count. */
export function createNoticeEvents(db: Db) {
  return {
    /** The build and its organization's members; null when it is gone. */
    async build(buildId: number): Promise<BuildNotice | null> {
      const [row] = await db
        .select({
          buildId: builds.id,
          externalId: builds.externalId,
          organizationId: builds.organizationId,
          organizationSlug: organizations.slug,
          organizationName: organizations.name,
          projectId: projects.id,
          projectName: projects.name,
          pipelineName: pipelines.name,
          pipelineReportsManual: pipelines.notifyManualExecutions,
          status: builds.status,
          trigger: builds.trigger,
          startedBy: builds.startedBy,
          finishedAt: builds.finishedAt,
          sha: builds.commitSha,
          message: builds.commitMessage,
          authorName: builds.commitAuthorName,
        })
        .from(builds)
        .innerJoin(pipelines, eq(pipelines.id, builds.pipelineId))
        .innerJoin(projects, eq(projects.id, pipelines.projectId))
        .innerJoin(organizations, eq(organizations.id, builds.organizationId))
        .where(eq(builds.id, buildId));
      if (!row) return null;
      const members = await db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.organizationId, row.organizationId));
      const { sha, message, authorName, ...build } = row;
      return { ...build, commit: { sha, message, authorName }, memberIds: members.map((member) => member.userId) };
    },
  };
}
