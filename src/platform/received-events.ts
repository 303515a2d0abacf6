import { and, eq, or } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
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

/** The report of this kind already accepted in the organization under the receipt's event id or key, if any. */
export async function earlierReport(tx: Db, kind: ReportKind, organizationId: number, receipt: Receipt<never>): Promise<EarlierReport> {
  const names = receipt.idempotencyKey === null ? eq(receivedEvents.eventId, receipt.eventId) : or(eq(receivedEvents.eventId, receipt.eventId), eq(receivedEvents.idempotencyKey, receipt.idempotencyKey));
  const [row] = await tx
    .select({ digest: receivedEvents.requestDigest, status: receivedEvents.status, body: receivedEvents.body })
    .from(receivedEvents)
    .where(and(eq(receivedEvents.kind, kind), eq(receivedEvents.organizationId, organizationId), names))
    .limit(1);
  if (!row) return { kind: 'none' };
  return row.digest === receipt.digest ? { kind: 'repeat', answer: { status: row.status, body: row.body } } : { kind: 'reused' };
}

export async function rememberReport(tx: Db, kind: ReportKind, organizationId: number, receipt: Receipt<never>, answer: StoredAnswer, at: Date): Promise<void> {
  await tx.insert(receivedEvents).values({
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
