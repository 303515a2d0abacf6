import { and, eq, or, sql, type SQL } from 'drizzle-orm';
import { reusableQuery, type Db } from '../db/client.ts';
import type { Actor } from '../lib/actor.ts';
import type { Membership } from './access.ts';
import { memberships, organizations, receivedEvents, type ReportKind } from './tables.ts';

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

/** The reporter's membership of the organization and the earlier report of the same id (or key), read together. */
const reportContextQuery = (matchesEarlier: (placeholders: { eventId: SQL; idempotencyKey: SQL }) => SQL | undefined) =>
  reusableQuery((db) =>
    db
      .select({
        organization: organizations,
        role: memberships.role,
        earlier: { digest: receivedEvents.requestDigest, status: receivedEvents.status, body: receivedEvents.body },
      })
      .from(organizations)
      .innerJoin(memberships, and(eq(memberships.organizationId, organizations.id), eq(memberships.userId, sql.placeholder('userId'))))
      .leftJoin(
        receivedEvents,
        and(
          eq(receivedEvents.kind, sql.placeholder('kind')),
          eq(receivedEvents.organizationId, organizations.id),
          matchesEarlier({ eventId: sql`${sql.placeholder('eventId')}`, idempotencyKey: sql`${sql.placeholder('idempotencyKey')}` }),
        ),
      )
      .where(eq(organizations.slug, sql.placeholder('slug')))
      .limit(1)
      .prepare(),
  );
const contextByEventId = reportContextQuery(({ eventId }) => eq(receivedEvents.eventId, eventId));
const contextByEventIdOrKey = reportContextQuery(({ eventId, idempotencyKey }) => or(eq(receivedEvents.eventId, eventId), eq(receivedEvents.idempotencyKey, idempotencyKey)));
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

/**
 * Where a report stands, in one query: null when the actor is not a member of the organization
 * (or there is none with this slug); otherwise the membership, and the report of this kind
 * already accepted there under the receipt's event id or key, if any.
 */
export async function reportContext(tx: Db, actor: Actor, slug: string, kind: ReportKind, receipt: Receipt<never>): Promise<{ membership: Membership; earlier: EarlierReport } | null> {
  const { eventId, idempotencyKey } = receipt;
  const values = { userId: actor.userId, slug, kind, eventId };
  const [row] = idempotencyKey === null ? await contextByEventId(tx).execute(values) : await contextByEventIdOrKey(tx).execute({ ...values, idempotencyKey });
  if (!row) return null;
  const membership = { organization: row.organization, role: row.role };
  if (!row.earlier) return { membership, earlier: { kind: 'none' } };
  const answer = { status: row.earlier.status, body: row.earlier.body };
  return { membership, earlier: row.earlier.digest === receipt.digest ? { kind: 'repeat', answer } : { kind: 'reused' } };
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
