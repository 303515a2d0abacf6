import { and, count, eq, gte, lt } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { inTransaction } from '../../db/transaction.ts';
import { verificationSends } from './tables.ts';

const dayMs = 24 * 60 * 60 * 1000;

export type VerificationSendLog = ReturnType<typeof createVerificationSendLog>;

/** Counts the confirmation links the E-mails page mailed in the last 24 hours, per account and per address. */
export function createVerificationSendLog(db: Db, now: () => number) {
  return {
    async record(userId: number, address: string, within: Db = db): Promise<void> {
      const at = now();
      await inTransaction(within, async (tx) => {
        // Rows older than a day count for nothing any more; each account's are dropped as it sends.
        await tx.delete(verificationSends).where(and(eq(verificationSends.userId, userId), lt(verificationSends.sentAt, new Date(at - dayMs))));
        await tx.insert(verificationSends).values({ userId, address, sentAt: new Date(at) });
      });
    },

    async countsToday(userId: number, address: string, tx: Db = db): Promise<{ account: number; address: number }> {
      const recent = and(eq(verificationSends.userId, userId), gte(verificationSends.sentAt, new Date(now() - dayMs)));
      const account = (await tx.select({ total: count() }).from(verificationSends).where(recent))[0]?.total ?? 0;
      const forAddress = (await tx.select({ total: count() }).from(verificationSends).where(and(recent, eq(verificationSends.address, address))))[0]?.total ?? 0;
      return { account, address: forAddress };
    },
  };
}
