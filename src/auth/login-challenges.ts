import { eq, lt, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { generateSessionToken, sessionIdFromToken } from './session-token.ts';
import { loginChallenges } from './tables.ts';

const challengeLifetimeMs = 10 * 60 * 1000;

export type LoginChallengeStore = ReturnType<typeof createLoginChallengeStore>;

/**
 * The step between a correct password and a correct second factor. Like a session, only
 * the SHA-256 of its token is stored; it lasts ten minutes and is used up by success.
 */
export function createLoginChallengeStore(db: Db, now: () => number) {
  const select = db.select().from(loginChallenges).where(eq(loginChallenges.id, sql.placeholder('id'))).prepare();

  return {
    async create(userId: number, next: string): Promise<{ token: string; expiresAt: Date }> {
      await db.delete(loginChallenges).where(lt(loginChallenges.expiresAt, new Date(now())));
      const token = generateSessionToken();
      const expiresAt = new Date(now() + challengeLifetimeMs);
      await db.insert(loginChallenges).values({ id: sessionIdFromToken(token), userId, next, expiresAt });
      return { token, expiresAt };
    },

    async find(token: string): Promise<{ userId: number; next: string } | null> {
      if (token.length > 64) return null;
      const [row] = await select.execute({ id: sessionIdFromToken(token) });
      if (!row || row.expiresAt.getTime() <= now()) return null;
      return { userId: row.userId, next: row.next };
    },

    /** Uses the challenge up: true for the one caller that did, false if it was gone already (used by a concurrent request). */
    async consume(token: string): Promise<boolean> {
      const deleted = await db.delete(loginChallenges).where(eq(loginChallenges.id, sessionIdFromToken(token))).returning({ id: loginChallenges.id });
      return deleted.length > 0;
    },
  };
}
