import { and, eq, or, sql } from 'drizzle-orm';
import { reusableQuery, type Db } from '../db/client.ts';
import { receivedEvents, type ReportKind } from './tables.ts';

/** What a report was first answered, kept to answer its repeats the same. */
export interface StoredAnswer {
  status: number;
  body: string;
}

/**
 * How a report names itself: the sender's event id, the `Idempotency-Key` header when sent, and a
 * digest of the request, to tell a retry (same digest) from another report reusing an id.
 */
export interface Receipt<T> {
  eventId: string;
  idempotencyKey: string | null;
  digest: string;
  /** The answer for the result, made inside the report's transaction and stored with it. */
  answer: (result: T) => StoredAnswer;
}

export type EarlierReport = { kind: 'none' } | { kind: 'repeat'; answer: StoredAnswer } | { kind: 'reused' };

const earlierByEventId = reusableQuery((db) =>
  db
    .select({ digest: receivedEvents.requestDigest, status: receivedEvents.status, body: receivedEvents.body })
    .from(receivedEvents)
    .where(and(eq(receivedEvents.kind, sql.placeholder('kind')), eq(receivedEvents.organizationId, sql.placeholder('organizationId')), eq(receivedEvents.eventId, sql.placeholder('eventId'))))
    .limit(1)
    .prepare(),
);
const earlierByEventIdOrKey = reusableQuery((db) =>
  db
    .select({ digest: receivedEvents.requestDigest, status: receivedEvents.status, body: receivedEvents.body })
    .from(receivedEvents)
    .where(
      and(
        eq(receivedEvents.kind, sql.placeholder('kind')),
        eq(receivedEvents.organizationId, sql.placeholder('organizationId')),
        or(eq(receivedEvents.eventId, sql.placeholder('eventId')), eq(receivedEvents.idempotencyKey, sql.placeholder('idempotencyKey'))),
      ),
    )
    .limit(1)
    .prepare(),
);
const insertReceived = reusableQuery((db) =>
  db
    .insert(receivedEvents)
    .values({
      kind: sql.placeholder('kind'),
      organizationId: sql.placeholder('organizationId'),
      eventId: sql.placeholder('eventId'),
      idempotencyKey: sql.placeholder('idempotencyKey'),
      requestDigest: sql.placeholder('requestDigest'),
      status: sql.placeholder('status'),
      body: sql.placeholder('body'),
      receivedAt: sql.placeholder('receivedAt'),
    })
    .prepare(),
);

/** The report of this kind already accepted in the organization under the receipt's event id or key, if any. */
export async function earlierReport(tx: Db, kind: ReportKind, organizationId: number, receipt: Receipt<never>): Promise<EarlierReport> {
  const { eventId, idempotencyKey } = receipt;
  const [row] =
    idempotencyKey === null
      ? await earlierByEventId(tx).execute({ kind, organizationId, eventId })
      : await earlierByEventIdOrKey(tx).execute({ kind, organizationId, eventId, idempotencyKey });
  if (!row) return { kind: 'none' };
  return row.digest === receipt.digest ? { kind: 'repeat', answer: { status: row.status, body: row.body } } : { kind: 'reused' };
}

export async function rememberReport(tx: Db, kind: ReportKind, organizationId: number, receipt: Receipt<never>, answer: StoredAnswer, at: Date): Promise<void> {
  await insertReceived(tx).execute({
    kind,
    organizationId,
    eventId: receipt.eventId,
    idempotencyKey: receipt.idempotencyKey,
    requestDigest: receipt.digest,
    status: answer.status,
    body: answer.body,
    receivedAt: at,
  });
}
