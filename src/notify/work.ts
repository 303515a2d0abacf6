import { and, asc, eq, inArray, lt, or, sql } from 'drizzle-orm';
import { reusableQuery, type Db } from '../db/client.ts';
import { notificationWork, type NotificationEventKind } from './tables.ts';

/** An accepted platform event, as the dispatcher needs to find it. */
export interface NotificationEvent {
  kind: NotificationEventKind;
  /** The id of the event's row: the build, the deploy, the issue event or the activity. */
  rowId: number;
  organizationId: number;
  projectId: number | null;
  at: Date;
}

/**
 * Hands an accepted event to the dispatcher. Call it with the `tx` of the transaction that
 * writes the event's row: both are committed together or neither is (DESIGN.md rule 7).
 */
export async function recordNotificationWork(tx: Db, event: NotificationEvent): Promise<void> {
  await insertWork(tx).execute({ eventKind: event.kind, eventRowId: event.rowId, organizationId: event.organizationId, projectId: event.projectId, createdAt: event.at });
}

const insertWork = reusableQuery((db) =>
  db
    .insert(notificationWork)
    .values({
      eventKind: sql.placeholder('eventKind'),
      eventRowId: sql.placeholder('eventRowId'),
      organizationId: sql.placeholder('organizationId'),
      projectId: sql.placeholder('projectId'),
      createdAt: sql.placeholder('createdAt'),
    })
    .prepare(),
);

/** A row of notification work claimed by one dispatcher. */
export interface ClaimedWork {
  id: number;
  kind: NotificationEventKind;
  rowId: number;
  organizationId: number;
  projectId: number | null;
}

/**
 * Claims up to `limit` rows of waiting work of `kinds` for `owner` until `until`: pending ones, and claimed
 * ones whose claim has lapsed (their dispatcher stopped midway). A claim is a column with its
 * owner and expiry, not a lock held in memory, so it works the same with several processes.
 */
export async function claimWork(db: Db, owner: string, now: Date, until: Date, limit: number, kinds: readonly NotificationEventKind[]): Promise<ClaimedWork[]> {
  const waiting = and(
    inArray(notificationWork.eventKind, [...kinds]),
    or(eq(notificationWork.state, 'pending'), and(eq(notificationWork.state, 'claimed'), lt(notificationWork.claimExpiresAt, now))),
  );
  const ids = db.select({ id: notificationWork.id }).from(notificationWork).where(waiting).orderBy(asc(notificationWork.id)).limit(limit);
  const claimed = await db
    .update(notificationWork)
    .set({ state: 'claimed', claimOwner: owner, claimExpiresAt: until })
    .where(and(inArray(notificationWork.id, ids), waiting))
    .returning({ id: notificationWork.id, kind: notificationWork.eventKind, rowId: notificationWork.eventRowId, organizationId: notificationWork.organizationId, projectId: notificationWork.projectId });
  return claimed.sort((a, b) => a.id - b.id);
}

/** Marks claimed work done, in the transaction that queued its messages; answers how many were still this owner's claim. */
export async function finishWork(tx: Db, ids: readonly number[], owner: string): Promise<number> {
  const done = await tx
    .update(notificationWork)
    .set({ state: 'done', claimExpiresAt: null })
    .where(and(inArray(notificationWork.id, [...ids]), eq(notificationWork.state, 'claimed'), eq(notificationWork.claimOwner, owner)))
    .returning({ id: notificationWork.id });
  return done.length;
}
