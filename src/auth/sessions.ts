import { and, desc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { generateSessionToken, sessionIdFromToken } from './session-token.ts';
import { sessions, users } from './tables.ts';

export interface SessionUser {
  id: number;
  email: string;
  name: string;
  isAdmin: boolean;
  createdAt: Date;
}

export interface Session {
  id: string;
  userId: number;
  createdAt: Date;
  expiresAt: Date;
  lastSeenAt: Date;
  reauthenticatedAt: Date | null;
}

/** A session as listed on the session-history page. */
export interface SessionSummary {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  ipAddress: string;
  userAgent: string;
}

export interface SessionPolicy {
  lifetimeMs: number;
  idleMs: number;
  now: () => number;
}

export interface ClientDetails {
  ipAddress: string;
  userAgent: string;
}

/** Last-seen is written at most this often, so reading a page is not a database write. */
const lastSeenResolutionMs = 60_000;

export type SessionStore = ReturnType<typeof createSessionStore>;

/** Sessions after the Lucia guide: random token in the cookie, its SHA-256 in the table. */
export function createSessionStore(db: Db, policy: SessionPolicy) {
  const insertSession = db
    .insert(sessions)
    .values({
      id: sql.placeholder('id'),
      userId: sql.placeholder('userId'),
      createdAt: sql.placeholder('createdAt'),
      expiresAt: sql.placeholder('expiresAt'),
      lastSeenAt: sql.placeholder('createdAt'),
      reauthenticatedAt: sql.placeholder('createdAt'),
      ipAddress: sql.placeholder('ipAddress'),
      userAgent: sql.placeholder('userAgent'),
    })
    .prepare();
  // Two primary-key reads: measured here, SQLite answered them several times faster than the equivalent join.
  const selectSession = db
    .select({
      id: sessions.id,
      userId: sessions.userId,
      createdAt: sessions.createdAt,
      expiresAt: sessions.expiresAt,
      lastSeenAt: sessions.lastSeenAt,
      reauthenticatedAt: sessions.reauthenticatedAt,
    })
    .from(sessions)
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();
  const selectUser = db
    .select({ id: users.id, email: users.email, name: users.name, isAdmin: users.isAdmin, createdAt: users.createdAt })
    .from(users)
    .where(eq(users.id, sql.placeholder('id')))
    .prepare();
  const touchSession = db
    .update(sessions)
    .set({ lastSeenAt: sql`${sql.placeholder('lastSeenAt')}`, ipAddress: sql`${sql.placeholder('ipAddress')}` })
    .where(eq(sessions.id, sql.placeholder('id')))
    .prepare();
  const selectUserSessions = db
    .select({ id: sessions.id, createdAt: sessions.createdAt, lastSeenAt: sessions.lastSeenAt, ipAddress: sessions.ipAddress, userAgent: sessions.userAgent })
    .from(sessions)
    .where(eq(sessions.userId, sql.placeholder('userId')))
    .orderBy(desc(sessions.lastSeenAt))
    .prepare();
  const deleteUserSession = db
    .delete(sessions)
    .where(and(eq(sessions.userId, sql.placeholder('userId')), eq(sessions.id, sql.placeholder('id'))))
    .prepare();
  const deleteSession = db.delete(sessions).where(eq(sessions.id, sql.placeholder('id'))).prepare();
  const deleteUserSessions = db.delete(sessions).where(eq(sessions.userId, sql.placeholder('userId'))).prepare();
  const deleteOtherUserSessions = db
    .delete(sessions)
    .where(and(eq(sessions.userId, sql.placeholder('userId')), ne(sessions.id, sql.placeholder('keepId'))))
    .prepare();

  return {
    /** A new session for someone who has just proved who they are (so it starts in sudo mode). */
    create(userId: number, client: ClientDetails): { token: string; session: Session } {
      const token = generateSessionToken();
      const now = policy.now();
      const session: Session = {
        id: sessionIdFromToken(token),
        userId,
        createdAt: new Date(now),
        expiresAt: new Date(now + policy.lifetimeMs),
        lastSeenAt: new Date(now),
        reauthenticatedAt: new Date(now),
      };
      insertSession.run({
        id: session.id,
        userId,
        createdAt: session.createdAt,
        expiresAt: session.expiresAt,
        ipAddress: client.ipAddress,
        userAgent: client.userAgent.slice(0, 512),
      });
      return { token, session };
    },

    /** The session and its user, or null when the token is unknown, past its lifetime or idle too long. */
    validate(token: string, client: ClientDetails): { session: Session; user: SessionUser } | null {
      const session = selectSession.get({ id: sessionIdFromToken(token) });
      if (!session) return null;
      const now = policy.now();
      if (now >= session.expiresAt.getTime() || now - session.lastSeenAt.getTime() >= policy.idleMs) {
        deleteSession.run({ id: session.id });
        return null;
      }
      if (now - session.lastSeenAt.getTime() >= lastSeenResolutionMs) {
        touchSession.run({ id: session.id, lastSeenAt: now, ipAddress: client.ipAddress });
        session.lastSeenAt = new Date(now);
      }
      const user = selectUser.get({ id: session.userId });
      return user ? { session, user } : null;
    },

    /** Every session of one person, most recently used first. */
    listForUser(userId: number): SessionSummary[] {
      return selectUserSessions.all({ userId });
    },

    /** Ends one of this person's sessions; false when they have no session with that id. */
    invalidateForUser(userId: number, sessionId: string): boolean {
      return deleteUserSession.run({ userId, id: sessionId }).changes > 0;
    },

    exists(sessionId: string): boolean {
      return selectSession.get({ id: sessionId }) !== undefined;
    },

    invalidate(sessionId: string): void {
      deleteSession.run({ id: sessionId });
    },

    invalidateAllForUser(userId: number): void {
      deleteUserSessions.run({ userId });
    },

    invalidateOthersForUser(userId: number, keepSessionId: string): void {
      deleteOtherUserSessions.run({ userId, keepId: keepSessionId });
    },
  };
}
