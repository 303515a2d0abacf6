import { and, count, desc, eq, gte, sql } from 'drizzle-orm';
import { reusableQuery, type Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { ClientDetails } from '../lib/actor.ts';
import { securityEvents } from './tables.ts';

export const securityEventTypes = [
  'login.succeeded',
  'login.failed',
  'login.secondFactorFailed',
  'password.changed',
  'totp.enabled',
  'totp.removed',
  'recoveryCodes.generated',
  'recoveryCode.used',
  'session.revoked',
  'sessions.revokedAll',
  'sudo.confirmed',
  'password.reset',
  'password.resetLinkIssued',
  'email.added',
  'email.verified',
  'email.removed',
  'email.primaryChanged',
  'apiKey.created',
  'apiKey.scopesChanged',
  'apiKey.revoked',
] as const;
export type SecurityEventType = (typeof securityEventTypes)[number];

export interface SecurityEvent {
  id: number;
  type: SecurityEventType;
  createdAt: Date;
  ipAddress: string;
  userAgent: string;
}

export type SecurityLog = ReturnType<typeof createSecurityLog>;

/** What a page adds to an event's e-mail notice: another address (the old one, for a primary change), values and paragraphs of its message. */
export interface NoticeDetails {
  address?: string;
  values?: Record<string, string>;
  paragraphs?: string[];
}

/**
 * Prepares the e-mail notice of an event before it is recorded (notify/security-notices.ts): null
 * when the event has none, else what queues it, called in the transaction that records the event
 * with the event's id.
 */
export type NoticePreparer = (
  userId: number,
  type: SecurityEventType,
  client: ClientDetails,
  at: Date,
  details: NoticeDetails | undefined,
) => Promise<((tx: Db, eventId: number) => Promise<void>) | null>;

const insertEvent = reusableQuery((db) =>
  db
    .insert(securityEvents)
    .values({
      userId: sql.placeholder('userId'),
      type: sql.placeholder('type'),
      createdAt: sql.placeholder('createdAt'),
      ipAddress: sql.placeholder('ipAddress'),
      userAgent: sql.placeholder('userAgent'),
    })
    .returning({ id: securityEvents.id })
    .prepare(),
);

/** The security log: written by every security-relevant action, read by the person it concerns. */
export function createSecurityLog(db: Db, now: () => number, prepareNotice?: NoticePreparer) {
  const page = db
    .select({
      id: securityEvents.id,
      type: securityEvents.type,
      createdAt: securityEvents.createdAt,
      ipAddress: securityEvents.ipAddress,
      userAgent: securityEvents.userAgent,
    })
    .from(securityEvents)
    .where(eq(securityEvents.userId, sql.placeholder('userId')))
    .orderBy(desc(securityEvents.createdAt), desc(securityEvents.id))
    .limit(sql.placeholder('limit'))
    .offset(sql.placeholder('offset'))
    .prepare();
  const total = db
    .select({ total: count() })
    .from(securityEvents)
    .where(eq(securityEvents.userId, sql.placeholder('userId')))
    .prepare();

  return {
    /**
     * Records an event and, in the same transaction, its e-mail notice when it has one (a delivery
     * and an outbox row): both are kept or neither. `notice` carries what the page that caused it adds.
     */
    async record(userId: number, type: SecurityEventType, client: ClientDetails, notice?: NoticeDetails): Promise<void> {
      const at = new Date(now());
      const queueNotice = prepareNotice ? await prepareNotice(userId, type, client, at, notice) : null;
      await inTransaction(db, async (tx) => {
        const [row] = await insertEvent(tx).execute({ userId, type, createdAt: at, ipAddress: client.ipAddress, userAgent: client.userAgent.slice(0, 512) });
        if (row && queueNotice) await queueNotice(tx, row.id);
      });
    },

    /** Newest first, `perPage` at a time; `pageNumber` counts from 1. */
    async list(userId: number, pageNumber: number, perPage: number): Promise<{ events: SecurityEvent[]; total: number }> {
      const events = (await page.execute({ userId, limit: perPage, offset: (pageNumber - 1) * perPage })) as SecurityEvent[];
      return { events, total: (await total.execute({ userId }))[0]?.total ?? 0 };
    },

    async countOfTypeSince(userId: number, type: SecurityEventType, since: Date): Promise<number> {
      const [row] = await db
        .select({ total: count() })
        .from(securityEvents)
        .where(and(eq(securityEvents.userId, userId), eq(securityEvents.type, type), gte(securityEvents.createdAt, since)));
      return row?.total ?? 0;
    },
  };
}
