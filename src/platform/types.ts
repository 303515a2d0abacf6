import type { BuildStatus, BuildTrigger, IssueActivityKind, IssueLevel, IssueStatus, OrganizationRole, StackFrame } from './tables.ts';

/** What the platform's services answer: plain values, never a web type (DESIGN.md rule 4). */

/** Not there, or not visible to the actor: the two are never told apart, so nothing leaks. */
export type NotFound = { ok: false; reason: 'notFound' };
/** The actor is a member, but the change needs an owner. */
export type OwnerOnly = { ok: false; reason: 'ownerOnly' };

export interface OrganizationSummary {
  id: number;
  name: string;
  slug: string;
  /** The actor's role in it. */
  role: OrganizationRole;
  createdAt: Date;
}

export interface PipelineView {
  id: number;
  projectId: number;
  name: string;
  notifyManualExecutions: boolean;
  createdAt: Date;
}

export interface ProjectView {
  id: number;
  name: string;
  slug: string;
  createdAt: Date;
}

export interface ProjectWithPipelines extends ProjectView {
  pipelines: PipelineView[];
}

export interface MemberView {
  userId: number;
  name: string;
  email: string;
  role: OrganizationRole;
  joinedAt: Date;
}

export interface OrganizationDetail extends OrganizationSummary {
  projects: ProjectWithPipelines[];
  members: MemberView[];
}

export interface Page<T> {
  items: T[];
  page: number;
  perPage: number;
  hasNext: boolean;
}

export interface PageRequest {
  /** 1 for the first page. */
  page?: number;
  perPage?: number;
}

export interface BuildView {
  id: number;
  buildId: string;
  pipeline: { id: number; name: string };
  project: { id: number; name: string; slug: string };
  status: BuildStatus;
  trigger: BuildTrigger;
  startedAt: Date;
  finishedAt: Date | null;
  commit: { sha: string; message: string; authorName: string; authorEmail: string };
  startedBy: number | null;
}

export interface DeployView {
  id: number;
  project: { id: number; name: string; slug: string };
  environment: string;
  version: string;
  finishedAt: Date;
  commits: Array<{ sha: string; authorEmail: string }>;
}

export interface IssueSummary {
  id: number;
  project: { id: number; name: string; slug: string };
  title: string;
  level: IssueLevel;
  status: IssueStatus;
  assigneeId: number | null;
  firstSeen: Date;
  lastSeen: Date;
  eventCount: number;
}

export interface IssueEventView {
  id: number;
  occurredAt: Date;
  level: IssueLevel;
  message: string;
  /** As reported: outermost call first. A page puts them in the viewer's stack-trace order. */
  frames: StackFrame[];
}

export interface IssueActivityView {
  id: number;
  kind: IssueActivityKind;
  /** Null when Dials itself did it (a regression). */
  actor: { id: number; name: string } | null;
  assignee: { id: number; name: string } | null;
  comment: string | null;
  at: Date;
}

export interface IssueDetail extends IssueSummary {
  latestEvent: IssueEventView | null;
  /** Oldest first. */
  activity: IssueActivityView[];
  /** Whether the actor follows the issue. */
  subscribed: boolean;
  /** Who it is assigned to, if anyone. */
  assignee: { id: number; name: string } | null;
}

/** A report field that cannot be accepted, named by its JSON pointer (`/finishedAt`, `/frames/3/line`). */
export interface FieldError {
  field: string;
  message: string;
}
