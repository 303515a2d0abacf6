import crypto from 'node:crypto';
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../../db/client.ts';
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
    generate(userId: number): string[] {
      const codes = Array.from({ length: recoveryCodeCount }, randomCode);
      const createdAt = new Date(options.now());
      db.transaction((tx) => {
        tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
        tx.insert(recoveryCodes)
          .values(codes.map((code) => ({ userId, codeDigest: digest(code), createdAt })))
          .run();
      });
      return codes;
    },

    remaining(userId: number): number {
      return remainingQuery.get({ userId })?.total ?? 0;
    },

    exists(userId: number): boolean {
      return Boolean(db.select({ id: recoveryCodes.id }).from(recoveryCodes).where(eq(recoveryCodes.userId, userId)).get());
    },

    /** Spends one code; false when it is not one of this person's unused codes. Case, spaces and the dash are ignored. */
    use(userId: number, input: string): boolean {
      const normalised = normaliseRecoveryCode(input);
      if (!/^[A-Z0-9]{8}$/.test(normalised)) return false;
      const spent = db
        .update(recoveryCodes)
        .set({ usedAt: new Date(options.now()) })
        .where(and(eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeDigest, digest(normalised)), isNull(recoveryCodes.usedAt)))
        .run();
      return spent.changes === 1;
    },

    deleteAll(userId: number): void {
      db.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId)).run();
    },
  };
}
