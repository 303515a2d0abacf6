import { and, eq, sql } from 'drizzle-orm';
import type { UserDirectory } from '../auth/users.ts';
import { reusableQuery, type Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Actor } from '../lib/actor.ts';
import { recordNotificationWork } from '../notify/work.ts';
import { isMember, pipelineIn, projectIn, type OrganizationRow } from './access.ts';
import { buildView, deployViews, issueSummary } from './feeds.ts';
import { applyActivity, issueIn, type ActivityInput } from './issues.ts';
import { rememberReport, reportContext, type Receipt, type StoredAnswer } from './received-events.ts';
import { builds, deployCommits, deploys, issueActivity, issueEvents, issues, type BuildStatus, type BuildTrigger, type IssueLevel, type ReportKind, type StackFrame } from './tables.ts';
import type { BuildView, DeployView, FieldError, IssueActivityView, IssueSummary } from './types.ts';

/** How far ahead of Dials' clock a reported time may be: the sender's clock may run a little fast. */
export const clockSkewMs = 5 * 60 * 1000;
export const maxFrames = 200;
/** The largest stack trace stored, measured as the JSON of its frames. */
export const maxStackTraceBytes = 64 * 1024;
export const maxDeployCommits = 500;

export interface BuildReport {
  pipelineId: number;
  /** The CI/CD side's name for the build: its "started" and "finished" reports share it. */
  buildId: string;
  status: BuildStatus;
  trigger: BuildTrigger;
  startedAt: Date;
  /** Null while it runs (status `running`); required once it has finished. */
  finishedAt: Date | null;
  commit: { sha: string; message: string; authorName: string; authorEmail: string };
  /** The member who started it, if a person did. */
  startedBy: number | null;
}

export interface DeployReport {
  project: string;
  environment: string;
  version: string;
  finishedAt: Date;
  commits: Array<{ sha: string; authorEmail: string }>;
}

export interface ErrorEventReport {
  project: string;
  /** Events with the same fingerprint in a project are one issue; without one, the title groups them. */
  fingerprint: string | null;
  title: string;
  level: IssueLevel;
  occurredAt: Date;
  message: string;
  frames: StackFrame[];
}

export interface ActivityReport {
  issueId: number;
  activity: ActivityInput;
}

export interface ReportedBuild {
  build: BuildView;
  /** False when the report updated a build reported before (its start, then its end). */
  created: boolean;
}

export interface ReportedErrorEvent {
  issue: IssueSummary;
  eventRowId: number;
  /** The event opened a new issue. */
  newIssue: boolean;
  /** The event reopened a resolved issue. */
  regressed: boolean;
}

/**
 * A report's outcome. An accepted one and its repeats carry the same stored answer; `repeated`
 * tells them apart. `eventIdReused`: the id (or key) came with a different request before.
 */
export type ReportResult =
  | { ok: true; repeated: boolean; answer: StoredAnswer }
  | { ok: false; reason: 'notFound'; what: 'organization' | 'project' | 'pipeline' | 'issue' }
  | { ok: false; reason: 'invalid'; errors: FieldError[] }
  | { ok: false; reason: 'eventIdReused' };

type Refusal = Exclude<ReportResult, { ok: true }>;
const invalid = (...errors: FieldError[]): Refusal => ({ ok: false, reason: 'invalid', errors });
// A build's first report is the common case: its queries are built once (reusableQuery).
const buildByName = reusableQuery((db) =>
  db
    .select()
    .from(builds)
    .where(and(eq(builds.pipelineId, sql.placeholder('pipelineId')), eq(builds.externalId, sql.placeholder('externalId'))))
    .prepare(),
);
const buildColumns = [
  'organizationId',
  'pipelineId',
  'externalId',
  'status',
  'trigger',
  'startedAt',
  'finishedAt',
  'commitSha',
  'commitMessage',
  'commitAuthorName',
  'commitAuthorEmail',
  'startedBy',
  'updatedAt',
] as const;
const insertBuild = reusableQuery((db) =>
  db
    .insert(builds)
    .values({
      ...(Object.fromEntries(buildColumns.map((column) => [column, sql.placeholder(column)])) as Record<(typeof buildColumns)[number], ReturnType<typeof sql.placeholder>>),
      // drizzle encodes a placeholder's value by its column, and a null time cannot be encoded: this one is given in ms.
      finishedAt: sql`${sql.placeholder('finishedAtMs')}`,
    })
    .returning()
    .prepare(),
);

/** Thrown out of a report's transaction to roll it back, and caught to answer the refusal. */
class RefusedReport extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal) {
    super('report refused');
    this.refusal = refusal;
  }
}
const missing = (what: 'project' | 'pipeline' | 'issue'): Refusal => ({ ok: false, reason: 'notFound', what });

