import type { MailContent } from '../mail/compose.ts';
import type { Decision, DecidedEvent } from './decide.ts';
import type { ActivityNotice, BuildNotice, DeployNotice, IssueEventNotice } from './notice-types.ts';

type Translate = (key: string, values?: Record<string, unknown>) => string;
type Reached = Extract<Decision, { gets: true }>;

/** An event ready to be decided on and written about: who may hear of it, and the message for one reader. */
export interface Notice {
  event: DecidedEvent;
  memberIds: readonly number[];
  /** The names of its organization and project, for "turn these off for …". */
  names: { organization: string; project: string };
  /** The message for one person who hears of it, in their words (`t`). */
  content(t: Translate, decision: Reached): MailContent;
}

const firstLine = (text: string) => (text.split('\n')[0] ?? '').slice(0, 200);

/** A finished build; null while it runs (its finished report brings work of its own). */
export function buildNotice(build: BuildNotice, link: (path: string) => string): Notice | null {
  if (build.status === 'running' || !build.finishedAt) return null;
  const finishedAt = build.finishedAt;
  return {
    event: {
      kind: 'build',
      place: { organizationId: build.organizationId, projectId: build.projectId },
      status: build.status,
      trigger: build.trigger,
      pipelineReportsManual: build.pipelineReportsManual,
      startedBy: build.startedBy,
    },
    memberIds: build.memberIds,
    names: { organization: build.organizationName, project: build.projectName },
    content: (t, decision) => ({
      kind: 'build-email',
      key: 'buildFinished',
      when: finishedAt,
      values: {
        build: build.externalId,
        pipeline: build.pipelineName,
        project: build.projectName,
        organization: build.organizationName,
        status: t(`mail.buildFinished.status.${build.status}`),
        setting: t(`mail.buildFinished.setting.${decision.value}`),
        sha: build.commit.sha.slice(0, 12),
        author: build.commit.authorName,
        message: firstLine(build.commit.message),
        settingsUrl: link('/settings/notifications'),
      },
      paragraphs: ['intro', 'commit', 'why'],
      action: { url: link(`/orgs/${build.organizationSlug}/builds`) },
    }),
  };
}

export function deployNotice(deploy: DeployNotice, link: (path: string) => string): Notice {
  return {
    event: { kind: 'deploy', place: { organizationId: deploy.organizationId, projectId: deploy.projectId }, commitAuthorEmails: deploy.commitAuthorEmails },
    memberIds: deploy.memberIds,
    names: { organization: deploy.organizationName, project: deploy.projectName },
    content: (t, decision) => ({
      kind: 'deploy',
      key: 'deployFinished',
      when: deploy.finishedAt,
      values: {
        version: deploy.version,
        environment: deploy.environment,
        project: deploy.projectName,
        organization: deploy.organizationName,
        commits: deploy.commitAuthorEmails.length,
        setting: t(`mail.deployFinished.setting.${decision.value}`),
        settingsUrl: link('/settings/notifications'),
      },
      paragraphs: ['intro', 'why'],
      action: { url: link(`/orgs/${deploy.organizationSlug}`) },
    }),
  };
}

export function newIssueNotice(issue: IssueEventNotice, link: (path: string) => string): Notice {
  return {
    event: { kind: 'issueAlert', place: { organizationId: issue.organizationId, projectId: issue.projectId } },
    memberIds: issue.memberIds,
    names: { organization: issue.organizationName, project: issue.projectName },
    content: (t) => ({
      kind: 'issue-alert',
      key: 'issueNew',
      when: issue.occurredAt,
      // The level in the reader's words, as the pages and the weekly report write it.
      values: { title: firstLine(issue.title), level: t(`orgs.issueLevels.${issue.level}`), project: issue.projectName, organization: issue.organizationName, message: firstLine(issue.message), settingsUrl: link('/settings/notifications') },
      paragraphs: ['intro', 'message', 'why'],
      action: { url: link(`/orgs/${issue.organizationSlug}/issues/${issue.issueId}`) },
    }),
  };
}

/**
 * Something done to an issue: a regression is an alert (as a new issue is); assignment,
 * resolution and comments are workflow, for those who follow the issue unless they chose otherwise.
 */
export function activityNotice(activity: ActivityNotice, link: (path: string) => string, nameOf: (userId: number | null) => string): Notice {
  const place = { organizationId: activity.organizationId, projectId: activity.projectId };
  const values = {
    title: firstLine(activity.title),
    project: activity.projectName,
    organization: activity.organizationName,
    actor: nameOf(activity.actorId),
    assignee: nameOf(activity.assigneeId),
    comment: (activity.comment ?? '').slice(0, 1000),
    settingsUrl: link('/settings/notifications'),
  };
  const action = { url: link(`/orgs/${activity.organizationSlug}/issues/${activity.issueId}`) };
  if (activity.kind === 'regressed') {
    return {
      event: { kind: 'issueAlert', place },
      memberIds: activity.memberIds,
      names: { organization: activity.organizationName, project: activity.projectName },
      content: () => ({ kind: 'issue-alert', key: 'issueRegressed', when: activity.at, values, paragraphs: ['intro', 'why'], action }),
    };
  }
  return {
    event: { kind: 'workflow', place, actorUserId: activity.actorId, subscriberIds: activity.subscriberIds },
    memberIds: activity.memberIds,
    names: { organization: activity.organizationName, project: activity.projectName },
    content: (t, decision) => ({
      kind: 'workflow',
      key: 'issueWorkflow',
      when: activity.at,
      values: { ...values, what: t(`mail.issueWorkflow.kinds.${activity.kind}`, values), setting: t(`mail.issueWorkflow.setting.${decision.value}`) },
      paragraphs: activity.kind === 'comment' ? ['intro', 'comment', 'why'] : ['intro', 'why'],
      action,
    }),
  };
}
