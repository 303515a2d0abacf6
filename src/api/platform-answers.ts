import type {
  BuildView,
  DeployView,
  IssueActivityView,
  IssueDetail,
  InvitationView,
  IssueSummary,
  MemberView,
  OrganizationDetail,
  OrganizationSummary,
  Page,
  PipelineView,
  ProjectView,
  ReceivedInvitation,
} from '../platform/service.ts';

/** The platform's values as the JSON API answers them: times as ISO 8601 text. */

export const organizationAnswer = (organization: OrganizationSummary) => ({
  id: organization.id,
  name: organization.name,
  slug: organization.slug,
  role: organization.role,
  createdAt: organization.createdAt.toISOString(),
});

export const pipelineAnswer = (pipeline: PipelineView) => ({
  id: pipeline.id,
  projectId: pipeline.projectId,
  name: pipeline.name,
  notifyManualExecutions: pipeline.notifyManualExecutions,
  createdAt: pipeline.createdAt.toISOString(),
});

export const projectAnswer = (project: ProjectView) => ({ id: project.id, name: project.name, slug: project.slug, createdAt: project.createdAt.toISOString() });

export const memberAnswer = (member: MemberView) => ({ userId: member.userId, name: member.name, email: member.email, role: member.role, joinedAt: member.joinedAt.toISOString() });

export const organizationDetailAnswer = (organization: OrganizationDetail) => ({
  ...organizationAnswer(organization),
  projects: organization.projects.map((project) => ({ ...projectAnswer(project), pipelines: project.pipelines.map(pipelineAnswer) })),
  members: organization.members.map(memberAnswer),
});

export const buildAnswer = (build: BuildView) => ({
  ...build,
  startedAt: build.startedAt.toISOString(),
  finishedAt: build.finishedAt?.toISOString() ?? null,
});

export const deployAnswer = (deploy: DeployView) => ({ ...deploy, finishedAt: deploy.finishedAt.toISOString() });

export const issueAnswer = (issue: IssueSummary) => ({
  id: issue.id,
  project: issue.project,
  title: issue.title,
  level: issue.level,
  status: issue.status,
  assigneeId: issue.assigneeId,
  firstSeen: issue.firstSeen.toISOString(),
  lastSeen: issue.lastSeen.toISOString(),
  eventCount: issue.eventCount,
});

export const activityAnswer = (activity: IssueActivityView) => ({ ...activity, at: activity.at.toISOString() });

export const issueDetailAnswer = (issue: IssueDetail) => ({
  ...issueAnswer(issue),
  latestEvent: issue.latestEvent ? { ...issue.latestEvent, occurredAt: issue.latestEvent.occurredAt.toISOString() } : null,
  activity: issue.activity.map(activityAnswer),
  subscribed: issue.subscribed,
});

export const pageAnswer = <T, A>(page: Page<T>, answer: (item: T) => A) => ({ items: page.items.map(answer), page: page.page, perPage: page.perPage, hasNext: page.hasNext });

export const invitationAnswer = (invitation: InvitationView) => ({ id: invitation.id, email: invitation.address, role: invitation.role, invitedAt: invitation.invitedAt.toISOString() });

export const receivedInvitationAnswer = (invitation: ReceivedInvitation) => ({
  id: invitation.id,
  organization: { name: invitation.organization.name, slug: invitation.organization.slug },
  role: invitation.role,
  invitedBy: invitation.invitedBy,
  invitedAt: invitation.invitedAt.toISOString(),
});
