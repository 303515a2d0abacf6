import { and, asc, count, eq, ne, or, sql } from 'drizzle-orm';
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
  /**
   * A primary row, written as a literal: SQLite prepares a statement again on every run when a bound
   * value could change its plan, as `is_primary = ?` can with the partial unique index (measured here:
   * six times slower on the account page's lookup).
   */
  const isPrimary = sql`${userEmails.isPrimary} = 1`;
  /** Rows that make an address someone's: confirmed, or an account's primary (log-in) address. */
  const owned = or(sql`${userEmails.verifiedAt} is not null`, isPrimary);
  const listQuery = db
    .select(columns)
    .from(userEmails)
    .where(eq(userEmails.userId, sql.placeholder('userId')))
    .orderBy(sql`${userEmails.isPrimary} desc`, asc(userEmails.createdAt), asc(userEmails.id))
    .prepare();
  const primaryQuery = db
    .select(columns)
    .from(userEmails)
    .where(and(eq(userEmails.userId, sql.placeholder('userId')), isPrimary))
    .prepare();

  return {
    list(userId: number): EmailAddress[] {
      return listQuery.all({ userId });
    },

    find(userId: number, emailId: number): EmailAddress | undefined {
      return db.select(columns).from(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId))).get();
    },

    primaryOf(userId: number): EmailAddress | undefined {
      return primaryQuery.get({ userId });
    },

    /**
     * Whose address this is, if anyone's: only a confirmed address or an account's primary one
     * counts (for log-in, password resets and sign-up); unconfirmed claims belong to no one.
     */
    owner(address: string): { userId: number; emailId: number; verified: boolean; isPrimary: boolean } | undefined {
      const row = db
        .select({ userId: userEmails.userId, emailId: userEmails.id, verifiedAt: userEmails.verifiedAt, isPrimary: userEmails.isPrimary })
        .from(userEmails)
        .where(and(eq(userEmails.address, normalizeEmail(address)), owned))
        .get();
      return row ? { userId: row.userId, emailId: row.emailId, verified: row.verifiedAt !== null, isPrimary: row.isPrimary } : undefined;
    },

    /** Whether the address is one of the person's, confirmed. */
    isConfirmed(userId: number, address: string): boolean {
      const row = db
        .select({ verifiedAt: userEmails.verifiedAt })
        .from(userEmails)
        .where(and(eq(userEmails.userId, userId), eq(userEmails.address, normalizeEmail(address))))
        .get();
      return Boolean(row?.verifiedAt);
    },

    /** The id of one of the person's own addresses, confirmed or not. */
    idOf(userId: number, address: string): number | undefined {
      return db
        .select({ id: userEmails.id })
        .from(userEmails)
        .where(and(eq(userEmails.userId, userId), eq(userEmails.address, normalizeEmail(address))))
        .get()?.id;
    },

    /**
     * Adds a secondary, unverified address. Another account's unconfirmed claim on it does not
     * stand in the way; a confirmed or primary address of anyone (the caller included) does.
     */
    add(userId: number, address: string): { id: number } | 'taken' | 'tooMany' {
      const normalized = normalizeEmail(address);
      return db.transaction(
        (tx) => {
          const blocking = tx
            .select({ id: userEmails.id })
            .from(userEmails)
            .where(and(eq(userEmails.address, normalized), or(owned, eq(userEmails.userId, userId))))
            .get();
          if (blocking) return 'taken';
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

    /**
     * Marks an address confirmed. Other accounts' unconfirmed claims on it are removed (their links
     * stop working with them); if another account confirmed it first, or has it as its primary
     * address, nothing changes and the answer is 'taken'.
     */
    markVerified(userId: number, emailId: number): 'verified' | 'taken' | 'notFound' {
      return db.transaction(
        (tx) => {
          const target = tx.select(columns).from(userEmails).where(and(eq(userEmails.userId, userId), eq(userEmails.id, emailId))).get();
          if (!target) return 'notFound';
          if (target.verifiedAt) return 'verified';
          const sameAddress = and(eq(userEmails.address, target.address), ne(userEmails.userId, userId));
          if (tx.select({ id: userEmails.id }).from(userEmails).where(and(sameAddress, owned)).get()) return 'taken';
          tx.delete(userEmails).where(sameAddress).run();
          tx.update(userEmails).set({ verifiedAt: new Date(now()) }).where(eq(userEmails.id, emailId)).run();
          return 'verified';
        },
        { behavior: 'immediate' },
      );
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