/**
 * The platform telling Dials what happened: builds, deploys, error events and issue activity.
 * Each report is one transaction: its rows, its notification work and the record of its event
 * id are written together, or, on any refusal or error, none of them. A report whose event id
 * (or `Idempotency-Key`) was accepted before is answered with the first answer and writes nothing.
 */
export function createReportService(db: Db, deps: { now: () => number; users: UserDirectory }) {
  const inFuture = (at: Date) => at.getTime() > deps.now() + clockSkewMs;

  /** The frame of every report: membership, the earlier answer, the work, the answer remembered. */
  const report = <T>(
    actor: Actor,
    slug: string,
    kind: ReportKind,
    receipt: Receipt<T>,
    work: (tx: Db, organization: OrganizationRow, at: Date) => Promise<{ ok: true; result: T } | Refusal>,
  ): Promise<ReportResult> =>
    inTransaction(db, async (tx): Promise<ReportResult> => {
      const context = await reportContext(tx, actor, slug, kind, receipt);
      if (!context) return { ok: false, reason: 'notFound', what: 'organization' };
      const { membership, earlier } = context;
      const { organization } = membership;
      if (earlier.kind === 'repeat') return { ok: true, repeated: true, answer: earlier.answer };
      if (earlier.kind === 'reused') return { ok: false, reason: 'eventIdReused' };
      const at = new Date(deps.now());
      const done = await work(tx, organization, at);
      // A refusal found after some rows were written takes them back with it.
      if (!done.ok) throw new RefusedReport(done);
      const answer = receipt.answer(done.result);
      await rememberReport(tx, kind, organization.id, receipt, answer, at);
      return { ok: true, repeated: false, answer };
    }).catch((error: unknown) => {
      if (error instanceof RefusedReport) return error.refusal;
      throw error;
    });

  return {
    /** A build started (status `running`) or finished; the same build id updates the one row. */
    async build(actor: Actor, slug: string, input: BuildReport, receipt: Receipt<ReportedBuild>): Promise<ReportResult> {
      const errors: FieldError[] = [];
      if (inFuture(input.startedAt)) errors.push({ field: '/startedAt', message: 'is in the future' });
      if (input.status === 'running' && input.finishedAt) errors.push({ field: '/finishedAt', message: 'must be absent while the build is running' });
      if (input.status !== 'running' && !input.finishedAt) errors.push({ field: '/finishedAt', message: 'is required once the build has finished' });
      if (input.finishedAt && inFuture(input.finishedAt)) errors.push({ field: '/finishedAt', message: 'is in the future' });
      if (input.finishedAt && input.finishedAt < input.startedAt) errors.push({ field: '/finishedAt', message: 'is before startedAt' });
      if (errors.length > 0) return invalid(...errors);

      return report(actor, slug, 'build', receipt, async (tx, organization, at) => {
        const found = await pipelineIn(tx, organization.id, input.pipelineId);
        if (!found) return missing('pipeline');
        if (input.startedBy !== null && !(await isMember(tx, organization.id, input.startedBy))) {
          return invalid({ field: '/startedBy', message: 'is not a member of this organization' });
        }
        const [before] = await buildByName(tx).execute({ pipelineId: input.pipelineId, externalId: input.buildId });
        // A "started" report that arrives after the build's end does not make it run again.
        const outcome = before && before.status !== 'running' && input.status === 'running' ? { status: before.status, finishedAt: before.finishedAt } : { status: input.status, finishedAt: input.finishedAt };
        const values = {
          trigger: input.trigger,
          startedAt: input.startedAt,
          ...outcome,
          commitSha: input.commit.sha,
          commitMessage: input.commit.message,
          commitAuthorName: input.commit.authorName,
          commitAuthorEmail: input.commit.authorEmail,
          startedBy: input.startedBy,
          updatedAt: at,
        };
        const [row] = before
          ? await tx.update(builds).set(values).where(eq(builds.id, before.id)).returning()
          : await insertBuild(tx).execute({ organizationId: organization.id, pipelineId: input.pipelineId, externalId: input.buildId, ...values, finishedAtMs: values.finishedAt?.getTime() ?? null });
        if (!row) throw new Error('the build was not stored');
        await recordNotificationWork(tx, { kind: 'build', rowId: row.id, organizationId: organization.id, projectId: found.project.id, at });
        return { ok: true, result: { build: buildView(row, found.pipeline, found.project), created: !before } };
      });
    },

    /** A release deployed to an environment, with the commits it brought. */
    async deploy(actor: Actor, slug: string, input: DeployReport, receipt: Receipt<DeployView>): Promise<ReportResult> {
      if (inFuture(input.finishedAt)) return invalid({ field: '/finishedAt', message: 'is in the future' });
      if (input.commits.length > maxDeployCommits) return invalid({ field: '/commits', message: `must have at most ${maxDeployCommits} commits` });

      return report(actor, slug, 'deploy', receipt, async (tx, organization, at) => {
        const project = await projectIn(tx, organization.id, input.project);
        if (!project) return missing('project');
        const [row] = await tx
          .insert(deploys)
          .values({ organizationId: organization.id, projectId: project.id, environment: input.environment, version: input.version, finishedAt: input.finishedAt, createdAt: at })
          .returning();
        if (!row) throw new Error('the deploy was not stored');
        // One row per commit: the same sha listed twice is the same commit.
        const bySha = new Map(input.commits.map((commit) => [commit.sha, { deployId: row.id, sha: commit.sha, authorEmail: commit.authorEmail.toLowerCase() }]));
        const commits = Array.from(bySha, ([, commit]) => commit);
        if (commits.length > 0) await tx.insert(deployCommits).values(commits);
        await recordNotificationWork(tx, { kind: 'deploy', rowId: row.id, organizationId: organization.id, projectId: project.id, at });
        const [view] = await deployViews(tx, [{ deploy: row, project }]);
        if (!view) throw new Error('the deploy was not stored');
        return { ok: true, result: view };
      });
    },

    /**
     * An error: it joins the project's issue with its fingerprint (or title), or opens one; it
     * counts, and moves the first and last seen times. An event for a resolved issue reopens it
     * and records a regression by Dials itself.
     */
    async errorEvent(actor: Actor, slug: string, input: ErrorEventReport, receipt: Receipt<ReportedErrorEvent>): Promise<ReportResult> {
      if (inFuture(input.occurredAt)) return invalid({ field: '/occurredAt', message: 'is in the future' });
      if (input.frames.length > maxFrames) return invalid({ field: '/frames', message: `must have at most ${maxFrames} frames` });
      if (Buffer.byteLength(JSON.stringify(input.frames)) > maxStackTraceBytes) return invalid({ field: '/frames', message: `must be at most ${maxStackTraceBytes} bytes as JSON` });

      return report(actor, slug, 'issueEvent', receipt, async (tx, organization, at) => {
        const project = await projectIn(tx, organization.id, input.project);
        if (!project) return missing('project');
        const fingerprint = input.fingerprint ?? input.title;
        const [before] = await tx
          .select()
          .from(issues)
          .where(and(eq(issues.projectId, project.id), eq(issues.fingerprint, fingerprint)));
        const regressed = before?.status === 'resolved';
        const [issue] = before
          ? await tx
              .update(issues)
              .set({
                level: input.level,
                status: 'unresolved',
                eventCount: before.eventCount + 1,
                firstSeen: input.occurredAt < before.firstSeen ? input.occurredAt : before.firstSeen,
                lastSeen: input.occurredAt > before.lastSeen ? input.occurredAt : before.lastSeen,
              })
              .where(eq(issues.id, before.id))
              .returning()
          : await tx
              .insert(issues)
              .values({
                organizationId: organization.id,
                projectId: project.id,
                fingerprint,
                title: input.title,
                level: input.level,
                firstSeen: input.occurredAt,
                lastSeen: input.occurredAt,
                eventCount: 1,
              })
              .returning();
        if (!issue) throw new Error('the issue was not stored');
        const [event] = await tx
          .insert(issueEvents)
          .values({ issueId: issue.id, occurredAt: input.occurredAt, receivedAt: at, level: input.level, message: input.message, frames: input.frames })
          .returning({ id: issueEvents.id });
        if (!event) throw new Error('the event was not stored');
        await recordNotificationWork(tx, { kind: 'issueEvent', rowId: event.id, organizationId: organization.id, projectId: project.id, at });
        if (regressed) {
          const [activity] = await tx.insert(issueActivity).values({ issueId: issue.id, kind: 'regressed', actorId: null, at }).returning({ id: issueActivity.id });
          if (!activity) throw new Error('the regression was not stored');
          await recordNotificationWork(tx, { kind: 'issueActivity', rowId: activity.id, organizationId: organization.id, projectId: project.id, at });
        }
        return { ok: true, result: { issue: issueSummary(issue, project), eventRowId: event.id, newIssue: !before, regressed } };
      });
    },

    /** Someone assigned, unassigned, resolved, reopened or commented on an issue: the key's user is the actor. */
    async issueActivity(actor: Actor, slug: string, input: ActivityReport, receipt: Receipt<IssueActivityView>): Promise<ReportResult> {
      return report(actor, slug, 'issueActivity', receipt, async (tx, organization, at) => {
        const found = await issueIn(tx, organization.id, input.issueId);
        if (!found) return missing('issue');
        const applied = await applyActivity(tx, { organization, issue: found.issue, actorId: actor.userId, at, users: deps.users }, input.activity);
        return applied.ok ? { ok: true, result: applied.activity } : applied;
      });
    },
  };
}
