import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { generateSessionToken, sessionIdFromToken } from './session-token.ts';
import { emailTokens } from './tables.ts';

export type EmailTokenPurpose = 'verify-email' | 'reset-password';

const lifetimes: Record<EmailTokenPurpose, number> = {
  'verify-email': 24 * 60 * 60 * 1000,
  'reset-password': 60 * 60 * 1000,
};

export interface EmailTokenGrant {
  userId: number;
  emailId: number | null;
  signsIn: boolean;
  expiresAt: Date;
}

export type EmailTokens = ReturnType<typeof createEmailTokens>;

/**
 * Links sent by e-mail (SECURITY.md rule 21): 160 random bits, stored as SHA-256, one purpose,
 * one use, expiring. A new reset link voids the older ones.
 */
export function createEmailTokens(db: Db, now: () => number) {
  const valid = (token: string, purpose: EmailTokenPurpose) =>
    and(
      eq(emailTokens.id, sessionIdFromToken(token)),
      eq(emailTokens.purpose, purpose),
      isNull(emailTokens.usedAt),
      gt(emailTokens.expiresAt, new Date(now())),
    );

  return {
    async issue(input: { userId: number; purpose: EmailTokenPurpose; emailId?: number; signsIn?: boolean }, tx: Db = db): Promise<string> {
      const token = generateSessionToken();
      const createdAt = now();
      if (input.purpose === 'reset-password') {
        await tx
          .update(emailTokens)
          .set({ usedAt: new Date(createdAt) })
          .where(and(eq(emailTokens.userId, input.userId), eq(emailTokens.purpose, 'reset-password'), isNull(emailTokens.usedAt)));
      }
      await tx.insert(emailTokens)
        .values({
          id: sessionIdFromToken(token),
          userId: input.userId,
          purpose: input.purpose,
          emailId: input.emailId ?? null,
          signsIn: input.signsIn ?? false,
          createdAt: new Date(createdAt),
          expiresAt: new Date(createdAt + lifetimes[input.purpose]),
        });
      return token;
    },

    /** What a link would grant, without using it (for the page that asks for the button press). */
    async peek(token: string, purpose: EmailTokenPurpose): Promise<EmailTokenGrant | null> {
      if (token.length > 64) return null;
      const [row] = await db.select().from(emailTokens).where(valid(token, purpose));
      return row ? { userId: row.userId, emailId: row.emailId, signsIn: row.signsIn, expiresAt: row.expiresAt } : null;
    },

    /** Uses the link up; of two requests racing with it, only one gets the grant. */
    async consume(token: string, purpose: EmailTokenPurpose): Promise<EmailTokenGrant | null> {
      if (token.length > 64) return null;
      const [row] = await db.update(emailTokens).set({ usedAt: new Date(now()) }).where(valid(token, purpose)).returning();
      return row ? { userId: row.userId, emailId: row.emailId, signsIn: row.signsIn, expiresAt: row.expiresAt } : null;
    },

    async voidAll(userId: number, purpose: EmailTokenPurpose): Promise<void> {
      await db
        .update(emailTokens)
        .set({ usedAt: new Date(now()) })
        .where(and(eq(emailTokens.userId, userId), eq(emailTokens.purpose, purpose), isNull(emailTokens.usedAt)));
    },

    /** When the last link of this kind was sent for an address, to pace resends. */
    async lastIssuedAt(userId: number, emailId: number, tx: Db = db): Promise<Date | null> {
      const [row] = await tx
        .select({ at: sql<number | null>`max(${emailTokens.createdAt})` })
        .from(emailTokens)
        .where(and(eq(emailTokens.userId, userId), eq(emailTokens.emailId, emailId), eq(emailTokens.purpose, 'verify-email')));
      return row?.at ? new Date(row.at) : null;
    },
  };
}
