import { and, eq, min, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { ActivityNotice, BuildNotice, DeployNotice, IssueEventNotice, IssueNotice, NoticePlace } from '../notify/notice-types.ts';
import { builds, deployCommits, deploys, issueActivity, issueEvents, issues, issueSubscriptions, memberships, organizations, pipelines, projects } from './tables.ts';



/** What the dispatcher reads of the platform's events, in a fixed number of queries whatever the member count. */
export function createNoticeEvents(db: Db) {
  // Asked for every event dispatched: built once.
  const membersOf = db.select({ userId: memberships.userId }).from(memberships).where(eq(memberships.organizationId, sql.placeholder('organizationId'))).prepare();
  const buildById = db
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
    .where(eq(builds.id, sql.placeholder('buildId')))
    .prepare();
  const memberIdsOf = async (organizationId: number) => (await membersOf.execute({ organizationId })).map((member) => member.userId);

  const placeOf = async (projectId: number): Promise<NoticePlace | null> => {
    const [row] = await db
      .select({ organizationId: organizations.id, organizationSlug: organizations.slug, organizationName: organizations.name, projectId: projects.id, projectName: projects.name })
      .from(projects)
      .innerJoin(organizations, eq(organizations.id, projects.organizationId))
      .where(eq(projects.id, projectId));
    if (!row) return null;
    return { ...row, memberIds: await memberIdsOf(row.organizationId) };
  };

  const issueOf = async (issueId: number): Promise<IssueNotice | null> => {
    const [issue] = await db.select({ id: issues.id, projectId: issues.projectId, title: issues.title, level: issues.level }).from(issues).where(eq(issues.id, issueId));
    const place = issue ? await placeOf(issue.projectId) : null;
    return issue && place ? { ...place, issueId: issue.id, title: issue.title, level: issue.level } : null;
  };

  return {
    async deploy(deployId: number): Promise<DeployNotice | null> {
      const [deploy] = await db.select().from(deploys).where(eq(deploys.id, deployId));
      const place = deploy ? await placeOf(deploy.projectId) : null;
      if (!deploy || !place) return null;
      const commits = await db.select({ authorEmail: deployCommits.authorEmail }).from(deployCommits).where(eq(deployCommits.deployId, deployId));
      return { ...place, deployId, environment: deploy.environment, version: deploy.version, finishedAt: deploy.finishedAt, commitAuthorEmails: commits.map((commit) => commit.authorEmail) };
    },

    /** The event when it opened its issue (its first); null for a later event or one that is gone. */
    async newIssue(eventId: number): Promise<IssueEventNotice | null> {
      const [event] = await db.select({ issueId: issueEvents.issueId, occurredAt: issueEvents.occurredAt, message: issueEvents.message }).from(issueEvents).where(eq(issueEvents.id, eventId));
      if (!event) return null;
      const [first] = await db.select({ id: min(issueEvents.id) }).from(issueEvents).where(eq(issueEvents.issueId, event.issueId));
      if (first?.id !== eventId) return null;
      const issue = await issueOf(event.issueId);
      return issue && { ...issue, occurredAt: event.occurredAt, message: event.message };
    },

    async activity(activityId: number): Promise<ActivityNotice | null> {
      const [activity] = await db.select().from(issueActivity).where(eq(issueActivity.id, activityId));
      const issue = activity ? await issueOf(activity.issueId) : null;
      if (!activity || !issue) return null;
      const followers = await db
        .select({ userId: issueSubscriptions.userId })
        .from(issueSubscriptions)
        .where(and(eq(issueSubscriptions.issueId, activity.issueId), eq(issueSubscriptions.subscribed, true)));
      return {
        ...issue,
        kind: activity.kind,
        actorId: activity.actorId,
        assigneeId: activity.assigneeId,
        comment: activity.comment,
        at: activity.at,
        subscriberIds: followers.map((follower) => follower.userId),
      };
    },

    /** The build and its organization's members; null when it is gone. */
    async build(buildId: number): Promise<BuildNotice | null> {
      const [row] = await buildById.execute({ buildId });
      if (!row) return null;
      const { sha, message, authorName, ...build } = row;
      return { ...build, commit: { sha, message, authorName }, memberIds: await memberIdsOf(row.organizationId) };
    },
  };
}
