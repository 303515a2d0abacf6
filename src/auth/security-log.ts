import { and, count, desc, eq, gte, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
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

/** The security log: written by every security-relevant action, read by the person it concerns. */
export function createSecurityLog(
  db: Db,
  now: () => number,
  onRecorded?: (userId: number, type: SecurityEventType, client: ClientDetails, at: Date) => Promise<void>,
) {
  const insert = db
    .insert(securityEvents)
    .values({
      userId: sql.placeholder('userId'),
      type: sql.placeholder('type'),
      createdAt: sql.placeholder('createdAt'),
      ipAddress: sql.placeholder('ipAddress'),
      userAgent: sql.placeholder('userAgent'),
    })
    .prepare();
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
    async record(userId: number, type: SecurityEventType, client: ClientDetails): Promise<void> {
      const at = new Date(now());
      await insert.execute({ userId, type, createdAt: at, ipAddress: client.ipAddress, userAgent: client.userAgent.slice(0, 512) });
      await onRecorded?.(userId, type, client, at);
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
