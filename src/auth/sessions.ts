import { and, desc, eq, gte, lt, ne, sql, type SQL } from 'drizzle-orm';
import { createHeldAnswers } from '../db/change-watch.ts';
import type { Db } from '../db/client.ts';
import { inTransaction } from '../db/transaction.ts';
import type { ClientDetails } from '../lib/actor.ts';
import { generateSessionToken, sessionIdFromToken } from './session-token.ts';
import { followRenames } from './users.ts';
import { endedSessions, sessions, users, type SessionEndReason } from './tables.ts';

export type { SessionEndReason } from './tables.ts';

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

/** A session that has ended, as listed on the session-history page. */
export interface EndedSessionSummary {
  createdAt: Date;
  lastSeenAt: Date;
  endedAt: Date;
  reason: SessionEndReason;
  ipAddress: string;
  userAgent: string;
}

/** How long ended sessions stay in the history. */
export const sessionHistoryMs = 90 * 24 * 60 * 60 * 1000;

export interface SessionPolicy {
  lifetimeMs: number;
  idleMs: number;
  now: () => number;
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
    .select({
      id: sessions.id,
      createdAt: sessions.createdAt,
      lastSeenAt: sessions.lastSeenAt,
      expiresAt: sessions.expiresAt,
      ipAddress: sessions.ipAddress,
      userAgent: sessions.userAgent,
    })
    .from(sessions)
    .where(eq(sessions.userId, sql.placeholder('userId')))
    .orderBy(desc(sessions.lastSeenAt))
    .prepare();
  const selectEndedSessions = db
    .select({
      createdAt: endedSessions.createdAt,
      lastSeenAt: endedSessions.lastSeenAt,
      endedAt: endedSessions.endedAt,
      reason: endedSessions.reason,
      ipAddress: endedSessions.ipAddress,
      userAgent: endedSessions.userAgent,
    })
    .from(endedSessions)
    .where(and(eq(endedSessions.userId, sql.placeholder('userId')), gte(endedSessions.endedAt, sql.placeholder('since'))))
    .orderBy(desc(endedSessions.endedAt), desc(endedSessions.id))
    .prepare();
  const fullRow = {
    id: sessions.id,
    userId: sessions.userId,
    createdAt: sessions.createdAt,
    lastSeenAt: sessions.lastSeenAt,
    expiresAt: sessions.expiresAt,
    ipAddress: sessions.ipAddress,
    userAgent: sessions.userAgent,
  };
  type SessionRow = { id: string; userId: number; createdAt: Date; lastSeenAt: Date; expiresAt: Date; ipAddress: string; userAgent: string };

  /** When a session stopped being usable, and why: its lifetime ran out or it sat idle too long; null while it is alive. */
  const expiryOf = (row: { expiresAt: Date; lastSeenAt: Date }, now: number): { at: Date; reason: SessionEndReason } | null => {
    const idleEnd = row.lastSeenAt.getTime() + policy.idleMs;
    const lifetimeEnd = row.expiresAt.getTime();
    if (now < idleEnd && now < lifetimeEnd) return null;
    return idleEnd < lifetimeEnd ? { at: new Date(idleEnd), reason: 'idle' } : { at: new Date(lifetimeEnd), reason: 'expired' };
  };

  /**
   * Ends sessions: each live row is deleted (so its token opens nothing any more) and a row
   * without the token digest is written to the history, in one transaction.
   */
  const end = async (rows: SessionRow[], reason: SessionEndReason, endedAt?: Date): Promise<void> => {
    if (rows.length === 0) return;
    const now = policy.now();
    await inTransaction(db, async (tx) => {
      for (const row of rows) {
        const expiry = expiryOf(row, now);
        const deleted = await tx.delete(sessions).where(eq(sessions.id, row.id)).returning({ id: sessions.id });
        // Another request may have ended it a moment ago; that one wrote the history.
        if (deleted.length === 0) continue;
        await tx.insert(endedSessions)
          .values({
            userId: row.userId,
            createdAt: row.createdAt,
            lastSeenAt: row.lastSeenAt,
            endedAt: expiry?.at ?? endedAt ?? new Date(now),
            reason: expiry?.reason ?? reason,
            ipAddress: row.ipAddress,
            userAgent: row.userAgent,
          });
      }
    });
  };

  const rowsWhere = (condition: SQL | undefined): Promise<SessionRow[]> => db.select(fullRow).from(sessions).where(condition);


  /**
   * Sessions found alive and their users, kept with the database's change reading they were read
   * at (db/change-watch.ts): every page asks for its session, and until anything is written the
   * answer cannot have changed. Any write (a log-out, a revoked session, a touch) moves the reading,
   * and the next request reads the database again; a rename alone is followed (the new name kept).
   */
  const heldSessions = createHeldAnswers<string, { session: Session; user: SessionUser } | null>(db, {
    reads: [sessions, users],
    // A renamed user's sessions stay kept, with the new name.
    follows: [followRenames((found, _id, userId, name) => (found && found.user.id === userId ? { session: found.session, user: { ...found.user, name } } : found))],
  });

