import { and, asc, eq, gte, inArray, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { builds, issueActivity, issueEvents, issues, organizations, pipelines, projects, type BuildStatus, type IssueLevel } from './tables.ts';

/**
 * The reading behind weekly reports (src/reports/): an organization's builds and error events over a
 * span, compact enough to hold a large organization's fortnight in a few megabytes.
 */

/** Most severe first: `bucketLevel` indexes this list. */
export const levelsShown: readonly IssueLevel[] = ['fatal', 'error', 'warning', 'info', 'debug'];
/** `buildStatus` codes. */
export const statusCodes: Record<BuildStatus, number> = { running: 0, success: 1, failed: 2, terminated: 3 };
/**
 * Events are counted per quarter hour: every zone in use is a whole number of quarter hours from
 * UTC (Kathmandu +5:45, Chatham +12:45), so a quarter hour never straddles a reader's midnight.
 */
export const slotMs = 15 * 60_000;

export interface ProjectInfo {
  id: number;
  name: string;
}

export interface PipelineInfo {
  id: number;
  name: string;
  project: ProjectInfo;
}

export interface IssueInfo {
  id: number;
  projectId: number;
  title: string;
  level: string;
  status: 'unresolved' | 'resolved';
  firstSeen: number;
  /** Its resolutions, reopenings and regressions since the window began, oldest first. */
  changes: Array<{ at: number; kind: 'resolved' | 'unresolved' | 'regressed' }>;
}

/** What happened in an organization between two instants, read once, held compactly. */
export interface OrganizationActivity {
  organization: { id: number; slug: string; name: string };
  projects: ProjectInfo[];
  projectIds: Set<number>;
  pipelines: PipelineInfo[];
  /** Builds: index of the pipeline in `pipelines`, status code, start, duration (ms; NaN while running). */
  buildPipeline: Uint32Array;
  buildStatus: Uint8Array;
  buildStart: Float64Array;
  buildDuration: Float64Array;
  issues: IssueInfo[];
  /** Event counts per (issue, level, quarter hour): issue index in `issues`, level index in `levelsShown`, slot start, count. */
  bucketIssue: Uint32Array;
  bucketLevel: Uint8Array;
  bucketStart: Float64Array;
  bucketCount: Uint32Array;
}

/**
 * Everything an organization's weekly report counts, from `from` to `to`, in six queries whatever
 * its size: the organization; its projects and pipelines; the builds started in the span; the issues
 * seen in it, or resolved, reopened or regressed in it; those changes; and the events counted per
 * issue, level and quarter hour. Null when the organization does not exist.
 */
export async function readOrganizationActivity(db: Db, organizationId: number, span: { from: number; to: number }): Promise<OrganizationActivity | null> {
  const [organization] = await db.select({ id: organizations.id, slug: organizations.slug, name: organizations.name }).from(organizations).where(eq(organizations.id, organizationId));
  if (!organization) return null;
  const from = new Date(span.from);
  const to = new Date(span.to);

  const placeRows = await db
    .select({ projectId: projects.id, projectName: projects.name, pipelineId: pipelines.id, pipelineName: pipelines.name })
    .from(projects)
    .leftJoin(pipelines, eq(pipelines.projectId, projects.id))
    .where(eq(projects.organizationId, organizationId))
    .orderBy(asc(projects.name), asc(projects.id), asc(pipelines.name), asc(pipelines.id));
  const projectById = new Map<number, ProjectInfo>();
  const pipelineList: PipelineInfo[] = [];
  const pipelineIndex = new Map<number, number>();
  for (const row of placeRows) {
    let project = projectById.get(row.projectId);
    if (!project) {
      project = { id: row.projectId, name: row.projectName };
      projectById.set(project.id, project);
    }
    if (row.pipelineId !== null && row.pipelineName !== null) {
      pipelineIndex.set(row.pipelineId, pipelineList.length);
      pipelineList.push({ id: row.pipelineId, name: row.pipelineName, project });
    }
  }

  const buildRows = await db
    .select({ pipelineId: builds.pipelineId, status: builds.status, startedAt: builds.startedAt, finishedAt: builds.finishedAt })
    .from(builds)
    .where(and(eq(builds.organizationId, organizationId), gte(builds.startedAt, from), lt(builds.startedAt, to)));
  const buildPipeline = new Uint32Array(buildRows.length);
  const buildStatus = new Uint8Array(buildRows.length);
  const buildStart = new Float64Array(buildRows.length);
  const buildDuration = new Float64Array(buildRows.length);
  let buildCount = 0;
  for (const row of buildRows) {
    const index = pipelineIndex.get(row.pipelineId);
    if (index === undefined) continue;
    buildPipeline[buildCount] = index;
    buildStatus[buildCount] = statusCodes[row.status];
    buildStart[buildCount] = row.startedAt.getTime();
    buildDuration[buildCount] = row.status === 'running' || row.finishedAt === null ? Number.NaN : Math.max(0, row.finishedAt.getTime() - row.startedAt.getTime());
    buildCount += 1;
  }

  // Issues seen in the window (first seen before it ends, last seen after it begins), or resolved,
  // reopened or regressed in it.
  const changeKinds = ['resolved', 'unresolved', 'regressed'] as const;
  const changedIssues = db
    .select({ issueId: issueActivity.issueId })
    .from(issueActivity)
    .innerJoin(issues, eq(issues.id, issueActivity.issueId))
    .where(and(eq(issues.organizationId, organizationId), gte(issueActivity.at, from), lt(issueActivity.at, to), inArray(issueActivity.kind, [...changeKinds])));
  const issueSelected = and(eq(issues.organizationId, organizationId), lt(issues.firstSeen, to), or(gte(issues.lastSeen, from), inArray(issues.id, changedIssues)));
  const issueRows = await db
    .select({ id: issues.id, projectId: issues.projectId, title: issues.title, level: issues.level, status: issues.status, firstSeen: issues.firstSeen })
    .from(issues)
    .where(issueSelected)
    .orderBy(asc(issues.id));
  const issueIndex = new Map<number, number>();
  const issueList: IssueInfo[] = issueRows.map((row, index) => {
    issueIndex.set(row.id, index);
    return { id: row.id, projectId: row.projectId, title: row.title, level: row.level, status: row.status, firstSeen: row.firstSeen.getTime(), changes: [] };
  });
  // The selected issues' changes in the window, and each one's first change after it: all a status
  // at the week's end needs (the builder's `statusAt`), however long the history since.
  const firstChangeAfter = sql`${issueActivity.id} = (select later.id from issue_activity later where later.issue_id = ${issueActivity.issueId} and later.at >= ${to.getTime()} and later.kind in ('resolved', 'unresolved', 'regressed') order by later.at, later.id limit 1)`;
  const changeRows = await db
    .select({ issueId: issueActivity.issueId, kind: issueActivity.kind, at: issueActivity.at })
    .from(issueActivity)
    .where(
      and(
        inArray(issueActivity.issueId, db.select({ id: issues.id }).from(issues).where(issueSelected)),
        gte(issueActivity.at, from),
        inArray(issueActivity.kind, [...changeKinds]),
        or(lt(issueActivity.at, to), firstChangeAfter),
      ),
    )
    .orderBy(asc(issueActivity.at), asc(issueActivity.id));
  for (const row of changeRows) {
    const index = issueIndex.get(row.issueId);
    const kind = row.kind;
    if (index !== undefined && (kind === 'resolved' || kind === 'unresolved' || kind === 'regressed')) issueList[index]?.changes.push({ at: row.at.getTime(), kind });
  }

  const slot = sql<number>`${issueEvents.occurredAt} / ${slotMs}`;
  const bucketRows = await db
    .select({ issueId: issueEvents.issueId, level: issueEvents.level, slot, events: sql<number>`count(*)` })
    .from(issueEvents)
    .innerJoin(issues, eq(issues.id, issueEvents.issueId))
    .where(and(eq(issues.organizationId, organizationId), gte(issues.lastSeen, from), gte(issueEvents.occurredAt, from), lt(issueEvents.occurredAt, to)))
    .groupBy(issueEvents.issueId, issueEvents.level, slot);
  const bucketIssue = new Uint32Array(bucketRows.length);
  const bucketLevel = new Uint8Array(bucketRows.length);
  const bucketStart = new Float64Array(bucketRows.length);
  const bucketCount = new Uint32Array(bucketRows.length);
  let bucketTotal = 0;
  for (const row of bucketRows) {
    const index = issueIndex.get(row.issueId);
    if (index === undefined) continue;
    bucketIssue[bucketTotal] = index;
    bucketLevel[bucketTotal] = Math.max(0, levelsShown.indexOf(row.level));
    bucketStart[bucketTotal] = Number(row.slot) * slotMs;
    bucketCount[bucketTotal] = Number(row.events);
    bucketTotal += 1;
  }

  return {
    organization,
    projects: [...projectById.values()],
    projectIds: new Set(projectById.keys()),
    pipelines: pipelineList,
    buildPipeline: buildPipeline.subarray(0, buildCount),
    buildStatus: buildStatus.subarray(0, buildCount),
    buildStart: buildStart.subarray(0, buildCount),
    buildDuration: buildDuration.subarray(0, buildCount),
    issues: issueList,
    bucketIssue: bucketIssue.subarray(0, bucketTotal),
    bucketLevel: bucketLevel.subarray(0, bucketTotal),
    bucketStart: bucketStart.subarray(0, bucketTotal),
    bucketCount: bucketCount.subarray(0, bucketTotal),
  };
}

