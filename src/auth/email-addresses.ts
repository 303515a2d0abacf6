import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { normalizeEmail } from './users.ts';
import { userEmails, users } from './tables.ts';

export interface EmailAddress {
  id: number;
  address: string;
  verifiedAt: Date | null;
  isPrimary: boolean;
  createdAt: Date;
}

export const maximumAddresses = 10;

export type EmailAddressBook = ReturnType<typeof createEmailAddressBook>;

/** A person's e-mail addresses. Every lookup is scoped by the owner. */
export function createEmailAddressBook(db: Db, now: () => number) {
  const columns = {
    id: userEmails.id,
    address: userEmails.address,
    verifiedAt: userEmails.verifiedAt,
    isPrimary: userEmails.isPrimary,
    createdAt: userEmails.createdAt,
  };
  const listQuery = db
    .select(columns)
    .from(userEmails)
    .where(eq(userEmails.userId, sql.placeholder('userId')))
    .orderBy(sql`${userEmails.isPrimary} desc`, asc(userEmails.createdAt), asc(userEmails.id))
    .prepare();

  return {
    list(userId: number): EmailAddress[] {
      return listQuery.all({ userId });
    },

    find(userId: number, emailId: number): EmailAddress | undefined {
      return db.select(columns).from(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId))).get();
    },

    primaryOf(userId: number): EmailAddress | undefined {
      return db.select(columns).from(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.isPrimary, true))).get();
    },

    /** Whose address this is, if anyone's (for log-in by any verified address and for refusing duplicates). */
    owner(address: string): { userId: number; emailId: number; verified: boolean; isPrimary: boolean } | undefined {
      const row = db
        .select({ userId: userEmails.userId, emailId: userEmails.id, verifiedAt: userEmails.verifiedAt, isPrimary: userEmails.isPrimary })
        .from(userEmails)
        .where(eq(userEmails.address, normalizeEmail(address)))
        .get();
      return row ? { userId: row.userId, emailId: row.emailId, verified: row.verifiedAt !== null, isPrimary: row.isPrimary } : undefined;
    },

    /** Adds a secondary, unverified address. */
    add(userId: number, address: string): { id: number } | 'taken' | 'tooMany' {
      const normalized = normalizeEmail(address);
      return db.transaction(
        (tx) => {
          if (tx.select({ id: userEmails.id }).from(userEmails).where(eq(userEmails.address, normalized)).get()) return 'taken';
          const existing = tx.select({ total: count() }).from(userEmails).where(eq(userEmails.userId, userId)).get()?.total ?? 0;
          if (existing >= maximumAddresses) return 'tooMany';
          return tx
            .insert(userEmails)
            .values({ userId, address: normalized, isPrimary: false, createdAt: new Date(now()) })
            .returning({ id: userEmails.id })
            .get();
        },
        { behavior: 'immediate' },
      );
    },

    markVerified(userId: number, emailId: number): void {
      db.update(userEmails)
        .set({ verifiedAt: new Date(now()) })
        .where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId), sql`${userEmails.verifiedAt} is null`))
        .run();
    },

    /** Makes a verified address the primary one, which is also the log-in name. Returns the old primary address. */
    makePrimary(userId: number, emailId: number): { previous: string } | 'notFound' | 'unverified' {
      return db.transaction(
        (tx) => {
          const target = tx.select(columns).from(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId))).get();
          if (!target) return 'notFound';
          if (!target.verifiedAt) return 'unverified';
          const previous = tx.select({ address: users.email }).from(users).where(eq(users.id, userId)).get()?.address ?? '';
          tx.update(userEmails).set({ isPrimary: false }).where(eq(userEmails.userId, userId)).run();
          tx.update(userEmails).set({ isPrimary: true }).where(eq(userEmails.id, emailId)).run();
          tx.update(users).set({ email: target.address }).where(eq(users.id, userId)).run();
          return { previous };
        },
        { behavior: 'immediate' },
      );
    },

    /** Removes a secondary address; the primary one cannot be removed. */
    remove(userId: number, emailId: number): 'removed' | 'primary' | 'notFound' {
      const target = db.select(columns).from(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId))).get();
      if (!target) return 'notFound';
      if (target.isPrimary) return 'primary';
      db.delete(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId))).run();
      return 'removed';
    },
  };
}
