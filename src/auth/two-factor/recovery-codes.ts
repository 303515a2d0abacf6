import crypto from 'node:crypto';
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
import { inTransaction } from '../../db/transaction.ts';
import { recoveryCodes } from '../tables.ts';

export const recoveryCodeCount = 10;
// No 0/O or 1/I, so a code read from paper is typed right.
const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function normaliseRecoveryCode(input: string): string {
  return input.toUpperCase().replace(/[\s-]/g, '');
}

function randomCode(): string {
  const bytes = crypto.randomBytes(8);
  const characters = [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
  return `${characters.slice(0, 4)}-${characters.slice(4)}`;
}

export type RecoveryCodeService = ReturnType<typeof createRecoveryCodeService>;

/** Ten single-use codes per person, stored as HMAC digests under a key kept outside the database. */
export function createRecoveryCodeService(db: Db, options: { key: Buffer; now: () => number }) {
  const digest = (code: string) => crypto.createHmac('sha256', options.key).update(normaliseRecoveryCode(code)).digest('hex');
  const remainingQuery = db
    .select({ total: count() })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.userId, sql.placeholder('userId')), isNull(recoveryCodes.usedAt)))
    .prepare();

  return {
    /** A new set of codes; the old set stops working in the same transaction. Returned once, never stored in the clear. */
    async generate(userId: number): Promise<string[]> {
      const codes = Array.from({ length: recoveryCodeCount }, randomCode);
      const createdAt = new Date(options.now());
      const rows = codes.map((code) => ({ userId, codeDigest: digest(code), createdAt }));
      await inTransaction(db, async (tx) => {
        await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
        await tx.insert(recoveryCodes).values(rows);
      });
      return codes;
    },

    async remaining(userId: number): Promise<number> {
      return (await remainingQuery.execute({ userId }))[0]?.total ?? 0;
    },

    async exists(userId: number): Promise<boolean> {
      return (await db.select({ id: recoveryCodes.id }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId)).limit(1)).length > 0;
    },

    /** Spends one code; false when it is not one of this person's unused codes. Case, spaces and the dash are ignored. */
    async use(userId: number, input: string): Promise<boolean> {
      const normalised = normaliseRecoveryCode(input);
      if (!/^[A-Z0-9]{8}$/.test(normalised)) return false;
      const spent = await db
        .update(recoveryCodes)
        .set({ usedAt: new Date(options.now()) })
        .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeDigest, digest(normalised)), isNull(recoveryCodes.usedAt)))
        .returning({ id: recoveryCodes.id });
      return spent.length === 1;
    },

    /** Pass the transaction it belongs to, if any. */
    async deleteAll(userId: number, tx: Db = db): Promise<void> {
      await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
    },
  };
}
