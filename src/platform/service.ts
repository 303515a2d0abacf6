import type { UserDirectory } from '../auth/users.ts';
import type { Db } from '../db/client.ts';
import { createFeedService } from './feeds.ts';
import { createInvitationService } from './invitations.ts';
import { createIssueService } from './issues.ts';
import { createOrganizationService } from './organizations.ts';
import { createReportService } from './reports.ts';
import { createNoticeEvents } from './notice-events.ts';
import { createPlaces } from './places.ts';

export type { BuildFilter, BuildsResult, DeploysResult, IssueFilter, IssuesResult } from './feeds.ts';
export type { AcceptInvitationResult, CancelInvitationResult, DeclineInvitationResult, InvitationsResult, InvitationView, InviteResult, ReceivedInvitation } from './invitations.ts';
export type { ActivityInput, ActivityResult, IssueResult, SubscriptionResult } from './issues.ts';
export type {
  ChangeRoleResult,
  CreateOrganizationResult,
  CreatePipelineResult,
  CreateProjectResult,
  MembersResult,
  OrganizationResult,
  PipelineRef,
  PipelineResult,
  PipelinesResult,
  ProjectsResult,
  RemoveMemberResult,
} from './organizations.ts';
export type { ActivityReport, BuildReport, DeployReport, ErrorEventReport, ReportedBuild, ReportedErrorEvent, ReportResult } from './reports.ts';
export { clockSkewMs, maxDeployCommits, maxFrames, maxStackTraceBytes } from './reports.ts';
export type { Receipt, StoredAnswer } from './received-events.ts';
export type * from './types.ts';
export type { BuildStatus, BuildTrigger, IssueActivityKind, IssueLevel, IssueStatus, OrganizationRole, StackFrame } from './tables.ts';
export { buildStatuses, buildTriggers, issueActivityKinds, issueLevels, issueStatuses, organizationRoles } from './tables.ts';

export type PlatformService = ReturnType<typeof createPlatformService>;

/**
 * The platform's one door for pages and the API: organizations, members, projects and pipelines
 * (`organizations`), invitations to them by address (`invitations`), what happened in them (`feeds`), one issue and following it (`issues`), and
 * the event reports (`reports`). Every function takes the `Actor` and answers only what its
 * organizations hold: anything else is `notFound`.
 */
export function createPlatformService(db: Db, deps: { now: () => number; users: UserDirectory }) {
  return {
    organizations: createOrganizationService(db, deps),
    invitations: createInvitationService(db, deps),
    feeds: createFeedService(db),
    issues: createIssueService(db, deps),
    reports: createReportService(db, deps),
    places: createPlaces(db),
    noticeEvents: createNoticeEvents(db),
  };
}
