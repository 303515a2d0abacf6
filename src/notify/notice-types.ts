/**
 * The platform's events as notices about them need them: what happened, where, and who may hear
 * of it. platform/ fills them in (notice-events.ts); the dispatcher turns them into messages.
 */

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

/** Where something happened, and who may hear of it. */
export interface NoticePlace {
  organizationId: number;
  organizationSlug: string;
  organizationName: string;
  projectId: number;
  projectName: string;
  /** Everyone in the organization: every member can see every project of it. */
  memberIds: number[];
}

export interface DeployNotice extends NoticePlace {
  deployId: number;
  environment: string;
  version: string;
  finishedAt: Date;
  commitAuthorEmails: string[];
}

export interface IssueNotice extends NoticePlace {
  issueId: number;
  title: string;
  level: 'debug' | 'info' | 'warning' | 'error' | 'fatal';
}

/** A new issue: its first event. Null for a later event of a known issue (no alert: it was alerted once). */
export interface IssueEventNotice extends IssueNotice {
  occurredAt: Date;
  message: string;
}

export interface ActivityNotice extends IssueNotice {
  kind: 'assigned' | 'unassigned' | 'resolved' | 'unresolved' | 'regressed' | 'comment';
  actorId: number | null;
  assigneeId: number | null;
  comment: string | null;
  at: Date;
  /** Who follows the issue (pressed Subscribe, was assigned, commented, and did not unsubscribe). */
  subscriberIds: number[];
}
