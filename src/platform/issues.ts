import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type { UserDirectory } from '../auth/users.ts';
import { reusableQuery, type Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { Actor } from '../lib/actor.ts';
import { selfAssignsOnResolve } from '../notify/settings.ts';
import { recordNotificationWork } from '../notify/work.ts';
import { isMember, membershipOf, type OrganizationRow } from './access.ts';
import { issueSummary } from './feeds.ts';
import { issueActivity, issueEvents, issues, issueSubscriptions, projects, type SubscriptionReason } from './tables.ts';
import type { FieldError, IssueActivityView, IssueDetail, NotFound } from './types.ts';

/** What a person can do to an issue (a regression is Dials' own doing). */
export type ActivityInput =
  | { kind: 'assigned'; assigneeId: number }
  | { kind: 'unassigned' }
  | { kind: 'resolved' }
  | { kind: 'unresolved' }
  | { kind: 'comment'; comment: string };

export type IssueResult = { ok: true; issue: IssueDetail } | NotFound;
export type SubscriptionResult = { ok: true; subscribed: boolean } | NotFound;
export type ActivityResult = { ok: true; activity: IssueActivityView } | NotFound | { ok: false; reason: 'invalid'; errors: FieldError[] };

const notFound: NotFound = { ok: false, reason: 'notFound' };

type IssueRow = typeof issues.$inferSelect;

/** The issue, when it belongs to the organization. */
export async function issueIn(tx: Db, organizationId: number, issueId: number): Promise<{ issue: IssueRow; project: typeof projects.$inferSelect } | null> {
  const [row] = await issueInQuery(tx).execute({ issueId, organizationId });
  return row ?? null;
}
// The issue pages' queries, asked on every view: each built once (db/client.ts reusableQuery).
const issueInQuery = reusableQuery((db) =>
  db
    .select({ issue: issues, project: projects })
    .from(issues)
    .innerJoin(projects, eq(projects.id, issues.projectId))
    .where(and(eq(issues.id, sql.placeholder('issueId')), eq(issues.organizationId, sql.placeholder('organizationId'))))
    .prepare(),
);
const latestEventQuery = reusableQuery((db) =>
  db.select().from(issueEvents).where(eq(issueEvents.issueId, sql.placeholder('issueId'))).orderBy(desc(issueEvents.id)).limit(1).prepare(),
);
const subscriptionQuery = reusableQuery((db) =>
  db
    .select({ subscribed: issueSubscriptions.subscribed })
    .from(issueSubscriptions)
    .where(and(eq(issueSubscriptions.issueId, sql.placeholder('issueId')), eq(issueSubscriptions.userId, sql.placeholder('userId'))))
    .prepare(),
);
const activityQuery = reusableQuery((db) =>
  db.select().from(issueActivity).where(eq(issueActivity.issueId, sql.placeholder('issueId'))).orderBy(asc(issueActivity.at), asc(issueActivity.id)).prepare(),
);

/** Someone starts following the issue because they took part, unless they have a row already (see issueSubscriptions). */
export async function followBecause(tx: Db, issueId: number, userId: number, reason: Exclude<SubscriptionReason, 'subscribed' | 'unsubscribed'>, at: Date): Promise<void> {
  await tx.insert(issueSubscriptions).values({ issueId, userId, subscribed: true, reason, at }).onConflictDoNothing();
}

async function activityViews(tx: Db, users: UserDirectory, issueId: number, activityId?: number): Promise<IssueActivityView[]> {
  const rows =
    activityId === undefined
      ? await activityQuery(tx).execute({ issueId })
      : await tx.select().from(issueActivity).where(and(eq(issueActivity.issueId, issueId), eq(issueActivity.id, activityId)));
  const people = await users.profiles(
    rows.flatMap((row) => [row.actorId, row.assigneeId].filter((id) => id !== null)),
    tx,
  );
  const person = (id: number | null) => {
    const profile = id === null ? undefined : people.get(id);
    return id !== null && profile ? { id, name: profile.name } : null;
  };
  return rows.map((activity) => ({
    id: activity.id,
    kind: activity.kind,
    actor: person(activity.actorId),
    assignee: person(activity.assigneeId),
    comment: activity.comment,
    at: activity.at,
  }));
}

/**
 * Records what someone did to an issue, changes the issue accordingly, subscribes whoever took
 * part, and hands the activity to the dispatcher: all on `tx`, the caller's transaction. A person
 * whose "self-assign when I resolve" is on and who resolves an issue not theirs is assigned it too,
 * as an `assigned` activity of their own after the resolution (with its notifications).
 */
export async function applyActivity(
  tx: Db,
  context: { organization: OrganizationRow; issue: IssueRow; actorId: number | null; at: Date; users: UserDirectory },
  input: ActivityInput,
): Promise<{ ok: true; activity: IssueActivityView } | { ok: false; reason: 'invalid'; errors: FieldError[] }> {
  const { organization, issue, actorId, at, users } = context;
  if (input.kind === 'assigned' && !(await isMember(tx, organization.id, input.assigneeId))) {
    return { ok: false, reason: 'invalid', errors: [{ field: '/assigneeId', message: 'is not a member of this organization' }] };
  }
  const [row] = await tx
    .insert(issueActivity)
    .values({
      issueId: issue.id,
      kind: input.kind,
      actorId,
      assigneeId: input.kind === 'assigned' ? input.assigneeId : null,
      comment: input.kind === 'comment' ? input.comment : null,
      at,
    })
    .returning({ id: issueActivity.id });
  if (!row) throw new Error('the activity was not stored');
  switch (input.kind) {
    case 'assigned':
      await tx.update(issues).set({ assigneeId: input.assigneeId }).where(eq(issues.id, issue.id));
      await followBecause(tx, issue.id, input.assigneeId, 'assigned', at);
      break;
    case 'unassigned':
      await tx.update(issues).set({ assigneeId: null }).where(eq(issues.id, issue.id));
      break;
    case 'resolved':
    case 'unresolved':
      await tx.update(issues).set({ status: input.kind }).where(eq(issues.id, issue.id));
      break;
    case 'comment':
      if (actorId !== null) await followBecause(tx, issue.id, actorId, 'commented', at);
      break;
  }
  await recordNotificationWork(tx, { kind: 'issueActivity', rowId: row.id, organizationId: organization.id, projectId: issue.projectId, at });
  if (input.kind === 'resolved' && actorId !== null && issue.assigneeId !== actorId && (await selfAssignsOnResolve(tx, actorId))) {
    const assigned = await applyActivity(tx, context, { kind: 'assigned', assigneeId: actorId });
    if (!assigned.ok) throw new Error('resolving could not assign the issue to its resolver');
  }
  const [activity] = await activityViews(tx, users, issue.id, row.id);
  if (!activity) throw new Error('the activity was not stored');
  return { ok: true, activity };
}

/** One issue as its page shows it, following and unfollowing it, and acting on it from a page. */
export function createIssueService(db: Db, deps: { now: () => number; users: UserDirectory }) {
  const asMemberWithIssue = <T>(
    actor: Actor,
    slug: string,
    issueId: number,
    work: (tx: Db, found: { organization: OrganizationRow; issue: IssueRow; project: typeof projects.$inferSelect }) => Promise<T>,
  ): Promise<T | NotFound> =>
    inTransaction(db, async (tx) => {
      const membership = await membershipOf(tx, actor, slug);
      if (!membership) return notFound;
      const found = await issueIn(tx, membership.organization.id, issueId);
      return found ? work(tx, { organization: membership.organization, ...found }) : notFound;
    });

  const setSubscription = (actor: Actor, slug: string, issueId: number, subscribed: boolean): Promise<SubscriptionResult> =>
    asMemberWithIssue(actor, slug, issueId, async (tx, { issue }) => {
      const values = { subscribed, reason: subscribed ? ('subscribed' as const) : ('unsubscribed' as const), at: new Date(deps.now()) };
      await tx
        .insert(issueSubscriptions)
        .values({ issueId: issue.id, userId: actor.userId, ...values })
        .onConflictDoUpdate({ target: [issueSubscriptions.issueId, issueSubscriptions.userId], set: values });
      return { ok: true as const, subscribed };
    });

  return {
    /** The issue, its latest event with the frames as reported, its activity (oldest first), and whether the actor follows it. */
    async find(actor: Actor, slug: string, issueId: number): Promise<IssueResult> {
      return asMemberWithIssue(actor, slug, issueId, async (tx, { issue, project }) => {
        const [latest] = await latestEventQuery(tx).execute({ issueId: issue.id });
        const [subscription] = await subscriptionQuery(tx).execute({ issueId: issue.id, userId: actor.userId });
        return {
          ok: true as const,
          issue: {
            ...issueSummary(issue, project),
            latestEvent: latest ? { id: latest.id, occurredAt: latest.occurredAt, level: latest.level, message: latest.message, frames: latest.frames } : null,
            activity: await activityViews(tx, deps.users, issue.id),
            subscribed: subscription?.subscribed ?? false,
            assignee: issue.assigneeId === null ? null : { id: issue.assigneeId, name: (await deps.users.profile(issue.assigneeId, tx))?.name ?? '' },
          },
        };
      });
    },

    subscribe: (actor: Actor, slug: string, issueId: number) => setSubscription(actor, slug, issueId, true),
    /** Kept as a row, so taking part later does not subscribe the person again. */
    unsubscribe: (actor: Actor, slug: string, issueId: number) => setSubscription(actor, slug, issueId, false),

    /**
     * Resolve or reopen from a page: nothing is recorded (and no one is told) when the issue is
     * already so, as when the same button is pressed in two tabs.
     */
    async setStatus(actor: Actor, slug: string, issueId: number, status: 'resolved' | 'unresolved'): Promise<{ ok: true; changed: boolean } | NotFound> {
      return asMemberWithIssue(actor, slug, issueId, async (tx, { organization, issue }) => {
        if (issue.status === status) return { ok: true as const, changed: false };
        const done = await applyActivity(tx, { organization, issue, actorId: actor.userId, at: new Date(deps.now()), users: deps.users }, { kind: status });
        if (!done.ok) throw new Error('a change of status was refused');
        return { ok: true as const, changed: true };
      });
    },

    /** Assign, unassign, resolve, reopen or comment, as the actor (the API's report of the same goes through reports.ts). */
    async act(actor: Actor, slug: string, issueId: number, input: ActivityInput): Promise<ActivityResult> {
      return asMemberWithIssue(actor, slug, issueId, (tx, { organization, issue }) => applyActivity(tx, { organization, issue, actorId: actor.userId, at: new Date(deps.now()), users: deps.users }, input));
    },
  };
}
