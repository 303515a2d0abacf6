import { sql } from 'drizzle-orm';
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