  const lookUp = async (id: string, client: ClientDetails): Promise<{ session: Session; user: SessionUser } | null> => {
    const session = (await selectSession.execute({ id }))[0];
    if (!session) return null;
    const now = policy.now();
    if (expiryOf(session, now)) {
      await end(await rowsWhere(eq(sessions.id, session.id)), 'expired');
      return null;
    }
    if (now - session.lastSeenAt.getTime() >= lastSeenResolutionMs) {
      await touchSession.execute({ id: session.id, lastSeenAt: now, ipAddress: client.ipAddress });
      session.lastSeenAt = new Date(now);
    }
    const user = (await selectUser.execute({ id: session.userId }))[0];
    return user ? { session, user } : null;
  };

  return {
    /** A new session for someone who has just proved who they are (so it starts in sudo mode). */
    async create(userId: number, client: ClientDetails): Promise<{ token: string; session: Session }> {
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
      await insertSession.execute({
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
    async validate(token: string, client: ClientDetails): Promise<{ session: Session; user: SessionUser } | null> {
      const id = sessionIdFromToken(token);
      const found = await heldSessions.get(id, async () => {
        const fresh = await lookUp(id, client);
        return fresh && { session: { ...fresh.session }, user: { ...fresh.user } };
      });
      if (!found) return null;
      const now = policy.now();
      // A kept session is still checked against the clock; one to end or to touch is read again.
      if (expiryOf(found.session, now) || now - found.session.lastSeenAt.getTime() >= lastSeenResolutionMs) {
        heldSessions.forget(id);
        return lookUp(id, client);
      }
      return { session: { ...found.session }, user: { ...found.user } };
    },

    /** The sessions of one person that can still be used, most recently used first. */
    async listForUser(userId: number): Promise<SessionSummary[]> {
      const now = policy.now();
      return (await selectUserSessions.execute({ userId }))
        .filter((row) => !expiryOf(row, now))
        .map(({ id, createdAt, lastSeenAt, ipAddress, userAgent }) => ({ id, createdAt, lastSeenAt, ipAddress, userAgent }));
    },

    /**
     * The sessions of one person that ended in the last 90 days, most recently ended first;
     * sessions that expired but were not yet swept up are included, as expired.
     */
    async endedForUser(userId: number): Promise<EndedSessionSummary[]> {
      const now = policy.now();
      const notSwept = (await selectUserSessions.execute({ userId })).flatMap((row) => {
        const expiry = expiryOf(row, now);
        if (!expiry || expiry.at.getTime() < now - sessionHistoryMs) return [];
        return [{ createdAt: row.createdAt, lastSeenAt: row.lastSeenAt, endedAt: expiry.at, reason: expiry.reason, ipAddress: row.ipAddress, userAgent: row.userAgent }];
      });
      const recorded = await selectEndedSessions.execute({ userId, since: now - sessionHistoryMs });
      return [...notSwept, ...recorded].sort((a, b) => b.endedAt.getTime() - a.endedAt.getTime());
    },

    /** Ends one of this person's sessions; false when they have no live session with that id. */
    async invalidateForUser(userId: number, sessionId: string, reason: SessionEndReason = 'ended-elsewhere'): Promise<boolean> {
      const rows = await rowsWhere(and(eq(sessions.userId, userId), eq(sessions.id, sessionId)));
      const live = rows.filter((row) => !expiryOf(row, policy.now()));
      await end(rows, reason);
      return live.length > 0;
    },

    async exists(sessionId: string): Promise<boolean> {
      return (await selectSession.execute({ id: sessionId })).length > 0;
    },

    /** Ends one session; by default because its owner logged out. */
    async invalidate(sessionId: string, reason: SessionEndReason = 'logged-out'): Promise<void> {
      await end(await rowsWhere(eq(sessions.id, sessionId)), reason);
    },

    async invalidateAllForUser(userId: number, reason: SessionEndReason = 'logged-out-everywhere'): Promise<void> {
      await end(await rowsWhere(eq(sessions.userId, userId)), reason);
    },

    async invalidateOthersForUser(userId: number, keepSessionId: string, reason: SessionEndReason = 'ended-elsewhere'): Promise<void> {
      await end(await rowsWhere(and(eq(sessions.userId, userId), ne(sessions.id, keepSessionId))), reason);
    },

    /**
     * Housekeeping, run now and then: sessions past their lifetime or idle limit move to the
     * history, and history older than 90 days is deleted.
     */
    async sweep(): Promise<void> {
      const now = policy.now();
      const expired = await db
        .select(fullRow)
        .from(sessions)
        .where(sql`${sessions.expiresAt} <= ${now} or ${sessions.lastSeenAt} <= ${now - policy.idleMs}`);
      await end(expired, 'expired');
      await db.delete(endedSessions).where(lt(endedSessions.endedAt, new Date(now - sessionHistoryMs)));
    },
  };
}
